/* pair.h — one TLS stack's client and server in one process, in memory: the
 * interface between the per-stack targets (client_cr.c, server_calist.c) and
 * a stack's glue (stacks/STACK.c), plus the driver loop and the oracle checks
 * they share.
 *
 * A handshake runs until the client has answered the CertificateRequest (its
 * certificate callback ran and it wrote what followed), or either side
 * failed, or nothing moves any more. Nothing after that point concerns the
 * CA list, so the fuzz targets do not run it: that keeps every execution to
 * one server flight and one client flight. The benchmark floor
 * (bench_floor.c) runs the whole handshake instead (fz_pair_conf.complete),
 * to compare with what a shim does. */
#ifndef CABOUND_FUZZ_PAIR_H
#define CABOUND_FUZZ_PAIR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "calist.h"
#include "rewrite.h"

/* Where the server's list comes from (the shim contract's calist_source). */
enum fz_source {
    FZ_SRC_NONE,     /* nothing configured */
    FZ_SRC_EXPLICIT, /* the stack's API for a list of names */
    FZ_SRC_TRUST,    /* trust anchors whose subjects are the DNs */
    FZ_SRC_RAW,      /* raw bytes sent unchecked (BoringSSL) */
};

typedef struct fz_pair_conf {
    int tls13;
    enum fz_source source;
    const cb_calist *list; /* the server's list (unused for FZ_SRC_NONE) */
    cb_rewriter *rewrite;  /* TLS 1.2: the server's bytes reach the client through it; NULL: as sent */
    int complete;          /* run until both sides finish (or fail), not only to the client's answer */
    /* bench_floor only: for the stacks whose list comes from trust anchors
     * (FZ_SRC_TRUST), a PEM bundle (NUL-terminated) loaded as the shim loads
     * calist_pem, instead of minimal certificates made for |list|. */
    const char *list_pem;
    size_t list_pem_len;
} fz_pair_conf;

typedef struct fz_pair_result {
    int refused_setup;    /* the stack's API refused the list before any handshake */
    cb_calist configured; /* the DNs the server was given, as its API took them */
    cb_buf s2c;           /* every server byte, as sent (before any rewrite) */
    int server_failed, client_failed;
    int cr_seen;          /* the client's certificate callback ran */
    int exposed;          /* the client API exposed the list it received */
    int exposed_bytes;    /* ... as the DNs' exact bytes (else only their count is known) */
    cb_calist got;        /* what the client API exposed */
    int rounds;
    char why[200];        /* the stack's error text, for messages */
} fz_pair_result;

void fz_pair_result_init(fz_pair_result *r);
void fz_pair_result_free(fz_pair_result *r);

/* ---- what a stack's glue provides ---- */

/* fz_verify_peers, set before fz_stack_init (bench_floor.c): both sides
 * verify the peer's chain against the fuzz CA of creds.h (chain only, no
 * host name), and the server requires a client certificate, as a shim does.
 * The fuzz targets leave it 0: every peer certificate is accepted. */
extern int fz_verify_peers;

/* Its name (as in CABOUND_STACKS), e.g. "openssl". */
extern const char fz_stack[];
/* fz_stack_init loads the credentials of creds.h once. 0 on success. */
int fz_stack_init(void);
/* fz_stack_supports reports whether the stack can be configured with
 * (tls13, source); the targets skip inputs that ask for what it cannot. */
int fz_stack_supports(int tls13, enum fz_source source);
/* fz_stack_run runs one handshake (with fz_pair_drive) and fills |r|. */
void fz_stack_run(const fz_pair_conf *c, fz_pair_result *r);

/* ---- the driver ---- */

/* One endpoint's in-memory transport: bytes waiting to be read, bytes it
 * wrote. Glue I/O callbacks use fz_io_read/fz_io_write. */
typedef struct fz_io {
    cb_buf in;
    size_t in_off;
    cb_buf out;
} fz_io;

/* fz_io_read copies up to |max| waiting bytes; returns 0 when none wait. */
size_t fz_io_read(fz_io *io, uint8_t *p, size_t max);
size_t fz_io_pending(const fz_io *io);
void fz_io_write(fz_io *io, const uint8_t *p, size_t len);

enum fz_step { FZ_STEP_WANT, FZ_STEP_DONE, FZ_STEP_FAIL };

/* A side's step advances its handshake as far as its input allows. */
typedef enum fz_step (*fz_step_fn)(void *side);

/* fz_pair_drive alternates server and client steps, carrying bytes between
 * |sio| and |cio| (server bytes through c->rewrite when set, and into
 * r->s2c), and stops as described at the top. A handshake that keeps moving
 * past 200 rounds is a hang (abort, NO-HANG). */
void fz_pair_drive(const fz_pair_conf *c, fz_pair_result *r, fz_step_fn server, void *sside, fz_io *sio,
                   fz_step_fn client, void *cside, fz_io *cio);

/* fz_pair_trace prints one line about |r| to stderr when the environment
 * has CABOUND_FUZZ_TRACE set (for seeing what a seed really exercises), and
 * writes the server's bytes to the file $CABOUND_FUZZ_DUMP names. */
void fz_pair_trace(const fz_pair_conf *c, const fz_pair_result *r);

/* ---- the checks ---- */

/* fz_check_server applies the oracle's server rules to r->s2c (TLS 1.2
 * plaintext): CA-PREFIX (the list on the wire is r->configured or a whole-DN
 * prefix of it, well-formed), REC-2E14 (no plaintext record over 2^14) and
 * REFUSAL (a failing server leaves no partial CertificateRequest). Known
 * findings are skipped (fz_known). Returns the wire list's class, or -1
 * when no CertificateRequest was sent; the wire list goes to |wire|
 * (initialised by the caller) when non-NULL. */
int fz_check_server(const fz_pair_result *r, cb_calist *wire);

/* fz_check_api checks API-WIRE: when |sent| is a well-formed list (class
 * |cls|) and the client exposed what it received, the exposed DNs equal
 * |sent| (byte for byte, or in count when the stack keeps no bytes). */
void fz_check_api(const fz_pair_result *r, const cb_calist *sent, int cls, const char *what);

#endif
