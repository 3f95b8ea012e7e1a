#define _GNU_SOURCE
#include "stacks.h"

#include "jsonl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef CABOUND_HAVE_MISSING_STACKS_H
#include "missing_stacks.h"
#endif
#ifndef CABOUND_MISSING_STACKS
#define CABOUND_MISSING_STACKS ""
#endif
#ifndef CABOUND_KNOWN_STACKS
#define CABOUND_KNOWN_STACKS "openssl", "boringssl", "gnutls", "mbedtls", "wolfssl", "nss"
#endif

#ifndef CABOUND_KNOWN_APPS
#define CABOUND_KNOWN_APPS NULL
#endif

/* Every stack this build knows (CMake's CABOUND_ALL_STACKS), in table order,
 * then every application (CABOUND_ALL_APPS, cmake/CaboundApps.cmake). */
static const char *const known[] = {CABOUND_KNOWN_STACKS, NULL};
static const char *const known_apps[] = {CABOUND_KNOWN_APPS, NULL};

int cb_stack_is_app(const char *id)
{
    for (size_t i = 0; known_apps[i]; i++)
        if (*known_apps[i] && strcmp(known_apps[i], id) == 0)
            return 1;
    return 0;
}

static void join(json_t *arr, char *out, size_t outlen)
{
    out[0] = 0;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        size_t n = strlen(out);
        snprintf(out + n, outlen - n, "%s%s", i ? "," : "", json_string_value(v) ? json_string_value(v) : "?");
    }
}

/* How long every shim's --describe may take, together (a JVM shim starts in
 * seconds on a loaded machine): a shim that hangs there is reported missing,
 * not waited for. $CABOUND_DESCRIBE_TIMEOUT_MS overrides it. */
#define DESCRIBE_TIMEOUT_MS 30000

static int describe_timeout_ms(void)
{
    const char *e = getenv("CABOUND_DESCRIBE_TIMEOUT_MS");
    char *end;
    long v = e && *e ? strtol(e, &end, 10) : 0;
    return e && *e && !*end && v > 0 && v <= 600000 ? (int)v : DESCRIBE_TIMEOUT_MS;
}

/* A running SHIM --describe: its pid and the read end of its stdout. */
typedef struct describe_proc {
    pid_t pid;
    int fd;
} describe_proc;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* describe_start starts SHIM --describe (no shell: the path is an argument,
 * never shell text) in its own process group; describe_finish reads its one
 * line by a deadline. Discovery starts every shim's before reading any: they
 * run side by side, not one after another. */
static describe_proc describe_start(const char *path)
{
    /* posix_spawn, not fork: forking a large (ASan) harness copies its page
     * tables, seconds per shim; spawning does not. */
    describe_proc p = {-1, -1};
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return p;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    char *argv[] = {(char *)path, (char *)"--describe", NULL};
    extern char **environ;
    pid_t pid;
    int rc = posix_spawn(&pid, path, &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return p;
    }
    p.pid = pid;
    p.fd = fds[0];
    return p;
}

