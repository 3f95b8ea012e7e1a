package cabound.jsse.floor;

import cabound.shim.Floor;
import cabound.shim.Pki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * JsseFloor — bench_floor_jsse, the floor ci/bench holds cabound's SunJSSE
 * cases against (as fuzz/bench_floor.c is for the C stacks): SunJSSE's own
 * handshake cost with both sides in one JVM over memory, two SSLEngines
 * wrapping into each other's buffers, no harness, relay, sockets or second
 * process. Each iteration is a whole TLS 1.2 handshake with a client
 * certificate, each side verifying the other's chain with the JDK's PKIX
 * trust manager, configured the way the shim (../../src/cabound/jsse/
 * JsseShim.java) configures a case in the mode cabound's `auto` picks for
 * jsse (explicit, by-issuer):
 *  - the server's list is what its X509TrustManager.getAcceptedIssuers()
 *    returns (SunJSSE has no other way to set one): the certificates of that
 *    iteration's PEM bundle, parsed inside the timed loop (each case has a new
 *    list, and the shim parses the case's bundle); the client's certificate
 *    is verified against client-cas.pem;
 *  - the client chooses its certificate by issuer in chooseEngineClientAlias
 *    among the issuers SunJSSE hands it, and verifies the server against
 *    server-ca.pem (no host name check: no endpoint identification is set,
 *    as on the shim's layered SSLSocket);
 *  - a new SSLContext per side per iteration, as per case in the shim (so no
 *    session is resumed); the key managers and the PKIX trust managers are
 *    made once, as the shim keeps them across cases (Memo).
 * The JVM runs with the shim's flags (cabound_add_jvm_floor) and is warmed
 * (Floor.run) before the clock starts.
 *
 * usage: bench_floor_jsse LIST_BYTES ITERATIONS PEM_LIST (cabound.shim.Floor)
 */
public final class JsseFloor implements Floor.Handshake {
    private static final char[] PW = "cabound".toCharArray();

    private final KeyManager[] serverKeys;
    private final X509ExtendedKeyManager clientJdkKeys;
    private final X509ExtendedTrustManager clientCas, serverCa;
    private final byte[] clientIssuer;
    private final X509Certificate[] clientChain;
    private final PrivateKey clientKey;

    private JsseFloor(Floor.Pki pki) throws IOException, GeneralSecurityException {
        serverKeys = keyManagers(pki.serverCert, pki.serverKey);
        KeyManager[] ck = keyManagers(pki.clientCert, pki.clientKey);
        clientJdkKeys = (X509ExtendedKeyManager) ck[0];
        clientCas = pkix(pki.clientCas);
        serverCa = pkix(pki.serverCa);
        clientChain = Pki.certs(pki.clientCert);
        clientKey = Pki.key(pki.clientKey);
        clientIssuer = clientChain[0].getIssuerX500Principal().getEncoded();
    }

    public static void main(String[] args) {
        Floor.main("bench_floor_jsse", args, JsseFloor::new);
    }

    private static KeyManager[] keyManagers(String cert, String key) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setKeyEntry("cred0", Pki.key(key), PW, Pki.certs(cert));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, PW);
        return kmf.getKeyManagers();
    }

    private static X509ExtendedTrustManager pkix(String pem) throws IOException, GeneralSecurityException {
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

    /** ServerTrust: PKIX verification of the client, and the list SunJSSE sends. */
    private static final class ServerTrust extends X509ExtendedTrustManager {
        final X509ExtendedTrustManager d;
        final X509Certificate[] accepted;

        ServerTrust(X509ExtendedTrustManager d, X509Certificate[] accepted) {
            this.d = d;
            this.accepted = accepted;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
            d.checkClientTrusted(c, a, s);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
            d.checkClientTrusted(c, a, e);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException {
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
        public X509Certificate[] getAcceptedIssuers() { return accepted.clone(); }
    }

    /** ByIssuer: the client's one credential when its issuer is among the names SunJSSE exposes. */
    private final class ByIssuer extends X509ExtendedKeyManager {
        boolean chosen;

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine e) {
            if (issuers == null || !Arrays.asList(keyType).contains(clientKey.getAlgorithm()))
                return null;
            for (Principal p : issuers)
                if (p instanceof javax.security.auth.x500.X500Principal
                    && Arrays.equals(((javax.security.auth.x500.X500Principal) p).getEncoded(), clientIssuer)) {
                    chosen = true;
                    return "cred0";
                }
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket s) {
            return chooseEngineClientAlias(keyType, issuers, null);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) { return "cred0".equals(alias) ? clientChain.clone() : null; }

        @Override
        public PrivateKey getPrivateKey(String alias) { return "cred0".equals(alias) ? clientKey : null; }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return clientJdkKeys.getClientAliases(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) { return null; }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket s) { return null; }
    }

    @Override
    public boolean handshake(Floor.CaList l) throws Exception {
        /* The list: the bundle's certificates, parsed here (the shim parses each case's bundle). */
        X509Certificate[] accepted = CertificateFactory.getInstance("X.509").generateCertificates(
            new ByteArrayInputStream(l.pem)).toArray(new X509Certificate[0]);
        SSLContext sctx = SSLContext.getInstance("TLS");
        sctx.init(serverKeys, new TrustManager[] {new ServerTrust(clientCas, accepted)}, null);
        ByIssuer keys = new ByIssuer();
        SSLContext cctx = SSLContext.getInstance("TLS");
        cctx.init(new KeyManager[] {keys}, new TrustManager[] {serverCa}, null);
        SSLEngine s = sctx.createSSLEngine(), c = cctx.createSSLEngine();
        s.setUseClientMode(false);
        s.setNeedClientAuth(true);
        c.setUseClientMode(true);
        for (SSLEngine e : new SSLEngine[] {s, c})
            e.setEnabledProtocols(new String[] {"TLSv1.2"});
        pump(c, s);
        return keys.chosen;
    }

    /**
     * pump runs the two engines to the end of the handshake: each one's
     * wrap() output is the other's unwrap() input, delegated tasks run here.
     * Past 1000 steps without both finished, the handshake is stuck.
     */
    private static void pump(SSLEngine c, SSLEngine s) throws SSLException {
        int pkt = Math.max(c.getSession().getPacketBufferSize(), s.getSession().getPacketBufferSize());
        int app = Math.max(c.getSession().getApplicationBufferSize(), s.getSession().getApplicationBufferSize());
        ByteBuffer c2s = ByteBuffer.allocate(pkt), s2c = ByteBuffer.allocate(pkt);
        ByteBuffer empty = ByteBuffer.allocate(0), sink = ByteBuffer.allocate(app);
        c.beginHandshake();
        s.beginHandshake();
        for (int step = 0; step < 1000; step++) {
            if (done(c) && done(s) && c2s.position() == 0 && s2c.position() == 0)
                return;
            c2s = side(c, empty, s2c, c2s, sink);
            s2c = side(s, empty, c2s, s2c, sink);
        }
        throw new SSLException("handshake did not finish in 1000 steps (client " + c.getHandshakeStatus() + ", server "
                               + s.getHandshakeStatus() + ")");
    }

    private static boolean done(SSLEngine e) {
        SSLEngineResult.HandshakeStatus h = e.getHandshakeStatus();
        return h == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || h == SSLEngineResult.HandshakeStatus.FINISHED;
    }

    /**
     * side lets engine |e| read what the peer wrote into |in| (write mode),
     * then wrap whatever it has to send into |out| (write mode, grown as
     * needed); returns |out|.
     */
    private static ByteBuffer side(SSLEngine e, ByteBuffer empty, ByteBuffer in, ByteBuffer out, ByteBuffer sink)
        throws SSLException {
        in.flip();
        while (in.hasRemaining()) {
            sink.clear();
            SSLEngineResult r = e.unwrap(in, sink);
            tasks(e);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW || r.getStatus() == SSLEngineResult.Status.CLOSED
                || (r.bytesConsumed() == 0 && r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_UNWRAP))
                break;
        }
        in.compact();
        while (e.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            SSLEngineResult r = e.wrap(empty, out);
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                ByteBuffer bigger = ByteBuffer.allocate(out.capacity() * 2);
                out.flip();
                bigger.put(out);
                out = bigger;
                continue;
            }
            tasks(e);
            if (r.getStatus() == SSLEngineResult.Status.CLOSED)
                throw new SSLException("engine closed during the handshake: " + r);
        }
        return out;
    }

    private static void tasks(SSLEngine e) {
        for (Runnable t; (t = e.getDelegatedTask()) != null;)
            t.run();
    }
}
