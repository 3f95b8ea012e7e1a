/* server_app.c — cabound-shim-<app> for a real TLS server as it is deployed
 * (lighttpd over five TLS libraries, nginx, Apache mod_ssl, HAProxy). Per
 * request it writes the program's own configuration into a scratch
 * directory (the case's list in the directive that SENDS it), starts the
 * program on a loopback port, waits until it listens, bridges the harness's
 * end of the TLS connection to it byte for byte (half-closes passed on),
 * stops it, and reads the program's own logs for the result. APP_NAME (set
 * by CMake) picks the entry of apps[] in server_configs.c. See NOTES.md. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "server_configs.h"
#include "shim.h"

#ifndef APP_NAME
#error "APP_NAME must name the application (CMake sets it)"
#endif

static const struct server_app *app;
static char g_version[256];
static char g_library[4096];

static const char *a_version(void)
{
    if (!g_version[0]) {
        char out[4096];
        char *argv[4] = {(char *)app->program, (char *)app->version_flag, NULL, NULL};
        if (app_run(argv, NULL, out, sizeof(out), 10000) >= 0 &&
            server_app_version(app, out, g_version, sizeof(g_version)) == 0)
            ;
        else
            snprintf(g_version, sizeof(g_version), "unknown (%s %s failed)", app->program, app->version_flag);
    }
    return g_version;
}

/* a_library is what the running program mapped (set per case), else what
 * the dynamic linker resolves for the ELF that links the TLS library. */
static const char *a_library(void)
{
    if (!g_library[0] && app_ldd_library(app->tls_elf, app->lib_prefixes, g_library, sizeof(g_library)) != 0)
        snprintf(g_library, sizeof(g_library), "unknown (no %s in ldd %s)", app->lib_prefixes[0], app->tls_elf);
    return g_library;
}

static void lib_symbol(void) {}

static int a_init(void)
{
    if (access(app->program, X_OK) != 0) {
        fprintf(stderr, "%s: %s is not installed (Debian package %s)\n", APP_NAME, app->program, app->package);
        return -1;
    }
    return 0;
}

/* log_size is where the program's error log stood when it started to
 * listen: what it wrote before (start-up, the readiness probe) is not this
 * case's. */
static long log_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

static void read_from(const char *path, long from, char *out, size_t outlen)
{
    out[0] = 0;
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    fseek(f, from, SEEK_SET);
    size_t n = fread(out, 1, outlen - 1, f);
    out[n] = 0;
    fclose(f);
}

