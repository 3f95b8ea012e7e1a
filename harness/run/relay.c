#define _GNU_SOURCE
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "rewrite.h"

/* No case needs more: the largest list is 140000 bytes and a flight carries
 * a few certificates. A side past this is flooding; it is stopped, so a
 * misbehaving shim costs bounded memory. */
#define CB_RELAY_MAX_BYTES (16u << 20)

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void cb_relay_result_free(cb_relay_result *r)
{
    cb_buf_free(&r->c2s);
    cb_buf_free(&r->s2c);
    cb_buf_free(&r->s2c_fwd);
    free(r->io);
    free(r->server_reply);
    free(r->client_reply);
    memset(r, 0, sizeof(*r));
}

static int add_io(cb_relay_result *r, int kind, int side, size_t off, size_t len, double t)
{
    if (r->n_io == r->cap_io) {
        size_t ncap = r->cap_io ? r->cap_io * 2 : 64;
        cb_tl_io *n = realloc(r->io, ncap * sizeof(*n));
        if (!n)
            return -1;
        r->io = n;
        r->cap_io = ncap;
    }
    r->io[r->n_io++] = (cb_tl_io){(uint8_t)kind, (uint8_t)side, off, len, t};
    return 0;
}

struct side {
    cb_shimproc *shim;
    int relay;       /* harness end of the TLS socketpair */
    int eof;         /* the shim closed its end */
    int shut;        /* we shut down our write side toward it */
    cb_buf pending;  /* bytes waiting to be written to it */
    size_t pend_off;
    size_t sent;     /* bytes written to it so far (offset of the next write) */
    char **reply;
    char *fault;
    int done;        /* reply or fault recorded */
};

static void fault(struct side *s, const char *what)
{
    if (!s->done) {
        snprintf(s->fault, 96, "%s", what);
        s->done = 1;
    }
}

/* open_sides starts the shims of |sides| (a side without one already holds
 * its connection) and hands each its request and connection. */
static void open_sides(struct side sides[2], const char *const reqs[2])
{
    /* Start both before handing either its request: a shim that starts
     * slowly (a JVM) then starts while the other does. */
    int started[2] = {1, 1};
    for (int i = 0; i < 2; i++) {
        char why[256];
        if (sides[i].shim)
            started[i] = cb_shimproc_start(sides[i].shim, why, sizeof(why)) == 0;
    }
    /* A stream shim first: its connection waits for its runtime to start,
     * and a seqpacket peer handed its request before that would start its
     * own read timeout while the other side is still booting. */
    int first = sides[0].shim && sides[1].shim->transport == CB_TRANSPORT_STREAM &&
                sides[0].shim->transport != CB_TRANSPORT_STREAM;
    for (int k = 0; k < 2; k++) {
        int i = first ? 1 - k : k;
        char why[256];
        if (!sides[i].shim) {
            /* a live peer (cb_relay_run_remote): already connected */
        } else if (!started[i]) {
            fault(&sides[i], "shim-error: cannot start");
        } else if (cb_shimproc_open(sides[i].shim, reqs[i], &sides[i].relay, why, sizeof(why)) != 0) {
            char how[64], what[300];
            cb_shimproc_reap(sides[i].shim, 500, how, sizeof(how));
            snprintf(what, sizeof(what), "shim-error: %s (%s)", why, how);
            fault(&sides[i], what);
        }
        if (sides[i].relay >= 0)
            fcntl(sides[i].relay, F_SETFL, O_NONBLOCK);
    }
}

/* After the client shim is done and the relay closed its way toward a live
 * server, the server has this long to close too: a server that keeps the
 * connection open is not a fault of anything probed. */
#define CB_RELAY_REMOTE_LINGER_MS 1000

/* relay_loop copies bytes between the two sides until both are done or the
 * deadline passes. */
