/* der.h — the little DER that a CA list needs: lengths, and whether bytes are
 * a DER-encoded X.501 Name (RDNSequence). Written by hand because checking
 * the wire is the point of this project; no TLS library is linked here. */
#ifndef CABOUND_DER_H
#define CABOUND_DER_H

#include <stddef.h>
#include <stdint.h>

/* cb_der_len_size returns how many bytes the DER length of |n| takes (1..4). */
size_t cb_der_len_size(size_t n);

/* cb_der_put_len writes the DER length of |n| at |out| (room for
 * cb_der_len_size(n) bytes) and returns the number of bytes written. */
size_t cb_der_put_len(uint8_t *out, size_t n);

/* cb_der_read_tlv reads one tag-length header at |p| (|avail| bytes). On
 * success returns 0 and sets *tag, *hdr (header bytes) and *len (content
 * length, which may exceed what is available: the caller checks). Rejects
 * indefinite lengths, non-minimal lengths and high tag numbers (-1). */
int cb_der_read_tlv(const uint8_t *p, size_t avail, uint8_t *tag, size_t *hdr, size_t *len);

/* cb_der_name_valid reports whether |p|/|len| is exactly one DER Name: a
 * SEQUENCE of non-empty SETs of SEQUENCE { OBJECT IDENTIFIER, value } with
 * minimal definite lengths and nothing left over. 1 valid, 0 not. */
int cb_der_name_valid(const uint8_t *p, size_t len);

/* cb_der_cert_issuer finds the issuer Name inside a DER certificate.
 * Returns 0 and points *issuer and *ilen into |cert|, or -1. */
int cb_der_cert_issuer(const uint8_t *cert, size_t len, const uint8_t **issuer, size_t *ilen);

/* cb_der_cert_subject is cb_der_cert_issuer for the subject. */
int cb_der_cert_subject(const uint8_t *cert, size_t len, const uint8_t **subject, size_t *slen);

#endif
