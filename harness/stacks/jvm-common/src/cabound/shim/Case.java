package cabound.shim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Case — one request of the shim contract (harness/stacks/README.md),
 * checked as strictly as the C shims' parse_request (common/shim.c).
 */
public final class Case {
    public enum Role { SERVER, CLIENT }
    public enum Source { EXPLICIT, TRUST_STORE, RAW, NONE }
    public enum Select { NATIVE, BY_ISSUER }

    /** A client credential: PEM certificate and PEM (PKCS#8) key paths. */
    public static final class Cred {
        public final String cert, key;
        Cred(String cert, String key) { this.cert = cert; this.key = key; }
    }

    /** A request that breaks the contract; the reply is "bad-request". */
    public static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        public BadRequest(String why) { super(why); }
    }

    public int contract;
    public String caseId = "";
    public Role role;
    public String tls; /* "1.2" or "1.3" */
    public String cert, key, trust, calistPath, calistPem, keylog, receivedOut;
    public final List<Cred> clientCreds = new ArrayList<>();
    public Source source = Source.EXPLICIT;
    public Select select = Select.NATIVE;
    public boolean requireCert = true;
    public int timeoutMs = 5000;
    public List<byte[]> calist; /* server: calistPath, read */

    public boolean tls13() { return "1.3".equals(tls); }

    public static String sourceName(Source s) {
        switch (s) {
        case EXPLICIT: return "explicit";
        case TRUST_STORE: return "trust-store";
        case RAW: return "raw";
        default: return "none";
        }
    }

    public static String selectName(Select s) { return s == Select.NATIVE ? "native" : "by-issuer"; }

    private static String str(Map<String, Object> m, String k) throws BadRequest {
        Object v = m.get(k);
        if (v == null || v == Json.NULL)
            return null;
        if (!(v instanceof String))
            throw new BadRequest(k + " must be a string");
        return (String) v;
    }

    /** parse checks |req| and fills a Case; |contracts| are the versions accepted. */
    public static Case parse(Map<String, Object> req, int... contracts) throws BadRequest {
        Case c = new Case();
        Object ver = req.get("contract");
        boolean ok = false;
        for (int v : contracts)
            ok |= ver instanceof Long && (Long) ver == v;
        if (!ok)
            throw new BadRequest("request contract must be " + contracts[contracts.length - 1]);
        c.contract = (int) (long) (Long) ver;
        String id = str(req, "case");
        c.caseId = id == null ? "" : id;
        String role = str(req, "role");
        if ("server".equals(role))
            c.role = Role.SERVER;
        else if ("client".equals(role))
            c.role = Role.CLIENT;
        else
            throw new BadRequest("role must be \"server\" or \"client\"");
        c.tls = str(req, "tls");
        if (!"1.2".equals(c.tls) && !"1.3".equals(c.tls))
            throw new BadRequest("tls must be \"1.2\" or \"1.3\"");
        c.cert = str(req, "cert");
        c.key = str(req, "key");
        c.trust = str(req, "trust");
        c.calistPath = str(req, "calist");
        c.calistPem = str(req, "calist_pem");
        c.keylog = str(req, "keylog");
        c.receivedOut = str(req, "received_out");
        Object t = req.get("timeout_ms");
        if (t != null && !(t instanceof Long))
            throw new BadRequest("timeout_ms must be an integer");
        if (t != null)
            c.timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (Long) t));
        String verify = str(req, "verify");
        if (verify != null && !verify.equals("require") && !verify.equals("request"))
            throw new BadRequest("verify must be \"require\" or \"request\"");
        c.requireCert = verify == null || verify.equals("require");
        String src = str(req, "calist_source");
        if (src == null || src.equals("explicit"))
            c.source = Source.EXPLICIT;
        else if (src.equals("trust-store"))
            c.source = Source.TRUST_STORE;
        else if (src.equals("raw"))
            c.source = Source.RAW;
        else if (src.equals("none"))
            c.source = Source.NONE;
        else
            throw new BadRequest("unknown calist_source \"" + src + "\"");
        String sel = str(req, "select");
        if (sel == null || sel.equals("native"))
            c.select = Select.NATIVE;
        else if (sel.equals("by-issuer"))
            c.select = Select.BY_ISSUER;
        else
            throw new BadRequest("unknown select \"" + sel + "\"");
        Object creds = req.get("client_creds");
        if (creds != null && !(creds instanceof List))
            throw new BadRequest("client_creds must be an array");
        if (creds != null) {
            int i = 0;
            for (Object e : (List<?>) creds) {
                if (!(e instanceof Map))
                    throw new BadRequest("client_creds[" + i + "] needs cert and key");
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) e;
                String cc = str(m, "cert"), ck = str(m, "key");
                if (cc == null || ck == null)
                    throw new BadRequest("client_creds[" + i + "] needs cert and key");
                c.clientCreds.add(new Cred(cc, ck));
                i++;
            }
        }
        if (c.role == Role.SERVER) {
            if (c.cert == null || c.key == null)
                throw new BadRequest("server needs cert and key");
            if (c.source != Source.NONE && c.source != Source.TRUST_STORE && c.calistPath == null)
                throw new BadRequest("calist_source " + sourceName(c.source) + " needs calist");
            if (c.source == Source.TRUST_STORE && c.calistPem == null)
                throw new BadRequest("calist_source trust-store needs calist_pem");
            if (c.calistPath != null) {
                try {
                    c.calist = ListFile.read(c.calistPath);
                } catch (ListFile.FormatError e) {
                    throw new BadRequest(e.getMessage());
                } catch (java.io.IOException e) {
                    throw new BadRequest(c.calistPath + ": " + e.getMessage());
                }
            }
        }
        return c;
    }
}
