/* probe.c — cabound probe's measurement (see probe.h). */
#define _GNU_SOURCE
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "record.h"
#include "relay.h"
#include "shimproc.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const char *cb_probe_alert_name(int d)
{
    static const struct {
        int d;
        const char *name;
    } names[] = {
        {0, "close_notify"}, {10, "unexpected_message"}, {20, "bad_record_mac"}, {22, "record_overflow"},
        {40, "handshake_failure"}, {42, "bad_certificate"}, {43, "unsupported_certificate"},
        {44, "certificate_revoked"}, {45, "certificate_expired"}, {46, "certificate_unknown"},
        {47, "illegal_parameter"}, {48, "unknown_ca"}, {49, "access_denied"}, {50, "decode_error"},
        {51, "decrypt_error"}, {70, "protocol_version"}, {71, "insufficient_security"}, {80, "internal_error"},
        {86, "inappropriate_fallback"}, {90, "user_canceled"}, {109, "missing_extension"},
        {110, "unsupported_extension"}, {112, "unrecognized_name"}, {113, "bad_certificate_status_response"},
        {115, "unknown_psk_identity"}, {116, "certificate_required"}, {120, "no_application_protocol"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].d == d)
            return names[i].name;
    return "unknown";
}

void cb_probe_fits(size_t list_bytes, size_t message_bytes, int tls13, int well_formed, int fits[3])
{
    fits[0] = list_bytes <= CB_PROBE_LIMIT_16K;
    fits[1] = message_bytes <= CB_PROBE_LIMIT_32K;
    fits[2] = well_formed && list_bytes + (tls13 ? 2u : 0u) <= CB_PROBE_LIMIT_64K;
}

void cb_probe_result_free(cb_probe_result *r)
{
    cb_wire_free(&r->wire);
}

/* tcp_connect connects to host:port within |timeout_ms|, trying each
 * address. Returns the socket, or -1 with why in |why|. */
static int tcp_connect(const char *host, const char *port, int timeout_ms, char *why, size_t whylen)
{
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &ai);
    if (rc != 0) {
        snprintf(why, whylen, "cannot resolve %s port %s: %s", host, port, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    double deadline = now_ms() + timeout_ms;
    snprintf(why, whylen, "no address for %s", host);
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        int s = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (s < 0) {
            snprintf(why, whylen, "socket: %s", strerror(errno));
            continue;
        }
        int err = 0;
        if (connect(s, a->ai_addr, a->ai_addrlen) != 0) {
            err = errno;
            if (err == EINPROGRESS) {
                int left = (int)(deadline - now_ms());
                struct pollfd p = {s, POLLOUT, 0};
                int pr = left > 0 ? poll(&p, 1, left) : 0;
                socklen_t sl = sizeof(err);
                if (pr == 1)
                    getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &sl);
                else
                    err = ETIMEDOUT;
            }
        }
        if (err) {
            char addr[NI_MAXHOST] = "?";
            getnameinfo(a->ai_addr, a->ai_addrlen, addr, sizeof(addr), NULL, 0, NI_NUMERICHOST);
            snprintf(why, whylen, "cannot connect to %s port %s (%s): %s", host, port, addr,
                     err == ETIMEDOUT ? "no answer within the timeout" : strerror(err));
            close(s);
            continue;
        }
        int flags = fcntl(s, F_GETFL);
        fcntl(s, F_SETFL, flags & ~O_NONBLOCK);
        fd = s;
    }
    freeaddrinfo(ai);
    return fd;
}

/* printable_prefix renders the first bytes of a non-TLS answer for a
 * message: "HTTP/1.1 400 Bad Request" reads better than hex. */
static void printable_prefix(const uint8_t *p, size_t len, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < len && i < 40 && o + 5 < outlen; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
            out[o++] = (char)p[i];
        else
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", p[i]);
    }
    out[o] = 0;
}

static int has_msg(const cb_hs_reasm *h, uint8_t type)
{
    for (size_t i = 0; i < h->count; i++)
        if (h->msgs[i].type == type)
            return 1;
    return 0;
}

