package cabound.jsse;

import cabound.shim.Case;
import cabound.shim.KeyLog;
import cabound.shim.Memo;
import cabound.shim.Observation;
import cabound.shim.Pki;
import cabound.shim.Shim;
import cabound.shim.Stack;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * JsseShim — cabound-shim-jsse: the JDK's own TLS (SunJSSE) over an
 * SSLSocket layered on the harness's connection.
 *
 * Server, setting the list: SunJSSE has no API for a list of names; it sends
 * the subjects of its X509TrustManager's getAcceptedIssuers()
 * (sun/security/ssl/CertificateRequest.java, T12CertificateRequestProducer;
 * CertificateAuthoritiesExtension.java, CRCertificateAuthoritiesProducer for
 * TLS 1.3). calist_source trust-store: the JDK's PKIX TrustManagerFactory over
 * a KeyStore of calist_pem (its native list, in the order the JDK gives it);
 * explicit: a trust manager whose getAcceptedIssuers() returns calist_pem's
 * certificates in calist order (what an application does to choose the
 * list), verifying against trust; none: an empty getAcceptedIssuers().
 *
 * Client, reading the list: X509ExtendedKeyManager.chooseClientAlias(keyType,
 * issuers, socket); the issuers are X500Principals that SunJSSE built from the
 * received bytes (CertificateRequest.java, getAuthorities()); we report each
 * one's getEncoded(). select native: the JDK's own PKIX key manager
 * (sun/security/ssl/X509KeyManagerImpl, which picks by issuer itself);
 * by-issuer: the shim picks.
 */
public final class JsseShim implements Stack {
    private static final char[] PW = "cabound".toCharArray();

    public static void main(String[] args) { Shim.main(args, new JsseShim()); }

    @Override
    public String name() { return "jsse"; }

    @Override
    public String version() {
        Provider p = Security.getProvider("SunJSSE");
        return (p == null ? "SunJSSE ?" : "SunJSSE " + p.getVersionStr()) + " (java "
            + System.getProperty("java.runtime.version") + ")";
    }

    @Override
    public String library() { return System.getProperty("java.home") + "/lib/modules (java.base)"; }

    @Override
    public List<String> tls() { return Arrays.asList("1.2", "1.3"); }

    @Override
    public List<String> sources() { return Arrays.asList("explicit", "trust-store", "none"); }

    @Override
    public List<String> selects() { return Arrays.asList("native", "by-issuer"); }

