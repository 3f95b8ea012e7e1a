/* client_app.c — cabound-shim-<app> for a real TLS client as people use it
 * (curl and libcurl's GnuTLS and NSS builds, wget, openssl s_client,
 * gnutls-cli, Python's ssl). Per request it listens on a loopback port the
 * kernel picks, runs the program against it with the case's client
 * certificate and trust, bridges the connection to the harness's end byte
 * for byte, and reads the program's result and output. APP_NAME (set by
 * CMake) picks the entry of apps[]. See NOTES.md. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "shim.h"

#ifndef APP_NAME
#error "APP_NAME must name the application (CMake sets it)"
#endif

enum client_kind { K_CURL, K_CURL_FLAVOUR, K_WGET, K_S_CLIENT, K_GNUTLS_CLI, K_PYTHON };

struct client_app {
    const char *name;
    enum client_kind kind;
    const char *program;  /* absolute path */
    const char *flavour;  /* K_CURL_FLAVOUR: the libcurl file dlopen()ed */
    const char *package;
    const char *const *lib_prefixes;
};

static const char *const lib_openssl[] = {"libssl.so", NULL};
static const char *const lib_gnutls[] = {"libgnutls.so", NULL};
static const char *const lib_nss[] = {"libssl3.so", NULL};

static const struct client_app apps[] = {
    {"curl", K_CURL, "/usr/bin/curl", NULL, "curl", lib_openssl},
    {"curl-gnutls", K_CURL_FLAVOUR, NULL, "libcurl-gnutls.so.4", "libcurl3-gnutls", lib_gnutls},
    {"curl-nss", K_CURL_FLAVOUR, NULL, "libcurl-nss.so.4", "libcurl3-nss", lib_nss},
    {"wget", K_WGET, "/usr/bin/wget", NULL, "wget", lib_gnutls},
    {"s_client", K_S_CLIENT, "/usr/bin/openssl", NULL, "openssl", lib_openssl},
    {"gnutls-cli", K_GNUTLS_CLI, "/usr/bin/gnutls-cli", NULL, "gnutls-bin", lib_gnutls},
    {"python-ssl", K_PYTHON, "/usr/bin/python3", NULL, "python3", lib_openssl},
};

static const struct client_app *app;
static char flavour_prog[PATH_MAX]; /* cabound-curl-flavour beside this shim */
static char g_version[512];
static char g_library[4096];

/* Python's ssl, as an application uses it: verify the chain, no host name
 * check (the contract's client), one version, the client certificate. */
static const char python_client[] =
    "import socket, ssl, sys\n"
    "tls, port, ca, cert, key, keylog = sys.argv[1:7]\n"
    "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
    "ctx.check_hostname = False\n"
    "ctx.load_verify_locations(ca)\n"
    "ctx.load_cert_chain(cert, key)\n"
    "v = ssl.TLSVersion.TLSv1_3 if tls == '1.3' else ssl.TLSVersion.TLSv1_2\n"
    "ctx.minimum_version = ctx.maximum_version = v\n"
    "if keylog: ctx.keylog_filename = keylog\n"
    "s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(port))))\n"
    "print('handshake', s.version())\n"
    "b = s.recv(1)\n"
    "print('received', b)\n"
    "sys.exit(0 if b else 1)\n";

static const char *c_version(void)
{
    if (g_version[0])
        return g_version;
    char out[4096] = "";
    char *argv[6] = {NULL};
    switch (app->kind) {
    case K_CURL:
    case K_WGET:
    case K_GNUTLS_CLI:
        argv[0] = (char *)app->program;
        argv[1] = (char *)"--version";
        break;
    case K_CURL_FLAVOUR:
        argv[0] = flavour_prog;
        argv[1] = (char *)app->flavour;
        argv[2] = (char *)"--version";
        break;
    case K_S_CLIENT:
        argv[0] = (char *)app->program;
        argv[1] = (char *)"version";
        break;
    case K_PYTHON:
        argv[0] = (char *)app->program;
        argv[1] = (char *)"-c";
        argv[2] = (char *)"import ssl, sys; print('Python', sys.version.split()[0], '/', ssl.OPENSSL_VERSION)";
        break;
    }
    if (app_run(argv, NULL, out, sizeof(out), 10000) < 0 || !out[0])
        snprintf(g_version, sizeof(g_version), "unknown (%s gave no version)", argv[0]);
    else
        snprintf(g_version, sizeof(g_version), "%.*s", (int)strcspn(out, "\n"), out);
    return g_version;
}

