/* shim.c — request parsing, the request loop and the observation record,
 * identical for every stack. */
#define _GNU_SOURCE
#include "shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "listfile.h"

#define CTL_FD 3
#define MAX_REQUEST 65536

bool shim_app_byte_ok(const struct shim_case *c, unsigned char b)
{
    return c->app_request ? true : b == 'x';
}

void shim_set_error(struct shim_obs *obs, long code, const char *text)
{
    obs->has_error = true;
    obs->error_code = code;
    snprintf(obs->error_text, sizeof(obs->error_text), "%s", text ? text : "");
}

void shim_unsupported(struct shim_obs *obs, const char *fmt, ...)
{
    va_list ap;
    obs->unsupported = true;
    va_start(ap, fmt);
    vsnprintf(obs->reason, sizeof(obs->reason), fmt, ap);
    va_end(ap);
}

/* The case's key log stays open for the case (closed by observe()): a
 * handshake logs five or more lines, and opening the file for each showed in
 * a case's cost. */
static FILE *keylog_file;
static const char *keylog_path;

void shim_keylog(const struct shim_case *c, const char *line)
{
    if (!c->keylog)
        return;
    if (!keylog_file || keylog_path != c->keylog) {
        if (keylog_file)
            fclose(keylog_file);
        keylog_file = fopen(c->keylog, "a");
        keylog_path = c->keylog;
        if (!keylog_file)
            return;
    }
    fprintf(keylog_file, "%s\n", line);
}

static void keylog_close(void)
{
    if (keylog_file)
        fclose(keylog_file);
    keylog_file = NULL;
    keylog_path = NULL;
}

void shim_keylog_secret(const struct shim_case *c, const char *label, const uint8_t *client_random,
                        size_t crlen, const uint8_t *secret, size_t slen)
{
    char line[512];
    size_t n = (size_t)snprintf(line, sizeof(line), "%s ", label);
    for (size_t i = 0; i < crlen && n + 3 < sizeof(line); i++)
        n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x", client_random[i]);
    n += (size_t)snprintf(line + n, sizeof(line) - n, " ");
    for (size_t i = 0; i < slen && n + 3 < sizeof(line); i++)
        n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x", secret[i]);
    shim_keylog(c, line);
}

int shim_pick_by_issuer(const cb_calist *received, const uint8_t *const *issuers,
                        const size_t *lens, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (issuers[i] && cb_calist_find(received, issuers[i], lens[i]) >= 0)
            return (int)i;
    return -1;
}

uint8_t *shim_read_file(const char *path, size_t *len)
{
    return (uint8_t *)cb_read_file(path, len, NULL, 0);
}

static const char *library_path(const struct shim_stack *s)
{
    if (s->library)
        return s->library();
    Dl_info info;
    void *sym;
    memcpy(&sym, &s->library_symbol, sizeof(sym));
    if (s->library_symbol && dladdr(sym, &info) && info.dli_fname)
        return info.dli_fname;
    return "unknown";
}

static json_t *str_array(const char *const *v)
{
    json_t *a = json_array();
    for (; v && *v; v++)
        json_array_append_new(a, json_string(*v));
    return a;
}

static const char *source_name(enum shim_source s)
{
    switch (s) {
    case SHIM_SRC_EXPLICIT: return "explicit";
    case SHIM_SRC_TRUST_STORE: return "trust-store";
    case SHIM_SRC_RAW: return "raw";
    case SHIM_SRC_NONE: return "none";
    }
    return "?";
}

static int name_listed(const char *const *v, const char *name)
{
    for (; v && *v; v++)
        if (strcmp(*v, name) == 0)
            return 1;
    return 0;
}

