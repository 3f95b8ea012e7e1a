package cabound.shim;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * KeyLog — appends NSS key-log lines ("LABEL <client_random hex> <secret
 * hex>") to the case's key log; a no-op when the case has none.
 */
public final class KeyLog {
    private final String path;

    public KeyLog(String path) { this.path = path; }

    public static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b)
            s.append(Character.forDigit((x >> 4) & 15, 16)).append(Character.forDigit(x & 15, 16));
        return s.toString();
    }

    public void secret(String label, byte[] clientRandom, byte[] secret) {
        if (path == null || clientRandom == null || secret == null)
            return;
        String line = label + " " + hex(clientRandom) + " " + hex(secret) + "\n";
        try (FileOutputStream f = new FileOutputStream(path, true)) {
            f.write(line.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            System.err.println("shim: key log " + path + ": " + e.getMessage());
        }
    }
}
