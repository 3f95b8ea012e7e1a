package cabound.shim;

import java.net.Socket;
import java.util.List;

/**
 * Stack — what a JVM shim supplies to the common part (the Java twin of
 * common/shim.h's struct shim_stack).
 */
public interface Stack {
    /** name is the stack id ("jsse", "bctls"). */
    String name();

    /** version is the library's own version string, from its API at run time. */
    String version();

    /** library is where the library was loaded from (a jar path, or java.home). */
    String library();

    List<String> tls();

    List<String> sources();

    List<String> selects();

    /**
     * run performs one case over the connected socket |sock| (it must not
     * close it: the common part lingers and closes) and fills |obs|. An
     * unsupported case calls obs.unsupported(why).
     */
    void run(Case c, Socket sock, Observation obs, KeyLog keylog);
}