int shim_id_add(FILE *f, const char *tag, const char *path)
{
    struct stat st;
    if (!path) {
        fprintf(f, "%s=-\n", tag);
        return 0;
    }
    if (stat(path, &st) != 0)
        return -1;
    fprintf(f, "%s=%s\t%ju:%ju:%jd:%jd.%09ld\n", tag, path, (uintmax_t)st.st_dev, (uintmax_t)st.st_ino,
            (intmax_t)st.st_size, (intmax_t)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    return 0;
}

static const char *opt_str(json_t *req, const char *key)
{
    json_t *v = json_object_get(req, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* read_list_cached reads a list file, reusing the last one read when the
 * path, size and modification time are the same: the harness names list
 * files by their content, and consecutive cases (one server, each client in
 * turn) send the same list. */
static int read_list_cached(const char *path, cb_calist *out, char *err, size_t errlen)
{
    static char last_path[4096];
    static struct stat last_st;
    static cb_calist last;
    struct stat st;
    if (stat(path, &st) == 0 && last_path[0] && strcmp(path, last_path) == 0 && st.st_size == last_st.st_size &&
        st.st_mtim.tv_sec == last_st.st_mtim.tv_sec && st.st_mtim.tv_nsec == last_st.st_mtim.tv_nsec)
        return cb_calist_copy_prefix(out, &last, last.count) == 0 ? 0 : (snprintf(err, errlen, "out of memory"), -1);
    if (cb_listfile_read(path, out, err, errlen) != 0)
        return -1;
    cb_calist_free(&last);
    cb_calist_init(&last);
    if (cb_calist_copy_prefix(&last, out, out->count) == 0 && strlen(path) < sizeof(last_path)) {
        snprintf(last_path, sizeof(last_path), "%s", path);
        last_st = st;
    } else {
        last_path[0] = 0;
    }
    return 0;
}

/* parse_request fills |c| from |req|; strings point into |req|, which must
 * outlive |c|. Returns 0, or -1 with a message in |err|. */
static int parse_request(json_t *req, struct shim_case *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    cb_calist_init(&c->calist);
    if (!json_is_object(req))
        return snprintf(err, errlen, "request is not a JSON object"), -1;
    json_t *ver = json_object_get(req, "contract");
    if (!json_is_integer(ver) || json_integer_value(ver) != SHIM_CONTRACT)
        return snprintf(err, errlen, "request contract must be %d", SHIM_CONTRACT), -1;
    c->case_id = opt_str(req, "case");
    if (!c->case_id)
        c->case_id = "";
    const char *role = opt_str(req, "role");
    if (role && strcmp(role, "server") == 0)
        c->role = SHIM_SERVER;
    else if (role && strcmp(role, "client") == 0)
        c->role = SHIM_CLIENT;
    else
        return snprintf(err, errlen, "role must be \"server\" or \"client\""), -1;
    const char *tls = opt_str(req, "tls");
    if (tls && strcmp(tls, "1.2") == 0)
        c->tls = 12;
    else if (tls && strcmp(tls, "1.3") == 0)
        c->tls = 13;
    else
        return snprintf(err, errlen, "tls must be \"1.2\" or \"1.3\""), -1;
    c->cert = opt_str(req, "cert");
    c->key = opt_str(req, "key");
    c->trust = opt_str(req, "trust");
    c->calist_path = opt_str(req, "calist");
    c->calist_pem = opt_str(req, "calist_pem");
    c->keylog = opt_str(req, "keylog");
    c->received_out = opt_str(req, "received_out");
    c->app_request = opt_str(req, "app_request");
    if (c->app_request && !*c->app_request)
        c->app_request = NULL;
    json_t *t = json_object_get(req, "timeout_ms");
    c->timeout_ms = json_is_integer(t) ? (int)json_integer_value(t) : 5000;
    c->server_name = opt_str(req, "server_name");
    const char *pv = opt_str(req, "peer_verify");
    c->no_peer_verify = pv && strcmp(pv, "none") == 0;
    if (pv && !c->no_peer_verify && strcmp(pv, "chain") != 0)
        return snprintf(err, errlen, "peer_verify must be \"chain\" or \"none\""), -1;
    if ((c->server_name || c->no_peer_verify) && c->role != SHIM_CLIENT)
        return snprintf(err, errlen, "server_name and peer_verify are client keys"), -1;
    const char *verify = opt_str(req, "verify");
    c->require_cert = !verify || strcmp(verify, "require") == 0;
    if (verify && !c->require_cert && strcmp(verify, "request") != 0)
        return snprintf(err, errlen, "verify must be \"require\" or \"request\""), -1;
    const char *src = opt_str(req, "calist_source");
    if (!src || strcmp(src, "explicit") == 0)
        c->source = SHIM_SRC_EXPLICIT;
    else if (strcmp(src, "trust-store") == 0)
        c->source = SHIM_SRC_TRUST_STORE;
    else if (strcmp(src, "raw") == 0)
        c->source = SHIM_SRC_RAW;
    else if (strcmp(src, "none") == 0)
        c->source = SHIM_SRC_NONE;
    else
        return snprintf(err, errlen, "unknown calist_source \"%s\"", src), -1;
    const char *sel = opt_str(req, "select");
    if (!sel || strcmp(sel, "native") == 0)
        c->select = SHIM_SEL_NATIVE;
    else if (strcmp(sel, "by-issuer") == 0)
        c->select = SHIM_SEL_BY_ISSUER;
    else
        return snprintf(err, errlen, "unknown select \"%s\"", sel), -1;
    json_t *creds = json_object_get(req, "client_creds");
    if (creds && !json_is_array(creds))
        return snprintf(err, errlen, "client_creds must be an array"), -1;
    size_t n = creds ? json_array_size(creds) : 0;
    if (n) {
        c->client_creds = calloc(n, sizeof(*c->client_creds));
        if (!c->client_creds)
            return snprintf(err, errlen, "out of memory"), -1;
        for (size_t i = 0; i < n; i++) {
            json_t *e = json_array_get(creds, i);
            c->client_creds[i].cert = opt_str(e, "cert");
            c->client_creds[i].key = opt_str(e, "key");
            if (!c->client_creds[i].cert || !c->client_creds[i].key)
                return snprintf(err, errlen, "client_creds[%zu] needs cert and key", i), -1;
        }
        c->n_client_creds = n;
    }
    if (c->role == SHIM_SERVER) {
        if (!c->cert || !c->key)
            return snprintf(err, errlen, "server needs cert and key"), -1;
        if (c->source != SHIM_SRC_NONE && c->source != SHIM_SRC_TRUST_STORE && !c->calist_path)
            return snprintf(err, errlen, "calist_source %s needs calist", source_name(c->source)), -1;
        if (c->source == SHIM_SRC_TRUST_STORE && !c->calist_pem)
            return snprintf(err, errlen, "calist_source trust-store needs calist_pem"), -1;
        if (c->calist_path && read_list_cached(c->calist_path, &c->calist, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static void free_case(struct shim_case *c)
{
    free(c->client_creds);
    cb_calist_free(&c->calist);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* linger_close half-closes |fd| and reads until the peer closes too (at most
 * a second): a peer that is still writing (a TLS 1.3 client sending its
 * ChangeCipherSpec) then reads our alert instead of failing on a reset. */
static void linger_close(int fd, int timeout_ms)
{
    shutdown(fd, SHUT_WR);
    int ms = timeout_ms < 1000 ? timeout_ms : 1000;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[4096];
    double end = now_us() + ms * 1000.0;
    while (now_us() < end && read(fd, buf, sizeof(buf)) > 0)
        ;
}

static json_t *int_or_null(int v, int none)
{
    return v == none ? json_null() : json_integer(v);
}

static json_t *observe(const struct shim_stack *s, const struct shim_case *c, int fd)
{
    struct shim_obs obs;
    memset(&obs, 0, sizeof(obs));
    cb_calist_init(&obs.received);
    obs.alert_sent = obs.alert_received = -1;
    obs.sent_cert = -2;

    /* A blocking read that never returns would hold the whole pipeline; the
     * harness kills us past its deadline, this only makes the common case
     * (peer gone quiet) fail fast and cleanly. */
    struct timeval tv = {c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

    const char *tls_name = c->tls == 12 ? "1.2" : "1.3";
    const char *mode = c->role == SHIM_SERVER
                           ? source_name(c->source)
                           : (c->select == SHIM_SEL_NATIVE ? "native" : "by-issuer");
    double t0 = now_us();
    if (!name_listed(s->tls, tls_name))
        shim_unsupported(&obs, "%s does not support TLS %s in this build", s->name, tls_name);
    else if ((c->server_name || c->no_peer_verify) && !s->probe_keys)
        shim_unsupported(&obs, "%s does not support server_name or peer_verify (cabound probe)", s->name);
    else if (!name_listed(c->role == SHIM_SERVER ? s->sources : s->selects, mode))
        shim_unsupported(&obs, "%s does not support %s %s", s->name,
                         c->role == SHIM_SERVER ? "calist_source" : "select", mode);
    else
        s->run(c, fd, &obs);
    double t1 = now_us();
    keylog_close(); /* the harness reads it once both replies are in */
    linger_close(fd, c->timeout_ms);

    json_t *o = json_object();
    json_object_set_new(o, "contract", json_integer(SHIM_CONTRACT));
    json_object_set_new(o, "case", json_string(c->case_id));
    json_object_set_new(o, "stack", json_string(s->name));
    json_object_set_new(o, "version", json_string(s->version()));
    json_object_set_new(o, "library", json_string(library_path(s)));
    json_object_set_new(o, "role", json_string(c->role == SHIM_SERVER ? "server" : "client"));
    json_object_set_new(o, "tls", json_string(c->tls == 12 ? "1.2" : "1.3"));
    if (obs.unsupported) {
        json_object_set_new(o, "status", json_string("unsupported"));
        json_object_set_new(o, "reason", json_string(obs.reason));
        cb_calist_free(&obs.received);
        free(obs.peer_cert);
        return o;
    }
    json_object_set_new(o, "status", json_string("observed"));
    if (c->role == SHIM_SERVER)
        json_object_set_new(o, "calist_source", json_string(source_name(c->source)));
    else
        json_object_set_new(o, "select",
                            json_string(c->select == SHIM_SEL_NATIVE ? "native" : "by-issuer"));
    json_object_set_new(o, "handshake", json_string(obs.handshake_ok ? "ok" : "failed"));
    if (obs.has_error)
        json_object_set_new(o, "error", json_pack("{s:I,s:s}", "code", (json_int_t)obs.error_code,
                                                  "text", obs.error_text));
    else
        json_object_set_new(o, "error", json_null());
    json_object_set_new(o, "alerts_exposed", json_boolean(obs.alerts_exposed));
    json_object_set_new(o, "alert_sent", int_or_null(obs.alert_sent, -1));
    json_object_set_new(o, "alert_received", int_or_null(obs.alert_received, -1));
    if (c->role == SHIM_CLIENT) {
        if (obs.received_exposed) {
            json_object_set_new(o, "received",
                                json_pack("{s:b,s:I,s:I}", "exposed", 1, "count",
                                          (json_int_t)obs.received.count, "list_bytes",
                                          (json_int_t)cb_calist_list_bytes(&obs.received)));
            if (c->received_out) {
                char err[256];
                if (cb_listfile_write(c->received_out, &obs.received, "received by the client API",
                                      err, sizeof(err)) != 0)
                    fprintf(stderr, "shim: %s\n", err);
            }
        } else {
            json_object_set_new(o, "received", json_pack("{s:b}", "exposed", 0));
        }
        json_object_set_new(o, "sent_cert", obs.sent_cert == -2 ? json_null() : json_integer(obs.sent_cert));
    } else {
        if (obs.peer_cert) {
            char *hex = malloc(obs.peer_cert_len * 2 + 1);
            for (size_t i = 0; hex && i < obs.peer_cert_len; i++)
                sprintf(hex + 2 * i, "%02x", obs.peer_cert[i]);
            if (hex) {
                hex[obs.peer_cert_len * 2] = 0;
                json_object_set_new(o, "peer_cert", json_string(hex));
            }
            free(hex);
        } else {
            json_object_set_new(o, "peer_cert", json_null());
        }
    }
    json_object_set_new(o, "handshake_us", json_integer((json_int_t)(t1 - t0)));
    cb_calist_free(&obs.received);
    free(obs.peer_cert);
    return o;
}

static json_t *error_reply(const char *case_id, const char *msg)
{
    return json_pack("{s:i,s:s,s:s,s:s}", "contract", SHIM_CONTRACT, "case", case_id ? case_id : "",
                     "status", "bad-request", "reason", msg);
}

static int serve(const struct shim_stack *s)
{
    char *buf = malloc(MAX_REQUEST + 1);
    if (!buf)
        return 1;
    for (;;) {
        struct iovec iov = {buf, MAX_REQUEST};
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(sizeof(int))];
        } ctl;
        struct msghdr msg = {0};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = ctl.b;
        msg.msg_controllen = sizeof(ctl.b);
        ssize_t n = recvmsg(CTL_FD, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        buf[n] = 0;
        int fd = -1;
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
            memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        json_error_t jerr;
        json_t *req = json_loadb(buf, (size_t)n, 0, &jerr);
        json_t *reply;
        struct shim_case c;
        char err[512];
        if (!req) {
            snprintf(err, sizeof(err), "request is not JSON: %s", jerr.text);
            reply = error_reply(NULL, err);
            memset(&c, 0, sizeof(c));
        } else if (fd < 0) {
            reply = error_reply(opt_str(req, "case"), "request carries no file descriptor");
            memset(&c, 0, sizeof(c));
        } else if (parse_request(req, &c, err, sizeof(err)) != 0) {
            reply = error_reply(opt_str(req, "case"), err);
        } else {
            reply = observe(s, &c, fd);
        }
        free_case(&c);
        if (fd >= 0)
            close(fd);
        char *out = json_dumps(reply, JSON_COMPACT);
        json_decref(reply);
        json_decref(req);
        if (!out || send(CTL_FD, out, strlen(out), MSG_NOSIGNAL) < 0) {
            free(out);
            break;
        }
        free(out);
    }
    free(buf);
    return 0;
}

static int split_hostport(const char *arg, char *host, size_t hl, const char **port)
{
    const char *colon = strrchr(arg, ':');
    if (!colon || (size_t)(colon - arg) >= hl)
        return -1;
    memcpy(host, arg, (size_t)(colon - arg));
    host[colon - arg] = 0;
    *port = colon + 1;
    return 0;
}

static int tcp_fd(const char *arg, int listening)
{
    char host[256];
    const char *port;
    if (split_hostport(arg, host, sizeof(host), &port) != 0) {
        fprintf(stderr, "shim: expected HOST:PORT, got \"%s\"\n", arg);
        return -1;
    }
    struct addrinfo hints = {0}, *ai;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = listening ? AI_PASSIVE : 0;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0) {
        fprintf(stderr, "shim: %s: %s\n", arg, gai_strerror(rc));
        return -1;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    int one = 1;
    if (fd >= 0 && listening) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1) != 0) {
            perror("shim: listen");
            close(fd);
            fd = -1;
        } else {
            int conn = accept(fd, NULL, NULL);
            close(fd);
            fd = conn;
        }
    } else if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        perror("shim: connect");
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

static int one_shot(const struct shim_stack *s, const char *request_path, int fd)
{
    json_error_t jerr;
    json_t *req = json_load_file(request_path, 0, &jerr);
    if (!req) {
        fprintf(stderr, "%s:%d: %s\n", request_path, jerr.line, jerr.text);
        return 2;
    }
    struct shim_case c;
    char err[512];
    if (parse_request(req, &c, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", request_path, err);
        free_case(&c);
        json_decref(req);
        return 2;
    }
    json_t *obs = observe(s, &c, fd);
    int unsupported = strcmp(json_string_value(json_object_get(obs, "status")), "unsupported") == 0;
    json_dumpf(obs, stdout, JSON_COMPACT);
    putchar('\n');
    json_decref(obs);
    free_case(&c);
    json_decref(req);
    return unsupported ? SHIM_EXIT_UNSUPPORTED : 0;
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s --serve              (request loop on fd 3, see harness/stacks/README.md)\n"
            "       %s --describe\n"
            "       %s --request FILE (--fd N | --connect HOST:PORT | --listen HOST:PORT)\n",
            argv0, argv0, argv0);
}

int shim_main(int argc, char **argv, const struct shim_stack *s)
{
    const char *request = NULL, *connect_to = NULL, *listen_on = NULL;
    int fd = -1, do_serve = 0, do_describe = 0;
    signal(SIGPIPE, SIG_IGN);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--serve") == 0)
            do_serve = 1;
        else if (strcmp(a, "--describe") == 0)
            do_describe = 1;
        else if (strcmp(a, "--request") == 0 && i + 1 < argc)
            request = argv[++i];
        else if (strcmp(a, "--fd") == 0 && i + 1 < argc)
            fd = atoi(argv[++i]);
        else if (strcmp(a, "--connect") == 0 && i + 1 < argc)
            connect_to = argv[++i];
        else if (strcmp(a, "--listen") == 0 && i + 1 < argc)
            listen_on = argv[++i];
        else {
            fprintf(stderr, "Unrecognized flag: %s\n", a);
            usage(argv[0]);
            return 2;
        }
    }
    if (do_describe) {
        json_t *d = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:i}", "stack", s->name, "version",
                              s->version(), "library", library_path(s), "tls", str_array(s->tls),
                              "calist_source", str_array(s->sources), "select",
                              str_array(s->selects), "contract", SHIM_CONTRACT);
        json_object_set_new(d, "kind", json_string(s->kind ? s->kind : "library"));
        json_dumpf(d, stdout, JSON_COMPACT);
        putchar('\n');
        json_decref(d);
        return 0;
    }
    if (s->init && s->init() != 0)
        return 3;
    if (do_serve)
        return serve(s);
    if (!request) {
        usage(argv[0]);
        return 2;
    }
    if (fd < 0 && connect_to)
        fd = tcp_fd(connect_to, 0);
    else if (fd < 0 && listen_on)
        fd = tcp_fd(listen_on, 1);
    if (fd < 0) {
        usage(argv[0]);
        return 2;
    }
    return one_shot(s, request, fd);
}