static int describe_finish(describe_proc p, double deadline, const char *path, cb_stack_info *s)
{
    if (p.pid < 0) {
        snprintf(s->why, sizeof(s->why), "%s --describe could not be started", path);
        return -1;
    }
    char line[8192];
    size_t len = 0;
    int timed_out = 0;
    for (;;) {
        double left = deadline - now_ms();
        struct pollfd pfd = {p.fd, POLLIN, 0};
        if (left <= 0 || poll(&pfd, 1, (int)left + 1) == 0) {
            timed_out = 1;
            break;
        }
        ssize_t got = read(p.fd, line + len, sizeof(line) - 1 - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
        if (memchr(line, '\n', len) || len == sizeof(line) - 1)
            break;
    }
    line[len] = 0;
    close(p.fd);
    if (timed_out)
        kill(-p.pid, SIGKILL);
    int st = 0;
    while (waitpid(p.pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (timed_out) {
        snprintf(s->why, sizeof(s->why), "%s --describe did not answer within %d ms", path, describe_timeout_ms());
        return -1;
    }
    if (!len || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        snprintf(s->why, sizeof(s->why), "%s --describe failed (status %d)", path, st);
        return -1;
    }
    json_error_t e;
    s->describe = json_loads(line, 0, &e);
    if (!s->describe) {
        snprintf(s->why, sizeof(s->why), "%s --describe printed no JSON", path);
        return -1;
    }
    const char *v = json_string_value(json_object_get(s->describe, "version"));
    const char *l = json_string_value(json_object_get(s->describe, "library"));
    snprintf(s->version, sizeof(s->version), "%s", v ? v : "?");
    snprintf(s->library, sizeof(s->library), "%s", l ? l : "?");
    const char *t = json_string_value(json_object_get(s->describe, "transport"));
    if (json_object_get(s->describe, "transport") && !t) {
        snprintf(s->why, sizeof(s->why), "%s --describe: \"transport\" is not a string", path);
        return -1;
    }
    if (cb_transport_parse(t, &s->transport) != 0) {
        snprintf(s->why, sizeof(s->why), "%s --describe: unknown transport \"%s\"", path, t);
        return -1;
    }
    join(json_object_get(s->describe, "tls"), s->tls, sizeof(s->tls));
    join(json_object_get(s->describe, "calist_source"), s->sources, sizeof(s->sources));
    join(json_object_get(s->describe, "select"), s->selects, sizeof(s->selects));
    return 0;
}

/* add fills |s| for stack |id| and returns its running --describe, or NULL
 * when there is no shim (s->why says why). */
/* Discovery may describe only some stacks (cb_stacks_discover_only): a JVM
 * or BEAM start per shim is too dear for a command that needs two. */
static const char *const *g_only;
static size_t g_n_only;

static int wanted(const char *id)
{
    if (!g_only)
        return 1;
    for (size_t i = 0; i < g_n_only; i++)
        if (g_only[i] && strcmp(g_only[i], id) == 0)
            return 1;
    return 0;
}

static describe_proc add(const char *shim_dir, const char *id, cb_stack_info *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->id, sizeof(s->id), "%s", id);
    char path[4200];
    snprintf(path, sizeof(path), "%s/cabound-shim-%s", shim_dir, id);
    if (access(path, X_OK) != 0) {
        /* CMake recorded why a stack was not built. */
        /* "id: why" at the start of an entry: "curl" must not take
         * "curl-gnutls: ..." (nor "nss" "lighttpd-nss: ..."). */
        const char *all = CABOUND_MISSING_STACKS, *m = strstr(all, id);
        while (m && ((m > all && m[-1] != ';') || m[strlen(id)] != ':'))
            m = strstr(m + 1, id);
        if (m) {
            const char *end = strchr(m, ';');
            snprintf(s->why, sizeof(s->why), "%.*s", end ? (int)(end - m) : (int)strlen(m), m);
        } else {
            snprintf(s->why, sizeof(s->why), "%s: no shim at %s", id, path);
        }
        return (describe_proc){-1, -1};
    }
    s->installed = 1; /* until describe_finish says otherwise */
    if (!wanted(id)) {
        s->not_described = 1;
        snprintf(s->why, sizeof(s->why), "%s: installed, not described (not needed here)", id);
        return (describe_proc){-1, -1};
    }
    return describe_start(path);
}

/* What discovery (or a later question) learnt of each shim's transport, so
 * that the shim slots made after it, in this process or a worker forked from
 * it, need not run --describe again (a JVM's takes half a second). */
static struct {
    char key[4200]; /* shim path */
    cb_transport transport;
} known_transport[64];
static size_t n_known_transport;
static pthread_mutex_t known_mu = PTHREAD_MUTEX_INITIALIZER;

static void remember_transport(const char *path, cb_transport t)
{
    pthread_mutex_lock(&known_mu);
    size_t i = 0;
    while (i < n_known_transport && strcmp(known_transport[i].key, path) != 0)
        i++;
    if (i == n_known_transport && i < sizeof(known_transport) / sizeof(known_transport[0]))
        snprintf(known_transport[n_known_transport++].key, sizeof(known_transport[0].key), "%s", path);
    if (i < n_known_transport)
        known_transport[i].transport = t;
    pthread_mutex_unlock(&known_mu);
}

cb_transport cb_stack_transport(const char *shim_dir, const char *id)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/cabound-shim-%s", shim_dir, id);
    pthread_mutex_lock(&known_mu);
    for (size_t i = 0; i < n_known_transport; i++)
        if (strcmp(known_transport[i].key, path) == 0) {
            cb_transport t = known_transport[i].transport;
            pthread_mutex_unlock(&known_mu);
            return t;
        }
    pthread_mutex_unlock(&known_mu);
    cb_stack_info s;
    memset(&s, 0, sizeof(s));
    cb_transport t = CB_TRANSPORT_SEQPACKET;
    if (access(path, X_OK) == 0 && describe_finish(describe_start(path), now_ms() + describe_timeout_ms(), path, &s) == 0)
        t = s.transport;
    json_decref(s.describe);
    remember_transport(path, t);
    return t;
}

size_t cb_stacks_discover(const char *shim_dir, cb_stack_info *out, size_t max)
{
    size_t n = 0;
    describe_proc running[CB_MAX_STACKS];
    if (max > CB_MAX_STACKS)
        max = CB_MAX_STACKS;
    for (size_t i = 0; known[i]; i++) {
        if (n == max) {
            fprintf(stderr, "cabound: stack %s left out: more than %zu stacks\n", known[i], max);
            continue;
        }
        running[n] = add(shim_dir, known[i], &out[n]);
        n++;
    }
    /* Other builds of a stack: cabound-shim-STACK@BUILD. */
    DIR *d = opendir(shim_dir);
    struct dirent *e;
    char names[CB_MAX_STACKS][64];
    size_t nn = 0;
    while (d && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "cabound-shim-", 13) == 0 && strchr(e->d_name + 13, '@')) {
            if (nn < CB_MAX_STACKS)
                snprintf(names[nn], sizeof(names[0]), "%s", e->d_name + 13);
            else
                fprintf(stderr, "cabound: %s/%s left out: more than %d stacks\n", shim_dir, e->d_name,
                        CB_MAX_STACKS);
            nn += nn < CB_MAX_STACKS;
        }
    if (d)
        closedir(d);
    qsort(names, nn, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
    for (size_t i = 0; i < nn; i++) {
        if (n == max) {
            fprintf(stderr, "cabound: stack %s left out: more than %zu stacks\n", names[i], max);
            continue;
        }
        running[n] = add(shim_dir, names[i], &out[n]);
        n++;
    }
    /* Applications last: a table of libraries reads first. */
    for (size_t i = 0; known_apps[i]; i++) {
        if (!*known_apps[i]) /* a build that knows no application */
            continue;
        if (n == max) {
            fprintf(stderr, "cabound: stack %s left out: more than %zu stacks\n", known_apps[i], max);
            continue;
        }
        running[n] = add(shim_dir, known_apps[i], &out[n]);
        out[n].app = 1;
        n++;
    }
    double deadline = now_ms() + describe_timeout_ms();
    for (size_t i = 0; i < n; i++)
        if (out[i].installed && !out[i].not_described) {
            char path[4200];
            snprintf(path, sizeof(path), "%s/cabound-shim-%s", shim_dir, out[i].id);
            out[i].installed = describe_finish(running[i], deadline, path, &out[i]) == 0;
            if (out[i].installed)
                remember_transport(path, out[i].transport);
        }
    return n;
}

size_t cb_stacks_discover_only(const char *shim_dir, const char *const *ids, size_t n_ids, cb_stack_info *out,
                               size_t max)
{
    g_only = ids;
    g_n_only = n_ids;
    size_t n = cb_stacks_discover(shim_dir, out, max);
    g_only = NULL;
    g_n_only = 0;
    return n;
}

void cb_stacks_free(cb_stack_info *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        json_decref(s[i].describe);
}

int cb_stack_supports(const cb_stack_info *s, const char *key, const char *value)
{
    return cb_json_has_string(s->describe ? json_object_get(s->describe, key) : NULL, value);
}

const char *cb_stack_resolve(const cb_stack_info *s, const char *key, const char *want)
{
    if (strcmp(want, "auto") != 0)
        return want;
    int src = strcmp(key, "calist_source") == 0;
    const char *first = src ? "explicit" : "by-issuer", *second = src ? "trust-store" : "native";
    return s && cb_stack_supports(s, key, first) ? first : second;
}

const cb_stack_info *cb_stack_find(const cb_stack_info *s, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s[i].id, id) == 0)
            return &s[i];
    return NULL;
}
