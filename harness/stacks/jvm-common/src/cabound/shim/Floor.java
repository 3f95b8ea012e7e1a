package cabound.shim;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Floor — what the JVM stacks' floors for ci/bench share (the Java twin of
 * fuzz/bench_floor.c's driver): the command line, the PEM bundles cabound
 * made for the bench cases, the credentials of the same PKI, the warm-up and
 * the clock. A stack supplies one in-process handshake pair (Handshake).
 *
 * usage: bench_floor_STACK LIST_BYTES ITERATIONS PEM_LIST
 * PEM_LIST names one PEM bundle per line (ci/bench gives the bundles of its
 * bench-floor cases, about LIST_BYTES list bytes each, the client's issuer
 * last); they are read into memory, and their subjects taken, before the
 * clock starts, and used in turn. The credentials come from the PKI
 * directory that holds them (server-v1/, the first clients-*), as for
 * bench_floor_rustls: the JDK makes no certificates.
 *
 * The JVM is warmed first: ITERATIONS untimed handshakes (at least 50, at
 * most 30 s of them), so that the timed ones run compiled code, as a shim's
 * do after its first cases. Then ITERATIONS timed handshakes; it prints the
 * mean microseconds per handshake and how many of them ended with the client
 * having sent its certificate ("US OK/ITERATIONS", as bench_floor.c does).
 * A handshake that fails ends the floor with exit 1 and the stack's error.
 */
public final class Floor {
    private Floor() {}

    /** The credentials of the bench cases' PKI (paths). */
    public static final class Pki {
        public final String serverCert, serverKey, serverCa, clientCert, clientKey, clientCas;

        Pki(Path dir) throws IOException {
            Path server = dir.resolve("server-v1");
            Path clients;
            try (Stream<Path> s = Files.list(dir)) {
                clients = s.filter(p -> p.getFileName().toString().startsWith("clients-") && Files.isDirectory(p))
                              .sorted().findFirst()
                              .orElseThrow(() -> new IOException("no clients-* directory in " + dir));
            }
            serverCert = server.resolve("server.pem").toString();
            serverKey = server.resolve("server.key").toString();
            serverCa = server.resolve("server-ca.pem").toString();
            clientCert = clients.resolve("client-0.pem").toString();
            clientKey = clients.resolve("client-0.key").toString();
            clientCas = clients.resolve("client-cas.pem").toString();
        }
    }

    /** One list: the PEM bundle's bytes and its certificates' subjects (DER), in order. */
    public static final class CaList {
        public final byte[] pem;
        public final List<byte[]> dns = new ArrayList<>();

        CaList(Path p) throws IOException, java.security.GeneralSecurityException {
            pem = Files.readAllBytes(p);
            try {
                for (java.security.cert.Certificate c :
                     CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)))
                    dns.add(((X509Certificate) c).getSubjectX500Principal().getEncoded());
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException(p + ": " + e.getMessage(), e);
            }
            if (dns.isEmpty())
                throw new IOException(p + ": no certificate");
        }
    }

    /** Handshake: one whole TLS 1.2 handshake pair of the stack, in this JVM. */
    public interface Handshake {
        /** Runs one handshake with the server's list |l|; true when the client sent its certificate. */
        boolean handshake(CaList l) throws Exception;
    }

    /** Factory: the stack's pair, set up once from the PKI (what a shim keeps across cases). */
    public interface Factory {
        Handshake make(Pki pki) throws Exception;
    }

    private static void die(String name, int code, String msg) {
        System.err.println(name + ": " + msg);
        System.exit(code);
    }

    public static void main(String name, String[] args, Factory factory) {
        if (args.length != 3)
            die(name, 2, "usage: " + name + " LIST_BYTES ITERATIONS PEM_LIST");
        int iters = 0;
        try {
            Integer.parseInt(args[0]); /* the bundles hold the lists; the size is ci/bench's record */
            iters = Integer.parseInt(args[1]);
        } catch (NumberFormatException e) {
            die(name, 2, "LIST_BYTES and ITERATIONS must be numbers");
        }
        if (iters <= 0 || iters > 10000)
            die(name, 2, "ITERATIONS must be 1..10000");
        List<CaList> lists = new ArrayList<>();
        Handshake h = null;
        try {
            for (String line : Files.readAllLines(Paths.get(args[2]), StandardCharsets.UTF_8))
                if (!line.trim().isEmpty())
                    lists.add(new CaList(Paths.get(line.trim())));
            if (lists.isEmpty())
                die(name, 2, args[2] + " names no PEM bundle");
            Path dir = Paths.get(Files.readAllLines(Paths.get(args[2])).stream().filter(l -> !l.trim().isEmpty())
                                     .findFirst().get().trim()).toAbsolutePath().getParent();
            h = factory.make(new Pki(dir));
        } catch (Exception e) {
            die(name, 2, e.toString());
        }
        try {
            long warmUntil = System.nanoTime() + 30_000_000_000L;
            for (int i = 0; i < Math.max(50, iters) && System.nanoTime() < warmUntil; i++)
                h.handshake(lists.get(i % lists.size()));
            int ok = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < iters; i++)
                ok += h.handshake(lists.get(i % lists.size())) ? 1 : 0;
            double us = (System.nanoTime() - t0) / 1e3 / iters;
            System.out.printf("%.1f %d/%d%n", us, ok, iters);
            System.exit(ok > 0 ? 0 : 1);
        } catch (Exception e) {
            e.printStackTrace();
            die(name, 1, "handshake failed: " + e);
        }
    }
}
