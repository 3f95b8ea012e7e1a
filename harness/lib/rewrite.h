/* rewrite.h — the in-flight CertificateRequest rewriter: a server's TLS 1.2
 * plaintext flight goes through it on its way to the client, and the first
 * CertificateRequest leaves with its certificate_authorities vector replaced.
 * The flight is re-framed into records of at most 2^14 bytes. One
 * definition, used by the relay between two shim processes
 * (harness/run/relay.c) and by the client_cr_* fuzz targets in one process. */
#ifndef CABOUND_REWRITE_H
#define CABOUND_REWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

typedef struct cb_rewriter {
    const uint8_t *vector; /* the replacement vector, outer length included */
    size_t vector_len;
    cb_stream in;
    size_t records_done;
    cb_hs_reasm hs;
    size_t msgs_done;
    int passthrough;
    cb_buf seen;   /* every server byte so far */
    int rewritten; /* a CertificateRequest went out rewritten */
} cb_rewriter;

void cb_rewriter_init(cb_rewriter *w, const uint8_t *vector, size_t vector_len);
void cb_rewriter_free(cb_rewriter *w);

/* cb_rewriter_feed consumes server bytes and appends to |out| what the client
 * should receive. Once a record other than handshake arrives (CCS, alert,
 * encrypted data), or bytes that are not TLS, the rest passes through
 * unchanged. Returns 0, or -1 when memory runs out. */
int cb_rewriter_feed(cb_rewriter *w, const uint8_t *data, size_t len, cb_buf *out);

#endif
