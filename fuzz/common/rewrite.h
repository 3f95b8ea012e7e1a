/* rewrite.h — the in-flight CertificateRequest rewriter of the client_cr_*
 * targets: the server's TLS 1.2 plaintext flight goes through it on its way to
 * the client, and the first CertificateRequest leaves with its
 * certificate_authorities vector replaced by the fuzz input. The flight is
 * re-framed into records of at most 2^14 bytes (harness/run/relay.c does the
 * same between two shim processes). */
#ifndef CABOUND_FUZZ_REWRITE_H
#define CABOUND_FUZZ_REWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

typedef struct fz_rewriter {
    const uint8_t *vector; /* the replacement vector, outer length included */
    size_t vector_len;
    cb_stream in;
    size_t records_done;
    cb_hs_reasm hs;
    size_t msgs_done;
    int passthrough;
    cb_buf seen; /* every server byte so far */
    int rewritten; /* a CertificateRequest went out rewritten */
} fz_rewriter;

void fz_rewriter_init(fz_rewriter *w, const uint8_t *vector, size_t vector_len);
void fz_rewriter_free(fz_rewriter *w);

/* fz_rewriter_feed consumes server bytes and appends to |out| what the client
 * should receive. Once a record other than handshake arrives (CCS, alert,
 * encrypted data) the rest passes through unchanged. */
void fz_rewriter_feed(fz_rewriter *w, const uint8_t *data, size_t len, cb_buf *out);

#endif
