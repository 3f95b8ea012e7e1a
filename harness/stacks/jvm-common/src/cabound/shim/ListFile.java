package cabound.shim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * ListFile — the CA-list file format of harness/lib/listfile.h (the one
 * definition; this reads and writes the same text): header "cabound-list 1",
 * then "dn HEX [label]" lines, "#" comments and blank lines.
 */
public final class ListFile {
    public static final String HEADER = "cabound-list 1";

    private ListFile() {}

    /** A file that breaks the format; the message is "PATH:LINE: why". */
    public static final class FormatError extends Exception {
        private static final long serialVersionUID = 1L;
        FormatError(String path, int line, String why) { super(path + ":" + line + ": " + why); }
    }

    private static boolean labelChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
            || c == ':' || c == '@' || c == '-';
    }

    /** read returns the DNs of |path|, in file order. */
    public static List<byte[]> read(String path) throws IOException, FormatError {
        String text = new String(Files.readAllBytes(Paths.get(path)), StandardCharsets.ISO_8859_1);
        if (text.indexOf('\0') >= 0)
            throw new FormatError(path, 0, "binary data (NUL byte) in a list file");
        List<byte[]> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int n = lines.length;
        if (n > 0 && lines[n - 1].isEmpty())
            n--; /* the newline that ends the last line */
        if (n == 0)
            throw new FormatError(path, 0, "empty file (expected header \"" + HEADER + "\")");
        for (int ln = 0; ln < n; ln++) {
            String l = lines[ln];
            if (l.endsWith("\r"))
                l = l.substring(0, l.length() - 1);
            if (ln == 0) {
                if (!l.equals(HEADER))
                    throw new FormatError(path, 1, "expected header \"" + HEADER + "\"");
                continue;
            }
            String t = l.replaceFirst("^[ \t]+", "");
            if (t.isEmpty() || t.startsWith("#"))
                continue;
            if (t.equals("dn")) {
                out.add(new byte[0]);
                continue;
            }
            if (!t.startsWith("dn ") && !t.startsWith("dn\t"))
                throw new FormatError(path, ln + 1, "unknown line (expected \"dn HEX [label]\", a comment or a blank line)");
            String[] f = t.substring(3).trim().split("[ \t]+");
            if (f.length > 2)
                throw new FormatError(path, ln + 1, "unexpected text after the label");
            String hex = f[0];
            if (hex.length() % 2 != 0)
                throw new FormatError(path, ln + 1, "odd number of hex digits (" + hex.length() + ")");
            if (hex.length() / 2 > 65535)
                throw new FormatError(path, ln + 1, "DN of " + hex.length() / 2 + " bytes exceeds 65535");
            byte[] der = new byte[hex.length() / 2];
            for (int k = 0; k < der.length; k++) {
                int hi = Character.digit(hex.charAt(2 * k), 16), lo = Character.digit(hex.charAt(2 * k + 1), 16);
                if (hi < 0 || lo < 0)
                    throw new FormatError(path, ln + 1, "not a hex digit in DN byte " + k);
                der[k] = (byte) (hi << 4 | lo);
            }
            if (f.length == 2) {
                if (f[1].length() > 127)
                    throw new FormatError(path, ln + 1, "bad label (allowed: A-Z a-z 0-9 . _ : @ -, up to 127)");
                for (char c : f[1].toCharArray())
                    if (!labelChar(c))
                        throw new FormatError(path, ln + 1, "bad label (allowed: A-Z a-z 0-9 . _ : @ -, up to 127)");
            }
            out.add(der);
        }
        return out;
    }

    /** listBytes is the list bytes of |dns|: the sum of 2 + len(DN). */
    public static long listBytes(List<byte[]> dns) {
        long n = 0;
        for (byte[] d : dns)
            n += 2 + d.length;
        return n;
    }

    /** write stores |dns| at |path| atomically (a temporary file, then rename). */
    public static void write(String path, List<byte[]> dns, String comment) throws IOException {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        if (comment != null)
            for (String c : comment.split("\n"))
                b.append("# ").append(c).append('\n');
        char[] hexd = "0123456789abcdef".toCharArray();
        for (byte[] d : dns) {
            b.append("dn");
            if (d.length > 0)
                b.append(' ');
            for (byte x : d)
                b.append(hexd[(x >> 4) & 15]).append(hexd[x & 15]);
            b.append('\n');
        }
        Path p = Paths.get(path);
        Path tmp = Paths.get(path + ".tmp" + ProcessHandle.current().pid());
        Files.write(tmp, b.toString().getBytes(StandardCharsets.ISO_8859_1));
        Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
