/* shim_misbehave.c — a shim that fails on purpose, for the harness's fault
 * tests. It links no TLS library. What it does is chosen by the case name
 * (the second part of the case id SUITE/NAME/...):
 *   crash    SIGSEGV while handling the request
 *   abort    SIGABRT
 *   hang     never answers
 *   garbage  answers with bytes that are not JSON
 *   close    exits without answering
 *   flood    writes 8 MiB of non-TLS bytes to the connection and 8 MiB to stdout
 *   silent   answers "handshake failed" without touching the connection
 *   torrent  writes to the connection without end (the relay must stop it)
 *   escape   starts a grandchild in a session of its own (setsid, so out of
 *            the shim's process group) that sleeps for an hour, then answers
 */
#include <signal.h>
#include <sys/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

static const char *version(void) { return "misbehave 1"; }
static void anchor(void) {}

static void run(const struct shim_case *c, int fd, struct shim_obs *obs)
{
    const char *name = strchr(c->case_id, '/');
    name = name ? name + 1 : c->case_id;
    if (strncmp(name, "crash", 5) == 0) {
        raise(SIGSEGV);
    } else if (strncmp(name, "abort", 5) == 0) {
        abort();
    } else if (strncmp(name, "hang", 4) == 0) {
        for (;;)
            pause();
    } else if (strncmp(name, "garbage", 7) == 0) {
        static const char junk[] = "\x01\x02 this is not JSON {";
        (void)!write(3, junk, sizeof(junk) - 1);
        /* The loop's own reply follows; the harness must take the first. */
    } else if (strncmp(name, "close", 5) == 0) {
        _exit(3);
    } else if (strncmp(name, "torrent", 7) == 0) {
        static char buf[1 << 16];
        memset(buf, 'A', sizeof(buf));
        while (write(fd, buf, sizeof(buf)) > 0)
            ;
    } else if (strncmp(name, "escape", 6) == 0) {
        pid_t p = fork();
        if (p == 0) {
            setsid();
            if (fork() == 0) {
                char *argv[] = {"sleep", "3600", NULL};
                execvp("sleep", argv);
            }
            _exit(0);
        }
    } else if (strncmp(name, "flood", 5) == 0) {
        char *buf = malloc(1 << 20);
        if (buf) {
            memset(buf, 'A', 1 << 20);
            for (int i = 0; i < 8; i++) {
                if (write(fd, buf, 1 << 20) < 0)
                    break;
                fwrite(buf, 1, 1 << 20, stdout);
            }
            free(buf);
        }
    }
    obs->handshake_ok = false;
    shim_set_error(obs, -1, "misbehave: no TLS here");
}

static const char *const tls[] = {"1.2", "1.3", NULL};
static const char *const sources[] = {"explicit", "trust-store", "raw", "none", NULL};
static const char *const selects[] = {"native", "by-issuer", NULL};

int main(int argc, char **argv)
{
    /* Designated, so a field added to struct shim_stack starts out zero here. */
    static const struct shim_stack s = {.name = "misbehave", .version = version, .library_symbol = anchor,
                                        .tls = tls, .sources = sources, .selects = selects, .run = run};
    return shim_main(argc, argv, &s);
}