    /**
     * pkix is the JDK's PKIX trust manager over the anchors of a PEM bundle,
     * remembered per file (Memo): building it parses every anchor.
     */
    private static X509ExtendedTrustManager pkix(String pem) throws IOException, GeneralSecurityException {
        try {
            return Memo.get("pkix", () -> buildPkix(pem), pem);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static X509ExtendedTrustManager buildPkix(String pem) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        X509Certificate[] anchors = Pki.certs(pem);
        for (int i = 0; i < anchors.length; i++)
            ks.setCertificateEntry(String.format("ca%05d", i), anchors[i]);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        for (TrustManager t : tmf.getTrustManagers())
            if (t instanceof X509ExtendedTrustManager)
                return (X509ExtendedTrustManager) t;
        throw new GeneralSecurityException("no X509ExtendedTrustManager from PKIX");
    }

    /**
     * ServerTrust verifies with the JDK's PKIX trust manager, records the
     * client's certificate, and answers getAcceptedIssuers() — the list
     * SunJSSE sends — from |accepted| (null: the PKIX manager's own). Its
     * first getAcceptedIssuers() of a TLS 1.3 case also writes the key log
     * (Tls13Secrets): SunJSSE asks while it produces the CertificateRequest,
     * when the handshake traffic secrets exist.
     */
    private static final class ServerTrust extends X509ExtendedTrustManager {
        final X509ExtendedTrustManager d;
        final X509Certificate[] accepted;
        final Observation obs;
        SSLSocket socket;   /* set once layered */
        KeyLog keylog;      /* TLS 1.3 cases only */

        ServerTrust(X509ExtendedTrustManager d, X509Certificate[] accepted, Observation obs) {
            this.d = d;
            this.accepted = accepted;
            this.obs = obs;
        }

        private void record(X509Certificate[] chain) {
            if (chain != null && chain.length > 0 && obs.peerCert == null) {
                try {
                    obs.peerCert = chain[0].getEncoded();
                } catch (java.security.cert.CertificateEncodingException e) {
                    /* unrecordable */
                }
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
            record(c);
            d.checkClientTrusted(c, a, s);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
            record(c);
            d.checkClientTrusted(c, a, e);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException {
            record(c);
            d.checkClientTrusted(c, a);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
            d.checkServerTrusted(c, a, s);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
            d.checkServerTrusted(c, a, e);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException {
            d.checkServerTrusted(c, a);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            if (keylog != null && socket != null) {
                Tls13Secrets.log(socket, keylog);
                keylog = null;
            }
            return accepted != null ? accepted.clone() : d.getAcceptedIssuers();
        }
    }

    /**
     * ClientKeys records what chooseClientAlias was handed (the issuers, as
     * the API gives them) and which alias it answered; the choice itself is
     * the JDK's key manager (native) or the first credential whose issuer is
     * byte-equal to an offered name (by-issuer).
     */
    private static final class ClientKeys extends X509ExtendedKeyManager {
        final X509ExtendedKeyManager jdk; /* native */
        final boolean byIssuer;
        final List<X509Certificate[]> chains;
        final List<PrivateKey> keys;
        final Observation obs;
        boolean called;
        String chosen;

        ClientKeys(X509ExtendedKeyManager jdk, boolean byIssuer, List<X509Certificate[]> chains, List<PrivateKey> keys,
                   Observation obs) {
            this.jdk = jdk;
            this.byIssuer = byIssuer;
            this.chains = chains;
            this.keys = keys;
            this.obs = obs;
        }

        private String pick(String[] keyType, Principal[] issuers) {
            for (int i = 0; i < chains.size(); i++) {
                byte[] iss = chains.get(i)[0].getIssuerX500Principal().getEncoded();
                if (Pki.indexOf(obs.received, iss) < 0)
                    continue;
                String alg = keys.get(i).getAlgorithm();
                for (String k : keyType)
                    if (k.equals(alg))
                        return "cred" + i;
            }
            return null;
        }

        private String choose(String[] keyType, Principal[] issuers, Socket s, SSLEngine e) {
            if (!called) {
                /* SunJSSE asks once per key type with the same issuers; the
                 * first call's are what the API exposed. */
                called = true;
                obs.receivedExposed = true;
                if (issuers != null)
                    for (Principal p : issuers)
                        obs.received.add(p instanceof X500Principal ? ((X500Principal) p).getEncoded()
                                                                    : new X500Principal(p.getName()).getEncoded());
            }
            String a;
            if (byIssuer)
                a = pick(keyType, issuers);
            else
                a = e != null ? jdk.chooseEngineClientAlias(keyType, issuers, e) : jdk.chooseClientAlias(keyType, issuers, s);
            if (a != null && chosen == null)
                chosen = a;
            return a;
        }

        /** index maps an alias (ours "credN", or the JDK's "uid.builder.credN") to its credential. */
        int index() {
            if (chosen == null)
                return called ? -1 : -2;
            String tail = chosen.substring(chosen.lastIndexOf('.') + 1);
            return tail.startsWith("cred") ? Integer.parseInt(tail.substring(4)) : -2;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket s) {
            return choose(keyType, issuers, s, null);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine e) {
            return choose(keyType, issuers, null, e);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            if (!byIssuer)
                return jdk.getCertificateChain(alias);
            return alias != null && alias.startsWith("cred") ? chains.get(Integer.parseInt(alias.substring(4))) : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            if (!byIssuer)
                return jdk.getPrivateKey(alias);
            return alias != null && alias.startsWith("cred") ? keys.get(Integer.parseInt(alias.substring(4))) : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return jdk.getClientAliases(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) { return null; }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket s) { return null; }
    }

    private static KeyManager[] keyManagers(KeyStore ks) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, PW);
        return kmf.getKeyManagers();
    }

    /**
     * keyStore holds the credentials (cert, key path pairs) under "credN"
     * ("server" for one server credential), remembered per files (Memo): a
     * PKCS#12 KeyStore encrypts each key it is given (PBE, 10000 rounds) and
     * the key manager decrypts it again, which was most of a case's cost.
     */
    private static final class Creds {
        KeyManager[] managers;
        final List<X509Certificate[]> chains = new ArrayList<>();
        final List<PrivateKey> keys = new ArrayList<>();
    }

    private static Creds creds(String alias0, String... certKey) throws IOException, GeneralSecurityException {
        try {
            return Memo.get("creds:" + alias0, () -> {
                Creds c = new Creds();
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                for (int i = 0; i + 1 < certKey.length; i += 2) {
                    X509Certificate[] chain = Pki.certs(certKey[i]);
                    PrivateKey k = Pki.key(certKey[i + 1]);
                    c.chains.add(chain);
                    c.keys.add(k);
                    ks.setKeyEntry(alias0 != null ? alias0 : "cred" + i / 2, k, PW, chain);
                }
                c.managers = keyManagers(ks);
                return c;
            }, certKey);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static SSLSocket layer(SSLContext ctx, Socket sock, Case c, boolean client) throws IOException {
        SSLSocket ss = (SSLSocket) ctx.getSocketFactory().createSocket(sock, "127.0.0.1", sock.getPort(), false);
        ss.setUseClientMode(client);
        ss.setEnabledProtocols(new String[] {c.tls13() ? "TLSv1.3" : "TLSv1.2"});
        ss.setSoTimeout(c.timeoutMs);
        return ss;
    }

    private static void server(Case c, Socket sock, Observation obs, KeyLog keylog) throws IOException, GeneralSecurityException {
        X509Certificate[] accepted;
        String anchors = c.trust;
        switch (c.source) {
        case EXPLICIT:
            if (c.calistPem == null) {
                obs.unsupported("jsse takes a list only as certificates (X509TrustManager.getAcceptedIssuers), and this "
                                + "list holds DNs that are not Names, so it has none");
                return;
            }
            accepted = Pki.certs(c.calistPem);
            break;
        case TRUST_STORE:
            accepted = null;
            anchors = c.calistPem;
            break;
        default: /* NONE */
            accepted = new X509Certificate[0];
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ServerTrust trust = new ServerTrust(pkix(anchors), accepted, obs);
        ctx.init(creds("server", c.cert, c.key).managers, new TrustManager[] {trust}, null);
        SSLSocket ss = layer(ctx, sock, c, false);
        trust.socket = ss;
        trust.keylog = c.tls13() ? keylog : null;
        if (c.requireCert)
            ss.setNeedClientAuth(true);
        else
            ss.setWantClientAuth(true);
        try {
            ss.startHandshake();
            ss.getOutputStream().write('x');
            ss.getOutputStream().flush();
            obs.handshakeOk = true;
        } catch (IOException e) {
            obs.setError(e);
            JsseAlerts.record(e, obs);
        } finally {
            closeQuietly(ss);
        }
    }

    private static void client(Case c, Socket sock, Observation obs) throws IOException, GeneralSecurityException {
        String[] files = new String[2 * c.clientCreds.size()];
        for (int i = 0; i < c.clientCreds.size(); i++) {
            files[2 * i] = c.clientCreds.get(i).cert;
            files[2 * i + 1] = c.clientCreds.get(i).key;
        }
        Creds cr = creds(null, files);
        X509ExtendedKeyManager jdk = null;
        for (KeyManager km : cr.managers)
            if (km instanceof X509ExtendedKeyManager)
                jdk = (X509ExtendedKeyManager) km;
        ClientKeys keysMgr = new ClientKeys(jdk, c.select == Case.Select.BY_ISSUER, cr.chains, cr.keys, obs);
        SSLContext ctx = SSLContext.getInstance("TLS");
        /* The server is verified against trust; an SSLSocket has no endpoint
         * identification unless one is set, so no host name check. */
        ctx.init(new KeyManager[] {keysMgr}, new TrustManager[] {pkix(c.trust)}, null);
        SSLSocket ss = layer(ctx, sock, c, true);
        try {
            ss.startHandshake();
            /* The server's one byte: a TLS 1.3 client learns of a rejection
             * of its certificate only here. */
            int b = ss.getInputStream().read();
            obs.handshakeOk = b == 'x';
            if (!obs.handshakeOk)
                obs.setError(-1, b < 0 ? "the connection closed before the server's byte" : "unexpected byte " + b);
        } catch (IOException e) {
            obs.setError(e);
            JsseAlerts.record(e, obs);
        } finally {
            obs.sentCert = keysMgr.index();
            closeQuietly(ss);
        }
    }

    private static void closeQuietly(SSLSocket ss) {
        try {
            ss.close(); /* close_notify; the layered socket stays open (autoClose false) */
        } catch (IOException e) {
            /* the peer is gone */
        }
    }

    @Override
    public void run(Case c, Socket sock, Observation obs, KeyLog keylog) {
        try {
            if (c.role == Case.Role.SERVER)
                server(c, sock, obs, keylog);
            else
                client(c, sock, obs);
        } catch (IOException | GeneralSecurityException e) {
            obs.setError(e);
        }
    }
}
