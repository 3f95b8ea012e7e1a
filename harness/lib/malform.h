/* malform.h — deliberately malformed CA lists, to feed to clients. */
#ifndef CABOUND_MALFORM_H
#define CABOUND_MALFORM_H

#include <stddef.h>

#include "buf.h"
#include "calist.h"

/* cb_malform_names returns the NULL-terminated list of malformation names:
 * empty, zero-length-dn, not-der, trailing-bytes, inner-overrun,
 * outer-mismatch, dn-cut, wrapped-length, duplicates, dn-65000. */
const char *const *cb_malform_names(void);

/* cb_malform_vector writes the certificate_authorities vector (outer length
 * included) for malformation |name| built around |base| (the list the case
 * would otherwise send; its DNs stay in, so a client can still find its
 * issuer where the malformation allows). Returns 0, or -1 for an unknown
 * name or out of memory. */
int cb_malform_vector(const char *name, const cb_calist *base, cb_buf *out);

/* cb_malform_list gives the same malformation as a list of DNs, for servers
 * that send raw DN bytes unchecked (BoringSSL's CRYPTO_BUFFER list). Only
 * malformations that a list of DNs can express have one: empty,
 * zero-length-dn, not-der, duplicates, dn-65000, wrapped-length. Returns 0,
 * or -1 when there is none. |out| is initialised by the caller. */
int cb_malform_list(const char *name, const cb_calist *base, cb_calist *out);

#endif
