#include "codec.h"

#include <stdlib.h>
#include <string.h>

#include "der.h"

static const char *const class_names[CB_CLASS_COUNT] = {
    "too-short",     "wrapped-length", "dn-cut",   "outer-mismatch", "inner-overrun",
    "trailing-bytes", "zero-length-dn", "not-der", "empty",          "well-formed",
};

const char *cb_class_name(enum cb_class c) { return c < CB_CLASS_COUNT ? class_names[c] : "?"; }

int cb_class_parse(const char *s)
{
    for (int i = 0; i < CB_CLASS_COUNT; i++)
        if (strcmp(s, class_names[i]) == 0)
            return i;
    return -1;
}

void cb_decoded_free(cb_decoded *d) { cb_calist_free(&d->dns); }

static void flag(cb_decoded *d, enum cb_class c, size_t offset)
{
    if (!(d->flags & 0xffffu))
        d->bad_offset = offset;
    d->flags |= CB_FLAG(c);
}

struct dn_key {
    uint64_t hash;
    const cb_dn *dn;
};

static int by_key(const void *a, const void *b)
{
    const struct dn_key *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    if (x->dn->len != y->dn->len)
        return x->dn->len < y->dn->len ? -1 : 1;
    return x->dn->len ? memcmp(x->dn->der, y->dn->der, x->dn->len) : 0;
}

/* has_duplicates sorts the DNs by a hash of their bytes (FNV-1a) and compares
 * neighbours: a list of 16,383 DNs takes milliseconds, not a quadratic scan.
 * Returns 1, 0, or -1 when memory runs out. */
static int has_duplicates(const cb_calist *l)
{
    if (l->count < 2)
        return 0;
    struct dn_key *k = malloc(l->count * sizeof(*k));
    if (!k)
        return -1;
    for (size_t i = 0; i < l->count; i++) {
        uint64_t h = 0xcbf29ce484222325ull;
        for (size_t j = 0; j < l->dns[i].len; j++)
            h = (h ^ l->dns[i].der[j]) * 0x100000001b3ull;
        k[i] = (struct dn_key){h, &l->dns[i]};
    }
    qsort(k, l->count, sizeof(*k), by_key);
    int dup = 0;
    for (size_t i = 1; i < l->count && !dup; i++)
        dup = by_key(&k[i - 1], &k[i]) == 0;
    free(k);
    return dup;
}

int cb_decode_vector(const uint8_t *p, size_t avail, cb_decoded *out)
{
    memset(out, 0, sizeof(*out));
    cb_calist_init(&out->dns);
    if (avail < 2) {
        out->cls = CB_CLASS_TOO_SHORT;
        out->flags = CB_FLAG(CB_CLASS_TOO_SHORT);
        out->content_len = avail;
        return 0;
    }
    size_t L = cb_get_u16(p), C = avail - 2, region;
    out->outer_len = L;
    out->content_len = C;
    int claims_more = 0;
    if (L == C) {
        region = C;
    } else if (C > 0xffff && (C & 0xffff) == L) {
        flag(out, CB_CLASS_WRAPPED, 0);
        region = C;
    } else if (L < C) {
        flag(out, CB_CLASS_TRAILING, 2 + L);
        region = L;
    } else {
        flag(out, CB_CLASS_OUTER_MISMATCH, 0);
        region = C;
        claims_more = 1;
    }
    const uint8_t *q = p + 2;
    size_t off = 0;
    while (off < region) {
        if (region - off < 2 || cb_get_u16(q + off) > region - off - 2) {
            /* When the outer length promised more, the bytes simply stop
             * inside this DN; otherwise the DN's own length is wrong. */
            flag(out, claims_more ? CB_CLASS_DN_CUT : CB_CLASS_INNER_OVERRUN, 2 + off);
            break;
        }
        size_t d = cb_get_u16(q + off);
        const uint8_t *dn = q + off + 2;
        if (d == 0)
            flag(out, CB_CLASS_ZERO_LEN_DN, 2 + off);
        else if (!cb_der_name_valid(dn, d))
            flag(out, CB_CLASS_NOT_DER, 2 + off);
        if (cb_calist_push(&out->dns, dn, d, NULL) != 0)
            return -1;
        out->parsed_bytes += 2 + d;
        off += 2 + d;
    }
    if (has_duplicates(&out->dns) > 0)
        out->flags |= CB_FLAG_DUPLICATES;
    if (L == 0 && C == 0)
        flag(out, CB_CLASS_EMPTY, 0);
    out->cls = CB_CLASS_WELL_FORMED;
    for (int c = 0; c < CB_CLASS_COUNT; c++)
        if (out->flags & CB_FLAG(c)) {
            out->cls = (enum cb_class)c;
            break;
        }
    return 0;
}

