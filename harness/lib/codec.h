/* codec.h — the certificate_authorities list on the wire, both versions:
 * TLS 1.2 CertificateRequest.certificate_authorities<0..2^16-1> (RFC 5246
 * 7.4.4) and the TLS 1.3 certificate_authorities extension, type 47,
 * DistinguishedName authorities<3..2^16-1> (RFC 8446 4.2.4). */
#ifndef CABOUND_CODEC_H
#define CABOUND_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "calist.h"

#define CB_EXT_CERTIFICATE_AUTHORITIES 47
#define CB_EXT_SIGNATURE_ALGORITHMS 13
#define CB_HS_CERTIFICATE_REQUEST 13

/* What a decoder can say about a list. The primary class is the most serious
 * one found (order below, most serious first); flags hold all of them. */
enum cb_class {
    CB_CLASS_TOO_SHORT,      /* fewer than 2 bytes: no outer length at all */
    CB_CLASS_WRAPPED,        /* outer length == true length mod 65536 */
    CB_CLASS_DN_CUT,         /* the bytes end in the middle of a DN */
    CB_CLASS_OUTER_MISMATCH, /* outer length claims more than is present */
    CB_CLASS_INNER_OVERRUN,  /* a DN's length runs past the list */
    CB_CLASS_TRAILING,       /* bytes after the list's outer length */
    CB_CLASS_ZERO_LEN_DN,    /* a DN of length 0 */
    CB_CLASS_NOT_DER,        /* a DN that is not a DER Name */
    CB_CLASS_EMPTY,          /* a well-formed list of no DNs */
    CB_CLASS_WELL_FORMED,
    CB_CLASS_COUNT
};

#define CB_FLAG(c) (1u << (c))
/* Not a malformation by itself, reported beside the class. */
#define CB_FLAG_DUPLICATES (1u << 16)

const char *cb_class_name(enum cb_class c);
/* cb_class_parse returns the class named |s|, or -1. */
int cb_class_parse(const char *s);

typedef struct cb_decoded {
    enum cb_class cls;
    unsigned flags;
    size_t outer_len;   /* the 16-bit outer length as written */
    size_t content_len; /* bytes present after the outer length */
    size_t parsed_bytes;/* list bytes of the whole DNs parsed */
    size_t bad_offset;  /* offset (from the outer length) of the first problem */
    cb_calist dns;      /* whole DNs found, in order, valid or not */
} cb_decoded;

void cb_decoded_free(cb_decoded *d);

/* cb_decode_vector classifies |avail| bytes that should be exactly one
 * DN vector (2-byte outer length, then 2-byte-length DNs). Always fills
 * |out|; returns 0, or -1 only when memory runs out. */
int cb_decode_vector(const uint8_t *p, size_t avail, cb_decoded *out);

/* Encoders write what a straightforward encoder writes: lengths are truncated
 * to their field width (a list past 65535 bytes gets a wrapped length), so
 * the codec can produce every wire form the decoder must recognise. Each
 * returns 0 or -1 (out of memory). */
int cb_encode_vector(const cb_calist *l, cb_buf *out);
int cb_encode_ext13(const cb_calist *l, cb_buf *out);
/* Whole handshake messages (4-byte header included). */
int cb_encode_cr12(const cb_calist *l, cb_buf *out);
int cb_encode_cr13(const cb_calist *l, cb_buf *out);
/* Fixed bytes of cb_encode_cr12/13's message outside the list bytes. */
size_t cb_cr12_overhead(void);
size_t cb_cr13_overhead(void);

/* A CertificateRequest body (after the 4-byte handshake header), parsed. */
typedef struct cb_cr_info {
    int has_list;           /* 1.3: the extension was present; 1.2: always 1 */
    int structure_ok;       /* the fields before the list parsed */
    size_t vector_offset;   /* offset of the outer length in the body */
    size_t vector_avail;    /* bytes from there to the end of its container */
    int ext_block_bad;      /* 1.3: the extensions block's 16-bit length is not the bytes that follow */
    size_t ext_block_declared, ext_block_actual;
    cb_decoded list;
} cb_cr_info;

/* cb_parse_cr parses a CertificateRequest body for TLS 1.2 (tls13 == 0) or
 * 1.3 and decodes its list. Returns 0 or -1 (out of memory). */
int cb_parse_cr(const uint8_t *body, size_t len, int tls13, cb_cr_info *out);
void cb_cr_info_free(cb_cr_info *i);

#endif
