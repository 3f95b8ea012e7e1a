package cabound.shim;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Memo — what a shim built from the case's files (trust managers, parsed
 * certificates), kept across the cases of one process: the harness names its
 * PKI and list files by content, consecutive cases reuse them, and parsing a
 * trust store of hundreds of certificates per case showed in a case's cost.
 * An entry is keyed by a tag and each file's identity (path, size,
 * modification time), as common/shim.c's shim_id_add does for the C shims:
 * a file made again under the same name gets a new entry.
 */
public final class Memo {
    /** Build — makes the value when it is not remembered. */
    public interface Build<T> {
        T make() throws Exception;
    }

    private static final int MAX = 64;
    private static final Map<String, Object> MAP = new LinkedHashMap<String, Object>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object> e) { return size() > MAX; }
    };

    private Memo() {}

    private static String key(String tag, String... paths) {
        StringBuilder b = new StringBuilder(tag);
        for (String p : paths) {
            File f = p == null ? null : new File(p);
            b.append('\n').append(p);
            if (f != null)
                b.append('\t').append(f.length()).append(':').append(f.lastModified());
        }
        return b.toString();
    }

    /** get returns the value for (tag, files), building it on a miss. */
    @SuppressWarnings("unchecked")
    public static <T> T get(String tag, Build<T> build, String... paths) throws Exception {
        String k = key(tag, paths);
        synchronized (MAP) {
            Object v = MAP.get(k);
            if (v != null)
                return (T) v;
        }
        T v = build.make();
        synchronized (MAP) {
            MAP.put(k, v);
        }
        return v;
    }
}
