package cabound.shim;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shim — the stack-independent half of a JVM shim (the Java twin of
 * common/shim.c): the stream transport's request loop (contract 2, see
 * harness/stacks/README.md), the one-shot TCP modes, --describe and the
 * observation record. A stack's main() is one line: Shim.main(args, stack).
 */
public final class Shim {
    public static final int CONTRACT = 2;
    public static final int EXIT_UNSUPPORTED = 89;

    private Shim() {}

    private static Map<String, Object> errorReply(String caseId, String why) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("contract", (long) CONTRACT);
        o.put("case", caseId == null ? "" : caseId);
        o.put("status", "bad-request");
        o.put("reason", why);
        return o;
    }

    /** runtime says which JVM runs the shim, for --describe and the log. */
    public static String runtime() {
        return "java " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ", "
            + System.getProperty("java.home") + ")";
    }

    private static Socket dial(String where, int timeoutMs) throws IOException {
        int colon = where.lastIndexOf(':');
        if (colon <= 0)
            throw new IOException("expected HOST:PORT, got \"" + where + "\"");
        int port;
        try {
            port = Integer.parseInt(where.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IOException("expected HOST:PORT, got \"" + where + "\"");
        }
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(where.substring(0, colon), port), timeoutMs);
        return s;
    }

    /**
     * lingerClose half-closes |s| and reads until the peer closes too (at
     * most a second), as common/shim.c's linger_close: a peer still writing
     * (a TLS 1.3 client's ChangeCipherSpec) reads our alert, not a reset.
     */
    private static void lingerClose(Socket s, int timeoutMs) {
        try {
            int ms = Math.min(timeoutMs, 1000);
            long end = System.nanoTime() + ms * 1_000_000L;
            if (!s.isOutputShutdown())
                s.shutdownOutput();
            s.setSoTimeout(ms);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (System.nanoTime() < end && in.read(buf) > 0)
                ;
        } catch (IOException e) {
            /* reset or timeout: nothing more to read */
        } finally {
            try {
                s.close();
            } catch (IOException e) {
                /* closed */
            }
        }
    }

    private static boolean listed(List<String> v, String name) { return v.contains(name); }

    private static Map<String, Object> observe(Stack s, Case c, Socket sock) {
        Observation obs = new Observation();
        try {
            sock.setSoTimeout(c.timeoutMs);
        } catch (IOException e) {
            obs.setError(e);
        }
        String mode = c.role == Case.Role.SERVER ? Case.sourceName(c.source) : Case.selectName(c.select);
        long t0 = System.nanoTime();
        if (!listed(s.tls(), c.tls))
            obs.unsupported(s.name() + " does not support TLS " + c.tls + " in this build");
        else if (!listed(c.role == Case.Role.SERVER ? s.sources() : s.selects(), mode))
            obs.unsupported(s.name() + " does not support " + (c.role == Case.Role.SERVER ? "calist_source " : "select ")
                            + mode);
        else {
            try {
                s.run(c, sock, obs, new KeyLog(c.keylog));
            } catch (RuntimeException e) {
                /* The library threw where its API says it fails otherwise:
                 * recorded as its error, with the class, not hidden. */
                obs.setError(-2, "uncaught " + e);
                e.printStackTrace();
            }
        }
        long t1 = System.nanoTime();
        lingerClose(sock, c.timeoutMs);

        Map<String, Object> o = new LinkedHashMap<>();
        o.put("contract", (long) c.contract);
        o.put("case", c.caseId);
        o.put("stack", s.name());
        o.put("version", s.version());
        o.put("library", s.library());
        o.put("role", c.role == Case.Role.SERVER ? "server" : "client");
        o.put("tls", c.tls);
        if (obs.unsupported) {
            o.put("status", "unsupported");
            o.put("reason", obs.reason);
            return o;
        }
        o.put("status", "observed");
        if (c.role == Case.Role.SERVER)
            o.put("calist_source", Case.sourceName(c.source));
        else
            o.put("select", Case.selectName(c.select));
        o.put("handshake", obs.handshakeOk ? "ok" : "failed");
        if (obs.hasError) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("code", obs.errorCode);
            e.put("text", obs.errorText);
            o.put("error", e);
        } else {
            o.put("error", Json.NULL);
        }
        o.put("alerts_exposed", obs.alertsExposed);
        o.put("alert_sent", obs.alertSent < 0 ? Json.NULL : (Object) (long) obs.alertSent);
        o.put("alert_received", obs.alertReceived < 0 ? Json.NULL : (Object) (long) obs.alertReceived);
        if (c.role == Case.Role.CLIENT) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("exposed", obs.receivedExposed);
            if (obs.receivedExposed) {
                r.put("count", (long) obs.received.size());
                r.put("list_bytes", ListFile.listBytes(obs.received));
                if (c.receivedOut != null) {
                    try {
                        ListFile.write(c.receivedOut, obs.received, "received by the client API");
                    } catch (IOException e) {
                        System.err.println("shim: " + c.receivedOut + ": " + e.getMessage());
                    }
                }
            }
            o.put("received", r);
            o.put("sent_cert", obs.sentCert == -2 ? Json.NULL : (Object) (long) obs.sentCert);
        } else {
            o.put("peer_cert", obs.peerCert == null ? Json.NULL : KeyLog.hex(obs.peerCert));
        }
        o.put("handshake_us", (t1 - t0) / 1000);
        return o;
    }

    /**
     * serve is the stream transport's loop: a request a line on stdin, its
     * one connection opened first, a reply a line on stdout. Nothing else may
     * reach stdout, so System.out is pointed at stderr (the log).
     */
    private static int serve(Stack s) throws IOException {
        PrintStream replies = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        boolean trace = Boolean.getBoolean("cabound.trace"); /* JDK_JAVA_OPTIONS=-Dcabound.trace=true */
        while ((line = in.readLine()) != null) {
            if (trace)
                System.err.println("cabound request: " + line);
            Map<String, Object> req = null, reply;
            String parseError = null, connect = null, caseId = null;
            try {
                req = Json.parseObject(line);
                Object v = req.get("connect");
                connect = v instanceof String ? (String) v : null;
                caseId = req.get("case") instanceof String ? (String) req.get("case") : null;
            } catch (Json.ParseError e) {
                parseError = e.getMessage();
            }
            /* The connection first, before anything else (the contract). */
            Socket sock = null;
            String dialError = null;
            if (connect != null) {
                try {
                    sock = dial(connect, 10000);
                } catch (IOException e) {
                    dialError = "cannot connect to " + connect + ": " + e.getMessage();
                }
            }
            if (req == null)
                reply = errorReply(null, "request is not JSON: " + parseError);
            else if (sock == null)
                reply = errorReply(caseId, connect == null ? "request carries no \"connect\"" : dialError);
            else {
                try {
                    reply = observe(s, Case.parse(req, CONTRACT), sock);
                } catch (Case.BadRequest e) {
                    reply = errorReply(caseId, e.getMessage());
                }
            }
            if (sock != null && !sock.isClosed())
                lingerClose(sock, 1000);
            replies.print(Json.write(reply));
            replies.print('\n');
            replies.flush();
            if (replies.checkError())
                return 0; /* the harness is gone */
        }
        return 0;
    }

    private static int oneShot(Stack s, String requestPath, String connect, String listen) throws IOException {
        Map<String, Object> req;
        Case c;
        try {
            req = Json.parseObject(new String(Files.readAllBytes(Paths.get(requestPath)), StandardCharsets.UTF_8));
            /* A request written by hand may say contract 1: the fields are the same. */
            c = Case.parse(req, 1, CONTRACT);
        } catch (Json.ParseError | Case.BadRequest e) {
            System.err.println(requestPath + ": " + e.getMessage());
            return 2;
        }
        Socket sock;
        if (connect != null) {
            sock = dial(connect, c.timeoutMs);
        } else {
            int colon = listen.lastIndexOf(':');
            try (ServerSocket ss = new ServerSocket()) {
                ss.setReuseAddress(true);
                ss.bind(new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))), 1);
                sock = ss.accept();
                sock.setTcpNoDelay(true);
            }
        }
        Map<String, Object> o = observe(s, c, sock);
        System.out.println(Json.write(o));
        System.out.flush();
        return "unsupported".equals(o.get("status")) ? EXIT_UNSUPPORTED : 0;
    }

    private static int usage() {
        System.err.println("usage: cabound-shim-X --serve              (stream request loop, see harness/stacks/README.md)\n"
                           + "       cabound-shim-X --describe\n"
                           + "       cabound-shim-X --request FILE (--connect HOST:PORT | --listen HOST:PORT)");
        return 2;
    }

    private static int run(String[] args, Stack s) throws IOException {
        String request = null, connect = null, listen = null;
        boolean serve = false, describe = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--serve"))
                serve = true;
            else if (a.equals("--describe"))
                describe = true;
            else if (a.equals("--request") && i + 1 < args.length)
                request = args[++i];
            else if (a.equals("--connect") && i + 1 < args.length)
                connect = args[++i];
            else if (a.equals("--listen") && i + 1 < args.length)
                listen = args[++i];
            else {
                System.err.println("Unrecognized flag: " + a);
                return usage();
            }
        }
        if (describe) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("stack", s.name());
            d.put("version", s.version());
            d.put("library", s.library());
            d.put("tls", new ArrayList<Object>(s.tls()));
            d.put("calist_source", new ArrayList<Object>(s.sources()));
            d.put("select", new ArrayList<Object>(s.selects()));
            d.put("contract", (long) CONTRACT);
            d.put("transport", "stream");
            d.put("runtime", runtime());
            System.out.println(Json.write(d));
            return 0;
        }
        if (serve)
            return serve(s);
        if (request == null || (connect == null) == (listen == null))
            return usage();
        return oneShot(s, request, connect, listen);
    }

    /** main runs the shim and exits with the contract's status. */
    public static void main(String[] args, Stack s) {
        int rc;
        try {
            rc = run(args, s);
        } catch (IOException e) {
            System.err.println("shim: " + e.getMessage());
            rc = 3;
        }
        System.out.flush();
        System.exit(rc);
    }
}