static int sent_type(const cb_stream *s, uint8_t type)
{
    for (size_t i = 0; i < s->n_records; i++)
        if (s->records[i].type == type)
            return 1;
    return 0;
}

/* build_request is the client shim's request (harness/stacks/README.md):
 * one version, no client credential, any server certificate accepted. */
static char *build_request(const cb_probe_opts *o, const char *keylog)
{
    json_t *r = json_pack("{s:i,s:s,s:s,s:s,s:[],s:s,s:s,s:s,s:i}", "contract", 1, "case", "probe", "role",
                          "client", "tls", o->tls13 ? "1.3" : "1.2", "client_creds", "select", "native",
                          "peer_verify", "none", "keylog", keylog, "timeout_ms", o->timeout_ms);
    if (!r)
        return NULL;
    if (o->sni)
        json_object_set_new(r, "server_name", json_string(o->sni));
    char *s = json_dumps(r, JSON_COMPACT);
    json_decref(r);
    return s;
}

/* read_reply takes what the client's own API said: its version, whether
 * the handshake completed, and the alert it received. */
static void read_reply(const char *reply, cb_probe_result *out, int *alert_received, char *error, size_t errlen)
{
    *alert_received = -1;
    error[0] = 0;
    json_t *o = reply ? json_loads(reply, 0, NULL) : NULL;
    if (!o)
        return;
    const char *v = json_string_value(json_object_get(o, "version"));
    snprintf(out->client_version, sizeof(out->client_version), "%s", v ? v : "");
    const char *hs = json_string_value(json_object_get(o, "handshake"));
    out->handshake_done = hs && strcmp(hs, "ok") == 0;
    json_t *a = json_object_get(o, "alert_received");
    if (json_is_integer(a))
        *alert_received = (int)json_integer_value(a);
    const char *t = json_string_value(json_object_get(json_object_get(o, "error"), "text"));
    if (t)
        snprintf(error, errlen, "%s", t);
    const char *st = json_string_value(json_object_get(o, "status"));
    if (st && strcmp(st, "unsupported") == 0) {
        const char *why = json_string_value(json_object_get(o, "reason"));
        snprintf(error, errlen, "unsupported: %s", why ? why : "?");
    }
    json_decref(o);
}

/* judge sets the status from the bytes (and, where the bytes are silent,
 * from the client's own report). */
static void judge(const cb_probe_opts *o, const cb_relay_result *rr, const char *client_error, cb_probe_result *out)
{
    const char *v = o->tls13 ? "1.3" : "1.2";
    cb_wire *w = &out->wire;
    cb_stream s2c, c2s;
    cb_stream_init(&s2c);
    cb_stream_init(&c2s);
    cb_stream_feed(&s2c, rr->s2c.p, rr->s2c.len);
    cb_stream_feed(&c2s, rr->c2s.p, rr->c2s.len);
    out->status = CB_PROBE_FAILED;
    if (rr->client_fault[0] && strncmp(rr->client_fault, "timeout", 7) != 0) {
        snprintf(out->why, sizeof(out->why), "the client shim (%s) failed: %s", o->stack, rr->client_fault);
    } else if (rr->s2c.len == 0) {
        int closed = 0;
        for (size_t i = 0; i < rr->n_io; i++)
            closed |= rr->io[i].kind == CB_IO_EOF && rr->io[i].side == 0;
        snprintf(out->why, sizeof(out->why), "%s",
                 closed ? "the server closed the connection without a TLS answer"
                        : "the server sent nothing within the timeout (not a TLS server, or one waiting for "
                          "something else)");
    } else if (s2c.n_records == 0 && s2c.stop == CB_STREAM_NOT_TLS) {
        char text[256];
        printable_prefix(rr->s2c.p, rr->s2c.len, text, sizeof(text));
        snprintf(out->why, sizeof(out->why), "not TLS: the server's first bytes are no TLS record: \"%s\"", text);
    } else if (!has_msg(&s2c.hs, 2)) {
        if (out->server_alert >= 0)
            snprintf(out->why, sizeof(out->why), "the server refused TLS %s: alert %d (%s)", v, out->server_alert,
                     cb_probe_alert_name(out->server_alert));
        else
            snprintf(out->why, sizeof(out->why), "no ServerHello for TLS %s%s%s", v, client_error[0] ? ": client: " : "",
                     client_error);
    } else if (w->measured && w->cr_present) {
        out->status = CB_PROBE_MEASURED;
    } else if (w->measured && (o->tls13 ? sent_type(&c2s, CB_CT_APPLICATION_DATA) : has_msg(&s2c.hs, 14))) {
        /* TLS 1.2: the ServerHelloDone closed the flight; TLS 1.3: the
         * client answered the flight with protected records (its
         * Finished), so it had the server's whole flight. */
        out->status = CB_PROBE_NO_REQUEST;
        snprintf(out->why, sizeof(out->why), "the server asked for no client certificate (TLS %s)", v);
    } else {
        out->status = CB_PROBE_UNMEASURED;
        if (!w->measured)
            snprintf(out->why, sizeof(out->why), "unmeasured: %s", w->unavailable);
        else
            snprintf(out->why, sizeof(out->why), "unmeasured: the server's flight ended before it was complete%s%s",
                     client_error[0] ? ": client: " : "", client_error);
    }
    cb_stream_free(&s2c);
    cb_stream_free(&c2s);
}

