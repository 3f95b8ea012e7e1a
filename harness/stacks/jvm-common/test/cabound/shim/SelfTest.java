package cabound.shim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * SelfTest — the JVM shims' contract code on its own: the strict JSON reader
 * (what it must refuse), the writer's one-line output, and the list-file
 * format round trip. Run by CTest (jvm_common_selftest); prints "N passed, N
 * failed" and exits 1 on a failure.
 */
public final class SelfTest {
    private static int passed, failed;

    private static void check(String what, boolean ok) {
        if (ok)
            passed++;
        else {
            failed++;
            System.err.println("FAIL: " + what);
        }
    }

    private static boolean rejects(String text) {
        try {
            Json.parse(text);
            return false;
        } catch (Json.ParseError e) {
            return true;
        }
    }

    public static void main(String[] args) throws Exception {
        for (String bad : new String[] {"", "{", "{\"a\":1,}", "[1,]", "{\"a\":1,\"a\":2}", "{\"a\":1} x", "\"a\nb\"",
                                         "01", "1.", "-", "\"\\x\"", "\"\\ud800\"", "{a:1}", "tru", "[1 2]"})
            check("rejects " + bad.replace("\n", "\\n"), rejects(bad));
        Map<String, Object> o = Json.parseObject(
            "{\"contract\":2,\"case\":\"s/n/a>b/1.3\",\"n\":-12,\"f\":1.5e2,\"t\":true,\"z\":null,\"l\":[\"\\u00e9\\ud83d\\ude00\",{}]}");
        check("integer", Long.valueOf(2).equals(o.get("contract")) && Long.valueOf(-12).equals(o.get("n")));
        check("number with exponent", Double.valueOf(150.0).equals(o.get("f")));
        check("null is JSON null", o.get("z") == Json.NULL && !o.containsKey("absent"));
        check("escapes and surrogate pair", "\u00e9\ud83d\ude00".equals(((List<?>) o.get("l")).get(0)));
        String w = Json.write(o);
        check("writer: one line", w.indexOf('\n') < 0);
        check("writer: round trip", Json.write(Json.parse(w)).equals(w));
        check("writer escapes a newline", Json.write("a\nb").equals("\"a\\nb\""));

        Path dir = Files.createTempDirectory("jvm-common-test");
        Path f = dir.resolve("l.calist");
        List<byte[]> dns = new ArrayList<>();
        dns.add(new byte[] {0x30, 0x00});
        dns.add(new byte[0]);
        dns.add(new byte[] {0x30, 0x03, 0x31, 0x01, (byte) 0xff});
        ListFile.write(f.toString(), dns, "two\nlines");
        List<byte[]> back = ListFile.read(f.toString());
        boolean same = back.size() == dns.size();
        for (int i = 0; same && i < dns.size(); i++)
            same = Arrays.equals(back.get(i), dns.get(i));
        check("list file round trip (zero-length DN included)", same);
        check("list bytes", ListFile.listBytes(dns) == 2 + 2 + 2 + 0 + 2 + 5);
        Files.write(f, "cabound-list 1\ndn 3\n".getBytes(StandardCharsets.US_ASCII));
        try {
            ListFile.read(f.toString());
            check("odd hex rejected", false);
        } catch (ListFile.FormatError e) {
            check("odd hex rejected with file:line", e.getMessage().startsWith(f + ":2: "));
        }
        Files.write(f, "cabound-list 2\n".getBytes(StandardCharsets.US_ASCII));
        try {
            ListFile.read(f.toString());
            check("bad header rejected", false);
        } catch (ListFile.FormatError e) {
            check("bad header rejected", e.getMessage().contains(":1: expected header"));
        }
        Files.delete(f);
        Files.delete(dir);
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 && passed > 0 ? 0 : 1);
    }
}