static int relay_loop(struct side sides[2], const cb_relay_opts *opts, cb_relay_result *out, char *err,
                      size_t errlen, double t0)
{
    double deadline, linger_from = 0;
    if (errlen)
        err[0] = 0;
    /* The case's time runs from when both hold their connection: a stream
     * shim's first request waits for its runtime to start (cb_shimproc_open). */
    deadline = now_ms() + (opts->timeout_ms > 0 ? opts->timeout_ms : 5000);
    cb_rewriter w;
    cb_rewriter_init(&w, opts->inject_vector, opts->inject_len);
    int rewrite = opts->inject_vector != NULL;

    uint8_t buf[65536];
    for (;;) {
        if (sides[0].done && sides[1].done)
            break;
        double now = now_ms();
        if (now >= deadline) {
            for (int i = 0; i < 2; i++)
                if (!sides[i].done) {
                    if (sides[i].shim)
                        cb_shimproc_kill(sides[i].shim);
                    fault(&sides[i], "timeout");
                }
            break;
        }
        if (!sides[0].shim && !sides[0].done && sides[1].done &&
            (sides[1].relay < 0 || (sides[0].shut && now >= linger_from + CB_RELAY_REMOTE_LINGER_MS))) {
            sides[0].done = 1; /* the live server kept its end open (or the client never got one): fine */
            break;
        }
        struct pollfd pfd[4];
        int n = 0, idx_relay[2] = {-1, -1}, idx_ctl[2] = {-1, -1};
        for (int i = 0; i < 2; i++) {
            if (sides[i].relay >= 0) {
                short ev = 0;
                if (!sides[i].eof)
                    ev |= POLLIN;
                if (sides[i].pending.len > sides[i].pend_off)
                    ev |= POLLOUT;
                if (ev) {
                    pfd[n] = (struct pollfd){sides[i].relay, ev, 0};
                    idx_relay[i] = n++;
                }
            }
            if (!sides[i].done && sides[i].shim && sides[i].shim->pid > 0) {
                pfd[n] = (struct pollfd){sides[i].shim->ctl, POLLIN, 0};
                idx_ctl[i] = n++;
            }
        }
        int left = (int)(deadline - now) + 1;
        int rc = poll(pfd, (nfds_t)n, left);
        if (rc < 0 && errno != EINTR) {
            snprintf(err, errlen, "poll: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < 2; i++) {
            struct side *me = &sides[i], *peer = &sides[1 - i];
            if (idx_relay[i] >= 0 && (pfd[idx_relay[i]].revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t got = read(me->relay, buf, sizeof(buf));
                if (got > 0 && (i == 0 ? out->s2c.len : out->c2s.len) + (size_t)got > CB_RELAY_MAX_BYTES) {
                    char what[96];
                    snprintf(what, sizeof(what), "%s: sent more than %u MiB", me->shim ? "shim-error" : "flood",
                             CB_RELAY_MAX_BYTES >> 20);
                    if (me->shim)
                        cb_shimproc_kill(me->shim);
                    fault(me, what);
                    me->eof = 1;
                    add_io(out, CB_IO_EOF, i, 0, 0, now_ms() - t0);
                } else if (got > 0) {
                    cb_buf *rec = i == 0 ? &out->s2c : &out->c2s;
                    size_t off = rec->len;
                    cb_buf_put(rec, buf, (size_t)got);
                    add_io(out, CB_IO_READ, i, off, (size_t)got, now_ms() - t0);
                    if (i == 0) {
                        size_t fwd_before = out->s2c_fwd.len;
                        if (!rewrite)
                            cb_buf_put(&out->s2c_fwd, buf, (size_t)got);
                        else if (cb_rewriter_feed(&w, buf, (size_t)got, &out->s2c_fwd) != 0)
                            snprintf(err, errlen, "relay: out of memory rewriting the CertificateRequest");
                        cb_buf_put(&peer->pending, out->s2c_fwd.p + fwd_before, out->s2c_fwd.len - fwd_before);
                    } else {
                        cb_buf_put(&peer->pending, buf, (size_t)got);
                    }
                } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                    me->eof = 1;
                    if (!me->shim)
                        me->done = 1; /* a live peer has no reply: its close ends it */
                    add_io(out, CB_IO_EOF, i, 0, 0, now_ms() - t0);
                }
            }
            if (idx_relay[i] >= 0 && (pfd[idx_relay[i]].revents & POLLOUT)) {
                ssize_t put = write(me->relay, me->pending.p + me->pend_off, me->pending.len - me->pend_off);
                if (put > 0) {
                    add_io(out, CB_IO_WRITE, i, me->sent, (size_t)put, now_ms() - t0);
                    me->pend_off += (size_t)put;
                    me->sent += (size_t)put;
                }
                else if (put < 0 && errno != EAGAIN && errno != EINTR)
                    me->pend_off = me->pending.len; /* the shim is gone: drop */
            }
            if (idx_ctl[i] >= 0 && (pfd[idx_ctl[i]].revents & (POLLIN | POLLHUP | POLLERR))) {
                char *reply = NULL, bad[64];
                int got = cb_shimproc_recv(me->shim, &reply, bad, sizeof(bad));
                if (got > 0) {
                    *me->reply = reply;
                    me->done = 1;
                } else if (got < 0 && bad[0]) {
                    char what[96];
                    cb_shimproc_kill(me->shim);
                    snprintf(what, sizeof(what), "shim-error: %s", bad);
                    fault(me, what);
                } else if (got < 0) {
                    char how[64], what[96];
                    cb_shimproc_reap(me->shim, 1000, how, sizeof(how));
                    if (strncmp(how, "crash:", 6) == 0)
                        snprintf(what, sizeof(what), "%s", how);
                    else
                        snprintf(what, sizeof(what), "shim-error: closed without a reply (%s)", how);
                    fault(me, what);
                }
            }
        }
        /* A side that closed (or is done and drained) lets the other see EOF. */
        for (int i = 0; i < 2; i++) {
            struct side *me = &sides[i], *peer = &sides[1 - i];
            if ((me->eof || me->done) && !peer->shut && peer->relay >= 0 &&
                peer->pending.len == peer->pend_off && me->eof) {
                shutdown(peer->relay, SHUT_WR);
                peer->shut = 1;
                linger_from = now_ms();
                add_io(out, CB_IO_SHUT, 1 - i, 0, 0, now_ms() - t0);
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        if (sides[i].relay >= 0)
            close(sides[i].relay);
        cb_buf_free(&sides[i].pending);
    }
    out->rewritten = w.rewritten;
    cb_rewriter_free(&w);
    out->elapsed_ms = now_ms() - t0;
    return err[0] ? -1 : 0;
}

int cb_relay_run(cb_shimproc *server, const char *server_request, cb_shimproc *client,
                 const char *client_request, const cb_relay_opts *opts, cb_relay_result *out,
                 char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    double t0 = now_ms();
    struct side sides[2] = {
        {server, -1, 0, 0, {0}, 0, 0, &out->server_reply, out->server_fault, 0},
        {client, -1, 0, 0, {0}, 0, 0, &out->client_reply, out->client_fault, 0},
    };
    const char *const reqs[2] = {server_request, client_request};
    open_sides(sides, reqs);
    relay_loop(sides, opts, out, err, errlen, t0);
    return 0;
}

int cb_relay_run_remote(int server_fd, cb_shimproc *client, const char *client_request,
                        const cb_relay_opts *opts, cb_relay_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    double t0 = now_ms();
    struct side sides[2] = {
        {NULL, server_fd, 0, 0, {0}, 0, 0, &out->server_reply, out->server_fault, 0},
        {client, -1, 0, 0, {0}, 0, 0, &out->client_reply, out->client_fault, 0},
    };
    const char *const reqs[2] = {NULL, client_request};
    open_sides(sides, reqs);
    return relay_loop(sides, opts, out, err, errlen, t0);
}
