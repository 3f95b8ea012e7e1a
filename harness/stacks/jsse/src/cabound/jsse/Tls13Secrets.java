package cabound.jsse;

import cabound.shim.KeyLog;
import java.lang.reflect.Field;
import javax.crypto.SecretKey;
import javax.net.ssl.SSLSocket;

/**
 * Tls13Secrets — the key log SunJSSE does not offer. The JDK has no key-log
 * hook (no SSLKEYLOGFILE, no callback: see NOTES.md), so the server reads
 * its own TLS 1.3 handshake traffic secrets from SunJSSE's handshake state by
 * reflection, at a moment they exist and are in use: while it produces the
 * CertificateRequest (ServerHello.java, T13ServerHelloProducer, has set
 * HandshakeContext.baseReadSecret to the client handshake traffic secret and
 * baseWriteSecret to the server's; clientHelloRandom holds the ClientHello's
 * random). Nothing is derived here: the bytes are the ones SunJSSE encrypts
 * with. Needs --add-opens java.base/sun.security.ssl (the launcher passes
 * it); where a field is missing (another JDK) nothing is written, a line goes
 * to the log, and the harness reports the TLS 1.3 wire as unmeasured.
 */
final class Tls13Secrets {
    private Tls13Secrets() {}

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        for (Class<?> k = o.getClass(); k != null; k = k.getSuperclass()) {
            try {
                Field f = k.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                /* a superclass may declare it */
            }
        }
        throw new NoSuchFieldException(o.getClass().getName() + "." + name);
    }

    static void log(SSLSocket socket, KeyLog keylog) {
        try {
            Object hc = field(field(socket, "conContext"), "handshakeContext");
            byte[] random = (byte[]) field(field(hc, "clientHelloRandom"), "randomBytes");
            SecretKey read = (SecretKey) field(hc, "baseReadSecret"), write = (SecretKey) field(hc, "baseWriteSecret");
            if (read == null || write == null) {
                System.err.println("jsse: no TLS 1.3 handshake secrets yet: key log not written");
                return;
            }
            keylog.secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", random, read.getEncoded());
            keylog.secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", random, write.getEncoded());
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("jsse: key log unavailable: " + e);
        }
    }
}
