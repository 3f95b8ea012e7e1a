package cabound.bctls.floor;

import cabound.shim.Floor;
import cabound.shim.Pki;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsProtocol;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * BctlsFloor — bench_floor_bctls, the floor ci/bench holds cabound's Bouncy
 * Castle cases against (as fuzz/bench_floor.c is for the C stacks): BC's own
 * handshake cost with both sides in one JVM over memory, through the same
 * low-level API as the shim (../../src/cabound/bctls/BctlsShim.java):
 * TlsServerProtocol and TlsClientProtocol in non-blocking mode (the no-argument
 * constructors), each one's readOutput() offered to the other's offerInput(),
 * no harness, relay, sockets or second process. Each iteration is a whole
 * TLS 1.2 handshake with a client certificate, configured as the shim
 * configures a case in the mode cabound's `auto` picks for bctls (explicit,
 * by-issuer):
 *  - the server's getCertificateRequest() carries the list as X500Names, made
 *    from that iteration's DNs inside the timed loop (the shim makes them
 *    from each case's list), and the client's chain is verified against
 *    client-cas.pem in notifyClientCertificate (the low-level API leaves it to
 *    the application; the shim and this floor use the JDK's PKIX validator,
 *    cabound.shim.Pki.verify);
 *  - the client reads CertificateRequest.getCertificateAuthorities(), encodes
 *    each name (as the shim reports them) and answers with its credential when
 *    its issuer is among them; it verifies the server's chain against
 *    server-ca.pem;
 *  - a new BcTlsCrypto and protocol pair per iteration, as per case in the
 *    shim; the credentials' certificates and keys are read once.
 * The JVM runs with the shim's flags (cabound_add_jvm_floor) and is warmed
 * (Floor.main) before the clock starts.
 *
 * usage: bench_floor_bctls LIST_BYTES ITERATIONS PEM_LIST (cabound.shim.Floor)
 */
public final class BctlsFloor implements Floor.Handshake {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
        SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);
    /* The shim's suites (every certificate of the harness's PKI is P-256). */
    private static final int[] SUITES = {
        CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    };

    /** A certificate chain (DER) and its key, read once. */
    private static final class Credential {
        final List<byte[]> chain = new ArrayList<>();
        final AsymmetricKeyParameter key;

        Credential(String cert, String key) throws IOException, GeneralSecurityException {
            for (X509Certificate x : Pki.certs(cert))
                chain.add(x.getEncoded());
            this.key = PrivateKeyFactory.createKey(Pki.keyDer(key));
        }

        TlsCredentials signer(TlsContext ctx, BcTlsCrypto crypto) throws IOException {
            TlsCertificate[] certs = new TlsCertificate[chain.size()];
            for (int i = 0; i < certs.length; i++)
                certs[i] = crypto.createCertificate(chain.get(i));
            return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(ctx), crypto, key, new Certificate(certs),
                                                      ECDSA_SHA256);
        }
    }

    private final Credential server, client;
    private final String clientCas, serverCa;
    private final byte[] clientIssuer;

    private BctlsFloor(Floor.Pki pki) throws IOException, GeneralSecurityException {
        server = new Credential(pki.serverCert, pki.serverKey);
        client = new Credential(pki.clientCert, pki.clientKey);
        clientCas = pki.clientCas;
        serverCa = pki.serverCa;
        clientIssuer = Pki.certs(pki.clientCert)[0].getIssuerX500Principal().getEncoded();
    }

    public static void main(String[] args) {
        Floor.main("bench_floor_bctls", args, BctlsFloor::new);
    }

    private static List<byte[]> ders(Certificate c) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < c.getLength(); i++)
            out.add(c.getCertificateAt(i).getEncoded());
        return out;
    }

    private static void verify(Certificate c, String trust) throws IOException {
        try {
            Pki.verify(ders(c), trust);
        } catch (GeneralSecurityException e) {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, e);
        }
    }

    @Override
    public boolean handshake(Floor.CaList l) throws Exception {
        final Vector<X500Name> authorities = new Vector<>();
        for (byte[] dn : l.dns)
            authorities.add(X500Name.getInstance(dn));
        final BcTlsCrypto scrypto = new BcTlsCrypto(RANDOM), ccrypto = new BcTlsCrypto(RANDOM);
        final boolean[] sent = {false};
        DefaultTlsServer s = new DefaultTlsServer(scrypto) {
            @Override
            protected ProtocolVersion[] getSupportedVersions() { return ProtocolVersion.TLSv12.only(); }

            @Override
            protected int[] getSupportedCipherSuites() { return TlsUtils.getSupportedCipherSuites(scrypto, SUITES); }

            @Override
            public TlsCredentials getCredentials() throws IOException { return server.signer(context, scrypto); }

            @Override
            public CertificateRequest getCertificateRequest() {
                short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
                return new CertificateRequest(types, TlsUtils.getDefaultSupportedSignatureAlgorithms(context), authorities);
            }

            @Override
            public void notifyClientCertificate(Certificate cc) throws IOException {
                if (cc == null || cc.isEmpty())
                    throw new TlsFatalAlert(AlertDescription.handshake_failure);
                verify(cc, clientCas);
            }
        };
        DefaultTlsClient c = new DefaultTlsClient(ccrypto) {
            @Override
            protected ProtocolVersion[] getSupportedVersions() { return ProtocolVersion.TLSv12.only(); }

            @Override
            protected int[] getSupportedCipherSuites() { return TlsUtils.getSupportedCipherSuites(ccrypto, SUITES); }

            @Override
            public TlsAuthentication getAuthentication() {
                return new TlsAuthentication() {
                    @Override
                    public void notifyServerCertificate(TlsServerCertificate sc) throws IOException {
                        verify(sc.getCertificate(), serverCa);
                    }

                    @Override
                    public TlsCredentials getClientCredentials(CertificateRequest cr) throws IOException {
                        Vector<?> cas = cr.getCertificateAuthorities();
                        for (int i = 0; cas != null && i < cas.size(); i++)
                            if (Arrays.equals(((X500Name) cas.get(i)).getEncoded(ASN1Encoding.DER), clientIssuer)) {
                                sent[0] = true;
                                return client.signer(context, ccrypto);
                            }
                        return null;
                    }
                };
            }
        };
        TlsClientProtocol cp = new TlsClientProtocol();
        TlsServerProtocol sp = new TlsServerProtocol();
        sp.accept(s);
        cp.connect(c);
        for (int step = 0; cp.isHandshaking() || sp.isHandshaking(); step++) {
            if (step == 1000)
                throw new IOException("handshake did not finish in 1000 steps");
            move(cp, sp);
            move(sp, cp);
        }
        return sent[0];
    }

    /** move offers everything |from| has to send to |to|. */
    private static void move(TlsProtocol from, TlsProtocol to) throws IOException {
        int n = from.getAvailableOutputBytes();
        if (n == 0)
            return;
        byte[] buf = new byte[n];
        from.readOutput(buf, 0, n);
        to.offerInput(buf);
    }
}