static void a_run(const struct shim_case *c, int fd, struct shim_obs *obs)
{
    obs->alerts_exposed = false; /* a program's logs name no alert numbers */
    char dir[4096];
    if (app_scratch(dir, sizeof(dir)) != 0) {
        fprintf(stderr, "%s: scratch directory: %s\n", APP_NAME, strerror(errno));
        exit(3);
    }
    struct server_conf sc = {.c = c, .dir = dir, .port = app_free_port()};
    char why[512] = "";
    char *argv[16];
    if (sc.port < 0 || server_app_configure(app, &sc, argv, why, sizeof(why)) != 0) {
        if (sc.unsupported) {
            shim_unsupported(obs, "%s", why);
            app_scratch_remove(dir);
            return;
        }
        fprintf(stderr, "%s: configuring: %s\n", APP_NAME, sc.port < 0 ? "no free port" : why);
        app_scratch_remove(dir);
        exit(3);
    }
    char proclog[4200];
    snprintf(proclog, sizeof(proclog), "%s/stdout.log", dir);
    struct app_proc p;
    if (app_start(&p, argv, NULL, dir, proclog) != 0) {
        app_scratch_remove(dir);
        exit(3);
    }
    /* The harness waits timeout_ms + 2 s for the reply: start-up, the
     * exchange and the stop share that budget. */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* nginx takes seconds to load a 65535-byte ssl_client_certificate
     * under load: half the case's time. */
    int start_ms = c->timeout_ms / 2;
    if (app_wait_listening(&p, sc.port, start_ms) != 0) {
        char tail[2048], etail[2048];
        app_read_tail(proclog, tail, sizeof(tail));
        app_read_tail(sc.error_log, etail, sizeof(etail));
        if (!app_alive(&p)) {
            /* The program refused this configuration and exited: that is
             * how the deployment behaves with this list (lighttpd's
             * mod_gnutls, for one, cannot load a long ssl.ca-dn-file), an
             * observation, not a shim fault. The client sees the connection
             * closed without a ServerHello. */
            int st = p.status;
            app_stop(&p, 1000);
            char line[600];
            server_app_start_error(etail[0] ? etail : tail, line, sizeof(line));
            char text[800];
            snprintf(text, sizeof(text), "%s exited at start-up (status %d): %s", app->program, st, line);
            shim_set_error(obs, 0, text);
            app_scratch_remove(dir);
            return;
        }
        fprintf(stderr, "%s: %s did not listen on 127.0.0.1:%d:\n%s\n%s\n", APP_NAME, app->program, sc.port, tail,
                etail);
        app_stop(&p, 1000);
        app_scratch_remove(dir);
        exit(3);
    }
    if (p.pid > 0 && app_maps_library(p.pid, app->lib_prefixes, g_library, sizeof(g_library)) != 0)
        snprintf(g_library, sizeof(g_library), "unknown (no %s mapped by %s)", app->lib_prefixes[0], app->program);
    long elog_from = log_size(sc.error_log), plog_from = log_size(proclog);
    int conn = app_connect(sc.port);
    if (conn < 0) {
        fprintf(stderr, "%s: connecting to 127.0.0.1:%d: %s\n", APP_NAME, sc.port, strerror(errno));
        app_stop(&p, 1000);
        app_scratch_remove(dir);
        exit(3);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int spent = (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
    int left = c->timeout_ms - spent > 500 ? c->timeout_ms - spent : 500;
    app_bridge(fd, conn, left, left);
    close(conn);
    if (app->family == FAM_HAPROXY) {
        /* HAProxy logs the stream after it has closed the connection, in a
         * later turn of its event loop: a SIGTERM at once loses the line. */
        char plog[16384];
        for (int i = 0; i < 50; i++) {
            read_from(proclog, plog_from, plog, sizeof(plog));
            if (strstr(plog, "cabound-status ") || strstr(plog, "SSL handshake failure"))
                break;
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    /* Stopped before the logs are read: lighttpd and Apache flush their
     * access log on the way out. */
    app_stop(&p, 1000);

    char elog[16384], plog[16384], alog[4096];
    read_from(sc.error_log, elog_from, elog, sizeof(elog));
    read_from(proclog, plog_from, plog, sizeof(plog));
    read_from(sc.access_log, 0, alog, sizeof(alog));
    server_app_judge(app, &sc, elog, plog, alog, obs);
    /* CABOUND_APP_KEEP=1 keeps the configuration and logs for a person. */
    const char *keep = getenv("CABOUND_APP_KEEP");
    if (keep && strcmp(keep, "1") == 0)
        fprintf(stderr, "%s: kept %s\n", APP_NAME, dir);
    else
        app_scratch_remove(dir);
}

static const char *const selects_none[] = {NULL};

static struct shim_stack stack = {
    .name = APP_NAME,
    .version = a_version,
    .library_symbol = lib_symbol,
    .library = a_library,
    .selects = selects_none,
    .init = a_init,
    .run = a_run,
    .kind = "app",
};

int main(int argc, char **argv)
{
    app = server_app_find(APP_NAME);
    if (!app) {
        fprintf(stderr, "%s: no such server application in server_configs.c\n", APP_NAME);
        return 2;
    }
    stack.sources = app->sources;
    stack.tls = app->tls;
    return shim_main(argc, argv, &stack);
}
