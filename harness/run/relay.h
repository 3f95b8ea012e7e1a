/* relay.h — connect a server shim and a client shim through the harness,
 * copy bytes both ways, keep every byte, and optionally rewrite a TLS 1.2
 * CertificateRequest in flight. */
#ifndef CABOUND_RELAY_H
#define CABOUND_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "shimproc.h"

typedef struct cb_relay_opts {
    int timeout_ms;
    /* When set, the server's first CertificateRequest reaches the client with
     * its certificate_authorities vector (outer length included) replaced by
     * these bytes; the server's plaintext flight is re-framed into records of
     * at most 2^14 bytes. TLS 1.2 only: 1.3 encrypts the message. */
    const uint8_t *inject_vector;
    size_t inject_len;
} cb_relay_opts;

#include "timeline.h"

typedef struct cb_relay_result {
    cb_buf c2s;         /* every byte the client sent */
    cb_buf s2c;         /* every byte the server sent (before any rewrite) */
    cb_buf s2c_fwd;     /* what the client received (differs only when rewritten) */
    /* Everything the relay did, in its order: each read from a side, each
     * write toward a side, each close it saw (EOF) and each close it passed
     * on (shutdown). Reads of the server hold offsets into s2c, writes toward
     * the client offsets into s2c_fwd. */
    cb_tl_io *io;
    size_t n_io, cap_io;
    char *server_reply; /* JSON observation, or NULL */
    char *client_reply;
    char server_fault[96]; /* "" or timeout / crash:SIGSEGV / exit:N / shim-error: ... */
    char client_fault[96];
    int rewritten;      /* the CertificateRequest was replaced */
    double elapsed_ms;
} cb_relay_result;

void cb_relay_result_free(cb_relay_result *r);

/* cb_relay_run runs one case. Shims are started when not running; a shim
 * that crashes, hangs past the deadline or closes its control socket is
 * reaped and recorded as a fault (and restarted by the next case). Returns 0
 * when the case ran (faults included), -1 when the harness itself failed
 * (message in |err|). */
int cb_relay_run(cb_shimproc *server, const char *server_request, cb_shimproc *client,
                 const char *client_request, const cb_relay_opts *opts, cb_relay_result *out,
                 char *err, size_t errlen);

/* cb_relay_run_remote is cb_relay_run with a live server in place of a
 * server shim (cabound probe): |server_fd| is a connected socket, which the
 * relay makes non-blocking and closes. The server side has no reply; it ends
 * when the server closes, or a second after the client shim is done and the
 * relay closed its way toward the server (out->server_fault stays "" then);
 * "timeout" when the deadline passed first. Returns 0, or -1 when the harness
 * itself failed (message in |err|). */
int cb_relay_run_remote(int server_fd, cb_shimproc *client, const char *client_request,
                        const cb_relay_opts *opts, cb_relay_result *out, char *err, size_t errlen);

#endif