int cb_probe_run(const cb_probe_opts *o, cb_probe_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    out->server_alert = CB_ALERT_NONE;
    out->status = CB_PROBE_FAILED;
    double t0 = now_ms();
    char keylog[4096], log[4096];
    snprintf(keylog, sizeof(keylog), "%s/probe-%s.keylog", o->workdir, o->tls13 ? "13" : "12");
    snprintf(log, sizeof(log), "%s/probe-client.log", o->workdir);
    unlink(keylog);
    int fd = tcp_connect(o->host, o->port, o->timeout_ms, out->why, sizeof(out->why));
    if (fd < 0) {
        out->elapsed_ms = now_ms() - t0;
        return 0;
    }
    char *req = build_request(o, keylog);
    if (!req) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    cb_shimproc sp;
    cb_shimproc_init(&sp, o->stack, o->shim, log, CB_TRANSPORT_SEQPACKET);
    cb_relay_opts ro;
    memset(&ro, 0, sizeof(ro));
    /* The relay's deadline sits past the client's own read timeout, so the
     * client reports a silent server itself. */
    ro.timeout_ms = o->timeout_ms + 2000;
    cb_relay_result rr;
    int rc = cb_relay_run_remote(fd, &sp, req, &ro, &rr, err, errlen);
    free(req);
    cb_shimproc_stop(&sp);
    if (rc != 0) {
        cb_relay_result_free(&rr);
        return -1;
    }
    char client_error[512];
    int alert_received;
    read_reply(rr.client_reply, out, &alert_received, client_error, sizeof(client_error));
    if (strncmp(client_error, "unsupported: ", 13) == 0) {
        snprintf(err, errlen, "client shim %s: %s", o->stack, client_error);
        cb_relay_result_free(&rr);
        return -1;
    }
    if (cb_wire_measure(&rr, o->tls13, keylog, &out->wire) != 0) {
        snprintf(err, errlen, "out of memory measuring the server's bytes");
        cb_relay_result_free(&rr);
        return -1;
    }
    /* The server's first alert as the bytes show it; an encrypted one as the
     * client's own API received it. */
    out->server_alert = out->wire.alert_from_server;
    if (out->server_alert == CB_ALERT_OPAQUE && alert_received >= 0)
        out->server_alert = alert_received;
    judge(o, &rr, client_error, out);
    if (out->status == CB_PROBE_MEASURED) {
        const cb_decoded *d = &out->wire.cr.list;
        out->list_bytes = d->parsed_bytes;
        cb_probe_fits(out->list_bytes, out->wire.cr_message_bytes, o->tls13,
                      !out->wire.cr.has_list || d->cls == CB_CLASS_WELL_FORMED || d->cls == CB_CLASS_EMPTY,
                      out->fits);
    }
    cb_relay_result_free(&rr);
    unlink(keylog);
    out->elapsed_ms = now_ms() - t0;
    return 0;
}