static const char *c_library(void)
{
    if (!g_library[0]) {
        const char *elf = app->kind == K_CURL_FLAVOUR ? NULL : app->program;
        char path[4096];
        if (app->kind == K_CURL_FLAVOUR)
            snprintf(path, sizeof(path), "/usr/lib/x86_64-linux-gnu/%s", app->flavour);
        if (app->kind == K_PYTHON)
            snprintf(g_library, sizeof(g_library), "(mapped when it runs: Python's _ssl module)");
        else if (app_ldd_library(elf ? elf : path, app->lib_prefixes, g_library, sizeof(g_library)) != 0)
            snprintf(g_library, sizeof(g_library), "unknown (no %s in ldd %s)", app->lib_prefixes[0],
                     elf ? elf : path);
    }
    return g_library;
}

static void lib_symbol(void) {}

static int c_init(void)
{
    const char *need = app->kind == K_CURL_FLAVOUR ? flavour_prog : app->program;
    if (access(need, X_OK) != 0) {
        fprintf(stderr, "%s: %s is not installed (Debian package %s)\n", APP_NAME, need, app->package);
        return -1;
    }
    return 0;
}

static int listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* build_argv fills |argv| for one case; |s| holds the strings. */
static void build_argv(const struct shim_case *c, int port, const char *dir, char **argv, char s[][4200])
{
    const char *cert = c->client_creds[0].cert, *key = c->client_creds[0].key;
    bool t13 = c->tls == 13;
    int n = 0;
    snprintf(s[0], 4200, "%d", port);
    snprintf(s[1], 4200, "%s/body.out", dir);
    switch (app->kind) {
    case K_CURL:
        snprintf(s[2], 4200, "localhost:%d:127.0.0.1", port);
        snprintf(s[3], 4200, "https://localhost:%d/", port);
        argv[n++] = (char *)app->program;
        argv[n++] = (char *)"-sS";
        argv[n++] = (char *)"-v";
        argv[n++] = (char *)"--http0.9";
        argv[n++] = (char *)"-o";
        argv[n++] = s[1];
        argv[n++] = (char *)"--cacert";
        argv[n++] = (char *)c->trust;
        argv[n++] = (char *)"--cert";
        argv[n++] = (char *)cert;
        argv[n++] = (char *)"--key";
        argv[n++] = (char *)key;
        argv[n++] = (char *)(t13 ? "--tlsv1.3" : "--tlsv1.2");
        argv[n++] = (char *)"--tls-max";
        argv[n++] = (char *)(t13 ? "1.3" : "1.2");
        argv[n++] = (char *)"--resolve";
        argv[n++] = s[2];
        argv[n++] = s[3];
        break;
    case K_CURL_FLAVOUR:
        argv[n++] = flavour_prog;
        argv[n++] = (char *)app->flavour;
        argv[n++] = (char *)(t13 ? "1.3" : "1.2");
        argv[n++] = (char *)c->trust;
        argv[n++] = (char *)cert;
        argv[n++] = (char *)key;
        argv[n++] = (char *)"localhost";
        argv[n++] = s[0];
        break;
    case K_WGET:
        snprintf(s[3], 4200, "https://localhost:%d/", port);
        snprintf(s[4], 4200, "--ca-certificate=%s", c->trust);
        snprintf(s[5], 4200, "--certificate=%s", cert);
        snprintf(s[6], 4200, "--private-key=%s", key);
        argv[n++] = (char *)app->program;
        argv[n++] = (char *)"--no-config";
        argv[n++] = (char *)"--tries=1";
        argv[n++] = (char *)"--inet4-only";
        argv[n++] = (char *)"-O";
        argv[n++] = s[1];
        argv[n++] = s[4];
        argv[n++] = s[5];
        argv[n++] = s[6];
        argv[n++] = (char *)(t13 ? "--secure-protocol=TLSv1_3" : "--secure-protocol=TLSv1_2");
        argv[n++] = s[3];
        break;
    case K_S_CLIENT:
        snprintf(s[3], 4200, "127.0.0.1:%d", port);
        argv[n++] = (char *)app->program;
        argv[n++] = (char *)"s_client";
        argv[n++] = (char *)"-connect";
        argv[n++] = s[3];
        argv[n++] = (char *)(t13 ? "-tls1_3" : "-tls1_2");
        argv[n++] = (char *)"-CAfile";
        argv[n++] = (char *)c->trust;
        argv[n++] = (char *)"-verify_return_error";
        argv[n++] = (char *)"-cert";
        argv[n++] = (char *)cert;
        argv[n++] = (char *)"-key";
        argv[n++] = (char *)key;
        argv[n++] = (char *)"-quiet";
        if (c->keylog) {
            argv[n++] = (char *)"-keylogfile";
            argv[n++] = (char *)c->keylog;
        }
        break;
    case K_GNUTLS_CLI:
        snprintf(s[3], 4200, "--priority=NORMAL:-VERS-ALL:+VERS-TLS1.%d", t13 ? 3 : 2);
        argv[n++] = (char *)app->program;
        argv[n++] = (char *)"--x509cafile";
        argv[n++] = (char *)c->trust;
        argv[n++] = (char *)"--x509certfile";
        argv[n++] = (char *)cert;
        argv[n++] = (char *)"--x509keyfile";
        argv[n++] = (char *)key;
        argv[n++] = s[3];
        argv[n++] = (char *)"-p";
        argv[n++] = s[0];
        argv[n++] = (char *)"localhost";
        break;
    case K_PYTHON:
        argv[n++] = (char *)app->program;
        argv[n++] = (char *)"-c";
        argv[n++] = (char *)python_client;
        argv[n++] = (char *)(t13 ? "1.3" : "1.2");
        argv[n++] = s[0];
        argv[n++] = (char *)c->trust;
        argv[n++] = (char *)cert;
        argv[n++] = (char *)key;
        argv[n++] = (char *)(c->keylog ? c->keylog : "");
        break;
    }
    argv[n] = NULL;
}

