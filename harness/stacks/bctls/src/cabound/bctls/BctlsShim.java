package cabound.bctls;

import cabound.shim.Case;
import cabound.shim.KeyLog;
import cabound.shim.Observation;
import cabound.shim.Pki;
import cabound.shim.Shim;
import cabound.shim.Stack;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.TlsSecret;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * BctlsShim — cabound-shim-bctls: Bouncy Castle's own TLS through its
 * low-level API (org.bouncycastle.tls: TlsServerProtocol / TlsClientProtocol
 * with DefaultTlsServer / DefaultTlsClient and the BC light-weight crypto),
 * not the BCJSSE provider: that API takes the list as X500Names in a
 * CertificateRequest and hands the client the CertificateRequest itself, and
 * exposes the secrets for a key log; BCJSSE would put JSSE's trust-manager
 * layer between (see NOTES.md).
 *
 * Server, setting the list: getCertificateRequest() returns a
 * CertificateRequest whose certificate_authorities are the calist's DNs as
 * X500Name (explicit), or none (none). Client, reading the list:
 * TlsAuthentication.getClientCredentials(CertificateRequest), whose
 * getCertificateAuthorities() we report as DER (X500Name.getEncoded(DER)).
 * The low-level API never picks a certificate itself: native returns the
 * first credential whatever the list (as BC's own MockTlsClient does),
 * by-issuer picks by issuer.
 */
public final class BctlsShim implements Stack {
    private static final SecureRandom RANDOM = new SecureRandom();
    /* ecdsa_secp256r1_sha256: the harness's PKI keys are P-256 (harness/pki). */
    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
        SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    public static void main(String[] args) { Shim.main(args, new BctlsShim()); }

    @Override
    public String name() { return "bctls"; }

    @Override
    public String version() {
        String v = TlsClientProtocol.class.getPackage().getImplementationVersion();
        return "Bouncy Castle TLS " + (v == null ? "?" : v) + " (java " + System.getProperty("java.runtime.version") + ")";
    }

    @Override
    public String library() {
        try {
            return Paths.get(TlsClientProtocol.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toRealPath().toString();
        } catch (Exception e) {
            return "unknown";
        }
    }

    @Override
    public List<String> tls() { return Arrays.asList("1.2", "1.3"); }

    @Override
    public List<String> sources() { return Arrays.asList("explicit", "none"); }

    @Override
    public List<String> selects() { return Arrays.asList("native", "by-issuer"); }

    private static ProtocolVersion[] versions(Case c) {
        return c.tls13() ? ProtocolVersion.TLSv13.only() : ProtocolVersion.TLSv12.only();
    }

    /** The ECDSA suites of each version: every certificate of the harness's PKI is P-256. */
    private static final int[] SUITES = {
        CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    };

    /** Credential — a certificate chain and its key as the BC API takes them. */
    private static final class Credential {
        final List<byte[]> chain = new ArrayList<>();
        final AsymmetricKeyParameter key;

        Credential(String cert, String key) throws IOException, GeneralSecurityException {
            for (X509Certificate x : Pki.certs(cert))
                chain.add(x.getEncoded());
            this.key = PrivateKeyFactory.createKey(Pki.keyDer(key));
        }

        /** signer builds the credential for this connection (TLS 1.3 entries carry a context). */
        TlsCredentials signer(TlsContext ctx, BcTlsCrypto crypto, byte[] requestContext) throws IOException {
            TlsCertificate[] certs = new TlsCertificate[chain.size()];
            for (int i = 0; i < certs.length; i++)
                certs[i] = crypto.createCertificate(chain.get(i));
            Certificate cert;
            if (TlsUtils.isTLSv13(ctx)) {
                CertificateEntry[] entries = new CertificateEntry[certs.length];
                for (int i = 0; i < certs.length; i++)
                    entries[i] = new CertificateEntry(certs[i], null);
                cert = new Certificate(requestContext, entries);
            } else {
                cert = new Certificate(certs);
            }
            return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(ctx), crypto, key, cert, ECDSA_SHA256);
        }
    }

    private static List<byte[]> ders(Certificate c) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < c.getLength(); i++)
            out.add(c.getCertificateAt(i).getEncoded());
        return out;
    }

    /**
     * Keys writes the NSS key-log lines from BC's SecurityParameters. A
     * TlsSecret's extract() destroys it, so we extract a copy made with
     * TlsCrypto.adoptSecret (AbstractTlsCrypto.adoptSecret: copyData()).
     */
    private static final class Keys {
        final KeyLog log;
        final BcTlsCrypto crypto;
        final Observation obs;

        Keys(KeyLog log, BcTlsCrypto crypto, Observation obs) {
            this.log = log;
            this.crypto = crypto;
            this.obs = obs;
        }

        private void put(String label, byte[] random, TlsSecret s) {
            if (s == null)
                return;
            try {
                log.secret(label, random, crypto.adoptSecret(s).extract());
            } catch (RuntimeException e) {
                System.err.println("bctls: key log " + label + ": " + e);
            }
        }

        /** handshake logs TLS 1.3's handshake traffic secrets (call once they exist). */
        void handshake(TlsContext ctx) {
            SecurityParameters sp = ctx.getSecurityParametersHandshake();
            if (sp == null || !TlsUtils.isTLSv13(sp.getNegotiatedVersion()))
                return;
            put("CLIENT_HANDSHAKE_TRAFFIC_SECRET", sp.getClientRandom(), sp.getTrafficSecretClient());
            put("SERVER_HANDSHAKE_TRAFFIC_SECRET", sp.getClientRandom(), sp.getTrafficSecretServer());
        }

        /** done logs the application secrets (1.3) or the master secret (1.2). */
        void done(TlsContext ctx) {
            SecurityParameters sp = ctx.getSecurityParametersConnection();
            if (sp == null)
                return;
            if (TlsUtils.isTLSv13(sp.getNegotiatedVersion())) {
                put("CLIENT_TRAFFIC_SECRET_0", sp.getClientRandom(), sp.getTrafficSecretClient());
                put("SERVER_TRAFFIC_SECRET_0", sp.getClientRandom(), sp.getTrafficSecretServer());
            } else {
                put("CLIENT_RANDOM", sp.getClientRandom(), sp.getMasterSecret());
            }
        }
    }

    private static void alertRaised(Observation obs, short description) {
        if (obs.alertSent < 0)
            obs.alertSent = description;
    }

    private static void alertReceived(Observation obs, short description) {
        if (obs.alertReceived < 0)
            obs.alertReceived = description;
    }

    private static void failed(Observation obs, IOException e) {
        long code = -1;
        if (e instanceof TlsFatalAlertReceived)
            code = ((TlsFatalAlertReceived) e).getAlertDescription();
        else if (e instanceof TlsFatalAlert)
            code = ((TlsFatalAlert) e).getAlertDescription();
        StringBuilder b = new StringBuilder(e.toString());
        for (Throwable t = e.getCause(); t != null && b.length() < 400; t = t.getCause())
            b.append(" <- ").append(t);
        obs.setError(code, b.toString());
        if (Boolean.getBoolean("cabound.trace"))
            e.printStackTrace();
    }

    private static void server(Case c, Socket sock, Observation obs, KeyLog log) throws IOException, GeneralSecurityException {
        Vector<X500Name> names = null;
        if (c.source == Case.Source.EXPLICIT) {
            names = new Vector<>();
            for (int i = 0; i < c.calist.size(); i++) {
                try {
                    names.add(X500Name.getInstance(c.calist.get(i)));
                } catch (RuntimeException e) {
                    obs.unsupported("bctls takes the list as X500Names, and DN " + i + " is not one (" + e.getMessage() + ")");
                    return;
                }
            }
        }
        final Vector<X500Name> authorities = names;
        final Credential cred = new Credential(c.cert, c.key);
        final BcTlsCrypto crypto = new BcTlsCrypto(RANDOM);
        final Keys keys = new Keys(log, crypto, obs);
        DefaultTlsServer server = new DefaultTlsServer(crypto) {
            @Override
            protected ProtocolVersion[] getSupportedVersions() { return versions(c); }

            @Override
            protected int[] getSupportedCipherSuites() { return TlsUtils.getSupportedCipherSuites(crypto, SUITES); }

            @Override
            public TlsCredentials getCredentials() throws IOException { return cred.signer(context, crypto, TlsUtils.EMPTY_BYTES); }

            /* As BC's own MockTlsServer.getCertificateRequest (tls/src/test). */
            @Override
            public CertificateRequest getCertificateRequest() throws IOException {
                keys.handshake(context); /* TLS 1.3: called after establish13PhaseHandshake */
                Vector<?> sigAlgs = TlsUtils.isSignatureAlgorithmsExtensionAllowed(context.getServerVersion())
                                        ? TlsUtils.getDefaultSupportedSignatureAlgorithms(context) : null;
                if (TlsUtils.isTLSv13(context))
                    return new CertificateRequest(TlsUtils.EMPTY_BYTES, sigAlgs, null, authorities);
                short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
                return new CertificateRequest(types, sigAlgs, authorities);
            }

            @Override
            public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
                if (clientCertificate == null || clientCertificate.isEmpty()) {
                    /* The low-level API leaves the policy to the server: a
                     * required certificate missing is RFC 8446 4.4.2.4's
                     * certificate_required (1.3), RFC 5246 7.4.6's
                     * handshake_failure (1.2). */
                    if (c.requireCert)
                        throw new TlsFatalAlert(TlsUtils.isTLSv13(context) ? AlertDescription.certificate_required
                                                                           : AlertDescription.handshake_failure);
                    return;
                }
                List<byte[]> chain = ders(clientCertificate);
                obs.peerCert = chain.get(0);
                try {
                    Pki.verify(chain, c.trust);
                } catch (GeneralSecurityException e) {
                    throw new TlsFatalAlert(AlertDescription.bad_certificate, e);
                }
            }

            @Override
            public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
                alertRaised(obs, description);
            }

            @Override
            public void notifyAlertReceived(short level, short description) { alertReceived(obs, description); }

            @Override
            public void notifyHandshakeComplete() throws IOException {
                super.notifyHandshakeComplete();
                keys.done(context);
            }
        };
        TlsServerProtocol p = new TlsServerProtocol(sock.getInputStream(), sock.getOutputStream());
        try {
            p.accept(server);
            p.getOutputStream().write('x');
            p.getOutputStream().flush();
            obs.handshakeOk = true;
        } catch (IOException e) {
            failed(obs, e);
        } finally {
            try {
                p.close();
            } catch (IOException e) {
                /* the peer is gone */
            }
        }
    }

    private static void client(Case c, Socket sock, Observation obs, KeyLog log) throws IOException, GeneralSecurityException {
        final List<Credential> creds = new ArrayList<>();
        final List<byte[]> issuers = new ArrayList<>();
        for (Case.Cred cc : c.clientCreds) {
            creds.add(new Credential(cc.cert, cc.key));
            issuers.add(Pki.certs(cc.cert)[0].getIssuerX500Principal().getEncoded());
        }
        final BcTlsCrypto crypto = new BcTlsCrypto(RANDOM);
        final Keys keys = new Keys(log, crypto, obs);
        DefaultTlsClient client = new DefaultTlsClient(crypto) {
            @Override
            protected ProtocolVersion[] getSupportedVersions() { return versions(c); }

            @Override
            protected int[] getSupportedCipherSuites() { return TlsUtils.getSupportedCipherSuites(crypto, SUITES); }

            @Override
            @SuppressWarnings("rawtypes") /* BC's signature */
            public void processServerExtensions(Hashtable serverExtensions) throws IOException {
                super.processServerExtensions(serverExtensions);
                keys.handshake(context); /* TLS 1.3: from receive13EncryptedExtensions, keys established */
            }

            @Override
            public TlsAuthentication getAuthentication() {
                return new TlsAuthentication() {
                    @Override
                    public void notifyServerCertificate(TlsServerCertificate sc) throws IOException {
                        try {
                            Pki.verify(ders(sc.getCertificate()), c.trust);
                        } catch (GeneralSecurityException e) {
                            throw new TlsFatalAlert(AlertDescription.bad_certificate, e);
                        }
                    }

                    @Override
                    public TlsCredentials getClientCredentials(CertificateRequest cr) throws IOException {
                        obs.receivedExposed = true;
                        Vector<?> cas = cr.getCertificateAuthorities(); /* null when none were sent */
                        if (cas != null)
                            for (Object n : cas)
                                obs.received.add(((X500Name) n).getEncoded(ASN1Encoding.DER));
                        int pick = -1;
                        if (c.select == Case.Select.NATIVE) {
                            pick = creds.isEmpty() ? -1 : 0;
                        } else {
                            for (int i = 0; i < issuers.size() && pick < 0; i++)
                                if (Pki.indexOf(obs.received, issuers.get(i)) >= 0)
                                    pick = i;
                        }
                        obs.sentCert = pick;
                        return pick < 0 ? null : creds.get(pick).signer(context, crypto, cr.getCertificateRequestContext());
                    }
                };
            }

            @Override
            public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
                alertRaised(obs, description);
            }

            @Override
            public void notifyAlertReceived(short level, short description) { alertReceived(obs, description); }

            @Override
            public void notifyHandshakeComplete() throws IOException {
                super.notifyHandshakeComplete();
                keys.done(context);
            }
        };
        TlsClientProtocol p = new TlsClientProtocol(sock.getInputStream(), sock.getOutputStream());
        try {
            p.connect(client);
            /* The server's one byte: a TLS 1.3 client learns of a rejection
             * of its certificate only here. */
            int b = p.getInputStream().read();
            obs.handshakeOk = b == 'x';
            if (!obs.handshakeOk)
                obs.setError(-1, b < 0 ? "the connection closed before the server's byte" : "unexpected byte " + b);
        } catch (IOException e) {
            failed(obs, e);
        } finally {
            try {
                p.close();
            } catch (IOException e) {
                /* the peer is gone */
            }
        }
    }

    @Override
    public void run(Case c, Socket sock, Observation obs, KeyLog log) {
        obs.alertsExposed = true; /* TlsPeer.notifyAlertRaised / notifyAlertReceived */
        try {
            if (c.role == Case.Role.SERVER)
                server(c, sock, obs, log);
            else
                client(c, sock, obs, log);
        } catch (IOException | GeneralSecurityException e) {
            obs.setError(e);
        }
    }
}
