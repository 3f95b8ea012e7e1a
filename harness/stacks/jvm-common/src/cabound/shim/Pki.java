package cabound.shim;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pki — the case's PEM files as JCA objects (the harness writes certificates
 * as PEM and keys as unencrypted PKCS#8, harness/pki), and path validation
 * against given anchors for a stack whose API leaves that to the
 * application (Bouncy Castle's low-level TLS API).
 */
public final class Pki {
    private Pki() {}

    /** certs reads every certificate of a PEM bundle, in file order (remembered: Memo). */
    public static X509Certificate[] certs(String path) throws IOException, GeneralSecurityException {
        try {
            return Memo.get("certs", () -> readCerts(path), path).clone();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static X509Certificate[] readCerts(String path) throws IOException, GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        /* From memory: the JDK's PEM reader (X509Factory.readOneBlock) reads
         * one byte per read() call, a system call each on a FileInputStream:
         * 3 s for 853 certificates, 0.2 s from a byte array. */
        try (InputStream in = new ByteArrayInputStream(Files.readAllBytes(Paths.get(path)))) {
            for (java.security.cert.Certificate c : cf.generateCertificates(in))
                out.add((X509Certificate) c);
        }
        if (out.isEmpty())
            throw new GeneralSecurityException(path + ": no certificate");
        return out.toArray(new X509Certificate[0]);
    }

    /** keyDer returns the DER of the PEM "PRIVATE KEY" (PKCS#8) in |path|. */
    public static byte[] keyDer(String path) throws IOException, GeneralSecurityException {
        String pem = new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----", end = "-----END PRIVATE KEY-----";
        int a = pem.indexOf(begin), b = pem.indexOf(end);
        if (a < 0 || b < a)
            throw new GeneralSecurityException(path + ": no PKCS#8 PRIVATE KEY block");
        return Base64.getMimeDecoder().decode(pem.substring(a + begin.length(), b));
    }

    /** key reads the PKCS#8 key in |path| (EC or RSA). */
    public static PrivateKey key(String path) throws IOException, GeneralSecurityException {
        byte[] der = keyDer(path);
        GeneralSecurityException last = null;
        for (String alg : new String[] {"EC", "RSA", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException(path + ": key is not EC, RSA or Ed25519", last);
    }

    /**
     * verify validates |chain| (leaf first, DER) against the anchors in the
     * PEM bundle |trust| with the JDK's PKIX validator, revocation off (the
     * harness's PKI has no CRLs). Throws with the validator's reason.
     */
    public static void verify(List<byte[]> chain, String trust) throws IOException, GeneralSecurityException {
        if (chain.isEmpty())
            throw new GeneralSecurityException("empty certificate chain");
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> path = new ArrayList<>();
        for (byte[] d : chain)
            path.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(d)));
        Set<TrustAnchor> anchors;
        try {
            anchors = Memo.get("anchors", () -> {
                Set<TrustAnchor> set = new HashSet<>();
                for (X509Certificate a : certs(trust))
                    set.add(new TrustAnchor(a, null));
                return set;
            }, trust);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new GeneralSecurityException(e);
        }
        /* A path ends below its anchor: drop a self-signed anchor sent along. */
        List<X509Certificate> p = new ArrayList<>(path);
        while (p.size() > 1 && p.get(p.size() - 1).getSubjectX500Principal().equals(p.get(p.size() - 1).getIssuerX500Principal()))
            p.remove(p.size() - 1);
        PKIXParameters params = new PKIXParameters(anchors);
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(p), params);
    }

    /** indexOf returns the index of the first of |list| byte-equal to |der|, or -1. */
    public static int indexOf(List<byte[]> list, byte[] der) {
        for (int i = 0; i < list.size(); i++)
            if (Arrays.equals(list.get(i), der))
                return i;
        return -1;
    }
}
