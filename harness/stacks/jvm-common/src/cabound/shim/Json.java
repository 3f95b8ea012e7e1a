package cabound.shim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Json — a minimal strict JSON reader and writer for the shim contract's
 * request and observation (the JDK has no JSON parser). Values map to
 * LinkedHashMap (objects, key order kept), ArrayList, String, Long (integers),
 * Double (other numbers), Boolean and {@link #NULL}. Strict: one value and
 * only whitespace around it, no duplicate keys, no trailing commas, no
 * control characters in strings, surrogate pairs checked.
 */
public final class Json {
    /** The JSON null (Java null is reserved for "absent"). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() { return "null"; }
    };

    /** A text that is not JSON; the message says where and why. */
    public static final class ParseError extends Exception {
        private static final long serialVersionUID = 1L;
        ParseError(String msg, int at) { super(msg + " at offset " + at); }
    }

    private final String s;
    private int i;

    private Json(String s) { this.s = s; }

    /** parse reads exactly one JSON value from |text|. */
    public static Object parse(String text) throws ParseError {
        Json p = new Json(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.i != p.s.length())
            throw new ParseError("trailing characters", p.i);
        return v;
    }

    /** parseObject is parse for a text that must hold one object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) throws ParseError {
        Object v = parse(text);
        if (!(v instanceof Map))
            throw new ParseError("not a JSON object", 0);
        return (Map<String, Object>) v;
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            i++;
        }
    }

    private Object value(int depth) throws ParseError {
        if (depth > 64)
            throw new ParseError("nested too deeply", i);
        if (i >= s.length())
            throw new ParseError("unexpected end", i);
        char c = s.charAt(i);
        switch (c) {
        case '{': return object(depth);
        case '[': return array(depth);
        case '"': return string();
        case 't': return word("true", Boolean.TRUE);
        case 'f': return word("false", Boolean.FALSE);
        case 'n': return word("null", NULL);
        default:
            if (c == '-' || (c >= '0' && c <= '9'))
                return number();
            throw new ParseError("unexpected character '" + c + "'", i);
        }
    }

    private Object word(String w, Object v) throws ParseError {
        if (!s.startsWith(w, i))
            throw new ParseError("bad literal", i);
        i += w.length();
        return v;
    }

    private Map<String, Object> object(int depth) throws ParseError {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return m;
        }
        for (;;) {
            ws();
            if (i >= s.length() || s.charAt(i) != '"')
                throw new ParseError("expected a key", i);
            int at = i;
            String k = string();
            ws();
            expect(':');
            ws();
            Object v = value(depth + 1);
            if (m.containsKey(k))
                throw new ParseError("duplicate key \"" + k + "\"", at);
            m.put(k, v);
            ws();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                continue;
            }
            expect('}');
            return m;
        }
    }

    private List<Object> array(int depth) throws ParseError {
        List<Object> a = new ArrayList<>();
        i++;
        ws();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            return a;
        }
        for (;;) {
            ws();
            a.add(value(depth + 1));
            ws();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                continue;
            }
            expect(']');
            return a;
        }
    }

    private void expect(char c) throws ParseError {
        if (i >= s.length() || s.charAt(i) != c)
            throw new ParseError("expected '" + c + "'", i);
        i++;
    }

    private String string() throws ParseError {
        StringBuilder b = new StringBuilder();
        i++;
        for (;;) {
            if (i >= s.length())
                throw new ParseError("unterminated string", i);
            char c = s.charAt(i++);
            if (c == '"')
                return b.toString();
            if (c < 0x20)
                throw new ParseError("control character in a string", i - 1);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length())
                throw new ParseError("unterminated escape", i);
            char e = s.charAt(i++);
            switch (e) {
            case '"': b.append('"'); break;
            case '\\': b.append('\\'); break;
            case '/': b.append('/'); break;
            case 'b': b.append('\b'); break;
            case 'f': b.append('\f'); break;
            case 'n': b.append('\n'); break;
            case 'r': b.append('\r'); break;
            case 't': b.append('\t'); break;
            case 'u': {
                char u = hex4();
                if (Character.isHighSurrogate(u)) {
                    if (!s.startsWith("\\u", i))
                        throw new ParseError("lone high surrogate", i);
                    i += 2;
                    char lo = hex4();
                    if (!Character.isLowSurrogate(lo))
                        throw new ParseError("bad surrogate pair", i);
                    b.append(u).append(lo);
                } else if (Character.isLowSurrogate(u)) {
                    throw new ParseError("lone low surrogate", i);
                } else {
                    b.append(u);
                }
                break;
            }
            default:
                throw new ParseError("bad escape \\" + e, i - 1);
            }
        }
    }

    private char hex4() throws ParseError {
        if (i + 4 > s.length())
            throw new ParseError("short \\u escape", i);
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(s.charAt(i + k), 16);
            if (d < 0)
                throw new ParseError("bad \\u escape", i);
            v = v * 16 + d;
        }
        i += 4;
        return (char) v;
    }

    private Object number() throws ParseError {
        int start = i;
        if (s.charAt(i) == '-')
            i++;
        if (i >= s.length())
            throw new ParseError("bad number", start);
        if (s.charAt(i) == '0') {
            i++;
        } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
            while (i < s.length() && Character.isDigit(s.charAt(i)))
                i++;
        } else {
            throw new ParseError("bad number", start);
        }
        boolean integer = true;
        if (i < s.length() && s.charAt(i) == '.') {
            integer = false;
            i++;
            int d = i;
            while (i < s.length() && Character.isDigit(s.charAt(i)))
                i++;
            if (i == d)
                throw new ParseError("bad fraction", start);
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            integer = false;
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-'))
                i++;
            int d = i;
            while (i < s.length() && Character.isDigit(s.charAt(i)))
                i++;
            if (i == d)
                throw new ParseError("bad exponent", start);
        }
        String t = s.substring(start, i);
        if (integer) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new ParseError("integer out of range", start);
            }
        }
        return Double.parseDouble(t);
    }

    /** write serialises |v| compactly, with no raw newline (one line). */
    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v == null || v == NULL) {
            b.append("null");
        } else if (v instanceof String) {
            quote(b, (String) v);
        } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
            b.append(v);
        } else if (v instanceof Double) {
            b.append(v);
        } else if (v instanceof Map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first)
                    b.append(',');
                first = false;
                quote(b, (String) e.getKey());
                b.append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (v instanceof List) {
            b.append('[');
            boolean first = true;
            for (Object o : (List<?>) v) {
                if (!first)
                    b.append(',');
                first = false;
                write(b, o);
            }
            b.append(']');
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
            case '"': b.append("\\\""); break;
            case '\\': b.append("\\\\"); break;
            case '\n': b.append("\\n"); break;
            case '\r': b.append("\\r"); break;
            case '\t': b.append("\\t"); break;
            default:
                if (c < 0x20 || c == 0x2028 || c == 0x2029)
                    b.append(String.format("\\u%04x", (int) c));
                else
                    b.append(c);
            }
        }
        b.append('"');
    }
}