/* judge reads the program's exit status and output: the exchange is
 * complete when the server's byte ('x') reached the program's output. */
static void judge(int status, const char *out, const char *body, struct shim_obs *obs)
{
    bool got_x = false;
    switch (app->kind) {
    case K_CURL:
    case K_WGET:
        got_x = body[0] == 'x';
        break;
    case K_CURL_FLAVOUR:
        got_x = strstr(out, "cabound-body: x") != NULL;
        break;
    case K_S_CLIENT:
        /* -quiet: s_client prints the data it read, errors on stderr. */
        got_x = out[0] == 'x' || strstr(out, "\nx") != NULL;
        break;
    case K_GNUTLS_CLI:
        got_x = strstr(out, "\nx") != NULL;
        break;
    case K_PYTHON:
        got_x = strstr(out, "received b'x'") != NULL;
        break;
    }
    obs->handshake_ok = got_x;
    if (got_x)
        return;
    static const char *const words[] = {"rror", "alert", "Alert", "fail", "Fail", "unable", "Unable", "curl: (",
                                        "SSL", "TLS", NULL};
    char line[600];
    if (app_last_line_with(out, words, line, sizeof(line)) != 0)
        snprintf(line, sizeof(line), "no byte from the server and no error in the output");
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : (WIFSIGNALED(status) ? -WTERMSIG(status) : -1);
    shim_set_error(obs, code, line);
}