int cb_encode_vector(const cb_calist *l, cb_buf *out)
{
    cb_buf_u16(out, cb_calist_list_bytes(l));
    for (size_t i = 0; i < l->count; i++) {
        cb_buf_u16(out, l->dns[i].len);
        cb_buf_put(out, l->dns[i].der, l->dns[i].len);
    }
    return out->oom ? -1 : 0;
}

int cb_encode_ext13(const cb_calist *l, cb_buf *out)
{
    cb_buf_u16(out, CB_EXT_CERTIFICATE_AUTHORITIES);
    cb_buf_u16(out, 2 + cb_calist_list_bytes(l));
    return cb_encode_vector(l, out);
}

/* ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256,
 * ecdsa_secp384r1_sha384, rsa_pss_rsae_sha384, rsa_pkcs1_sha384 */
static const uint8_t sigalgs[] = {0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01};

size_t cb_cr12_overhead(void) { return 4 + 1 + 2 + 2 + sizeof(sigalgs) + 2; }
size_t cb_cr13_overhead(void) { return 4 + 1 + 2 + 4 + 2 + sizeof(sigalgs) + 4 + 2; }

int cb_encode_cr12(const cb_calist *l, cb_buf *out)
{
    size_t lb = cb_calist_list_bytes(l);
    cb_buf_u8(out, CB_HS_CERTIFICATE_REQUEST);
    cb_buf_u24(out, cb_cr12_overhead() - 4 + lb);
    cb_buf_u8(out, 2);
    cb_buf_u8(out, 1);  /* rsa_sign */
    cb_buf_u8(out, 64); /* ecdsa_sign */
    cb_buf_u16(out, sizeof(sigalgs));
    cb_buf_put(out, sigalgs, sizeof(sigalgs));
    return cb_encode_vector(l, out);
}

int cb_encode_cr13(const cb_calist *l, cb_buf *out)
{
    size_t lb = cb_calist_list_bytes(l);
    size_t exts = 4 + 2 + sizeof(sigalgs) + 4 + 2 + lb;
    cb_buf_u8(out, CB_HS_CERTIFICATE_REQUEST);
    cb_buf_u24(out, 1 + 2 + exts);
    cb_buf_u8(out, 0); /* empty certificate_request_context */
    cb_buf_u16(out, exts);
    cb_buf_u16(out, CB_EXT_SIGNATURE_ALGORITHMS);
    cb_buf_u16(out, 2 + sizeof(sigalgs));
    cb_buf_u16(out, sizeof(sigalgs));
    cb_buf_put(out, sigalgs, sizeof(sigalgs));
    return cb_encode_ext13(l, out);
}

void cb_cr_info_free(cb_cr_info *i) { cb_decoded_free(&i->list); }

int cb_parse_cr(const uint8_t *body, size_t len, int tls13, cb_cr_info *out)
{
    memset(out, 0, sizeof(*out));
    cb_calist_init(&out->list.dns);
    size_t off = 0;
    if (!tls13) {
        if (len < 1 || len < 1 + (size_t)body[0] + 2)
            return 0;
        off = 1 + body[0];
        size_t sl = cb_get_u16(body + off);
        if (len < off + 2 + sl)
            return 0;
        off += 2 + sl;
        out->structure_ok = 1;
        out->has_list = 1;
        out->vector_offset = off;
        out->vector_avail = len - off;
        return cb_decode_vector(body + off, len - off, &out->list);
    }
    if (len < 1 || len < 1 + (size_t)body[0] + 2)
        return 0;
    off = 1 + body[0];
    /* The extensions block length is walked, not trusted, and compared: a
     * block over 65535 bytes cannot be said in 16 bits (rustls and OpenSSL
     * write the low bits). */
    out->ext_block_declared = cb_get_u16(body + off);
    out->ext_block_actual = len - off - 2;
    out->ext_block_bad = out->ext_block_declared != out->ext_block_actual;
    off += 2;
    /* The extensions block may itself be mis-sized by a wrapping encoder:
     * walk what is present, not what the block claims. */
    size_t end = len;
    out->structure_ok = 1;
    while (off + 4 <= end) {
        size_t type = cb_get_u16(body + off), xl = cb_get_u16(body + off + 2);
        if (type == CB_EXT_CERTIFICATE_AUTHORITIES) {
            out->has_list = 1;
            out->vector_offset = off + 4;
            /* A wrapped 16-bit extension length or one that claims more
             * than is present: the bytes that are there are the truth. */
            size_t rest = end - (off + 4);
            if ((rest > 0xffff && (rest & 0xffff) == xl) || xl > rest)
                out->vector_avail = rest;
            else
                out->vector_avail = xl;
            return cb_decode_vector(body + off + 4, out->vector_avail, &out->list);
        }
        if (xl > end - off - 4) {
            out->structure_ok = 0;
            return 0;
        }
        off += 4 + xl;
    }
    return 0;
}