static void c_run(const struct shim_case *c, int fd, struct shim_obs *obs)
{
    obs->alerts_exposed = false;
    obs->received_exposed = false; /* no program here hands its list over as DER */
    if (c->n_client_creds < 1) {
        shim_unsupported(obs, "%s takes one client certificate; the case gives none", APP_NAME);
        return;
    }
    if (c->n_client_creds > 1) {
        shim_unsupported(obs, "%s takes one client certificate; the case gives %zu", APP_NAME, c->n_client_creds);
        return;
    }
    char dir[4096];
    if (app_scratch(dir, sizeof(dir)) != 0) {
        fprintf(stderr, "%s: scratch directory: %s\n", APP_NAME, strerror(errno));
        exit(3);
    }
    int port;
    int lfd = listen_loopback(&port);
    if (lfd < 0) {
        fprintf(stderr, "%s: cannot listen on 127.0.0.1: %s\n", APP_NAME, strerror(errno));
        exit(3);
    }
    char *argv[32];
    static char s[8][4200];
    build_argv(c, port, dir, argv, s);
    char log[4200], keyenv[4300];
    snprintf(log, sizeof(log), "%s/output.log", dir);
    /* SSLKEYLOGFILE: OpenSSL-based curl, GnuTLS (wget, gnutls-cli,
     * libcurl-gnutls) honour it; Debian's NSS does not (the server shim's
     * key log then decrypts TLS 1.3). */
    extern char **environ;
    size_t ne = 0;
    while (environ[ne])
        ne++;
    char **env = calloc(ne + 2, sizeof(*env));
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], "SSLKEYLOGFILE=", 14) != 0)
            env[k++] = environ[i];
    if (c->keylog) {
        snprintf(keyenv, sizeof(keyenv), "SSLKEYLOGFILE=%s", c->keylog);
        env[k++] = keyenv;
    }
    env[k] = NULL;
    struct app_proc p;
    int in[2];
    if (!env || pipe2(in, O_CLOEXEC) != 0 || app_start_stdin(&p, argv, env, dir, log, in[0]) != 0) {
        free(env);
        app_scratch_remove(dir);
        exit(3);
    }
    close(in[0]); /* the program's stdin stays open until the exchange ends: s_client and
                     gnutls-cli would otherwise close at EOF before the server's byte */
    free(env);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int conn = -1;
    for (int waited = 0; conn < 0 && waited < c->timeout_ms;) {
        struct pollfd pf = {lfd, POLLIN, 0};
        if (poll(&pf, 1, 50) > 0)
            conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        else if (!app_alive(&p))
            break;
        waited += 50;
    }
    close(lfd);
    if (conn >= 0) {
        if (p.pid > 0 && app_maps_library(p.pid, app->lib_prefixes, g_library, sizeof(g_library)) != 0)
            snprintf(g_library, sizeof(g_library), "unknown (no %s mapped)", app->lib_prefixes[0]);
        app_bridge(fd, conn, c->timeout_ms, c->timeout_ms);
        close(conn);
    }
    close(in[1]);
    /* Let the program finish on its own (it prints its result), briefly. */
    for (int i = 0; i < 100 && app_alive(&p); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int status = p.pid < 0 ? p.status : -1;
    app_stop(&p, 500);
    char out[16384], body[64];
    app_read_tail(log, out, sizeof(out));
    snprintf(log, sizeof(log), "%s/body.out", dir);
    app_read_tail(log, body, sizeof(body));
    if (conn < 0) {
        char line[600] = "";
        static const char *const any[] = {"", NULL};
        app_last_line_with(out, any, line, sizeof(line));
        char text[800];
        snprintf(text, sizeof(text), "%s never connected: %s", APP_NAME, line[0] ? line : "(no output)");
        shim_set_error(obs, status, text);
    } else {
        judge(status, out, body, obs);
    }
    const char *keep = getenv("CABOUND_APP_KEEP");
    if (keep && strcmp(keep, "1") == 0)
        fprintf(stderr, "%s: kept %s\n", APP_NAME, dir);
    else
        app_scratch_remove(dir);
}

static const char *const tls_both[] = {"1.2", "1.3", NULL};
static const char *const no_sources[] = {NULL};
static const char *const selects_native[] = {"native", NULL};

static struct shim_stack stack = {
    .name = APP_NAME,
    .version = c_version,
    .library_symbol = lib_symbol,
    .library = c_library,
    .tls = tls_both,
    .sources = no_sources,
    .selects = selects_native,
    .init = c_init,
    .run = c_run,
    .kind = "app",
};

int main(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
        if (strcmp(apps[i].name, APP_NAME) == 0)
            app = &apps[i];
    if (!app) {
        fprintf(stderr, "%s: no such client application in client_app.c\n", APP_NAME);
        return 2;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = 0;
        snprintf(flavour_prog, sizeof(flavour_prog), "%s/cabound-curl-flavour", dirname(self));
    }
    return shim_main(argc, argv, &stack);
}
