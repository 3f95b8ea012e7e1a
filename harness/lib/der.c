#include "der.h"

size_t cb_der_len_size(size_t n)
{
    if (n < 0x80)
        return 1;
    if (n < 0x100)
        return 2;
    if (n < 0x10000)
        return 3;
    return 4;
}

size_t cb_der_put_len(uint8_t *out, size_t n)
{
    size_t k = cb_der_len_size(n);
    if (k == 1) {
        out[0] = (uint8_t)n;
        return 1;
    }
    out[0] = (uint8_t)(0x80 | (k - 1));
    for (size_t i = 1; i < k; i++)
        out[i] = (uint8_t)(n >> (8 * (k - 1 - i)));
    return k;
}

int cb_der_read_tlv(const uint8_t *p, size_t avail, uint8_t *tag, size_t *hdr, size_t *len)
{
    if (avail < 2)
        return -1;
    if ((p[0] & 0x1f) == 0x1f)
        return -1;
    *tag = p[0];
    if (p[1] < 0x80) {
        *hdr = 2;
        *len = p[1];
        return 0;
    }
    size_t nbytes = p[1] & 0x7f;
    if (nbytes == 0 || nbytes > 3 || avail < 2 + nbytes)
        return -1; /* indefinite, or longer than any TLS field can hold */
    size_t n = 0;
    for (size_t i = 0; i < nbytes; i++)
        n = (n << 8) | p[2 + i];
    if (n < 0x80 || cb_der_len_size(n) != 1 + nbytes)
        return -1; /* not minimal */
    *hdr = 2 + nbytes;
    *len = n;
    return 0;
}

/* take reads one TLV that must fit in [*p, end) and advances past it. */
static int take(const uint8_t **p, const uint8_t *end, uint8_t want_tag, const uint8_t **content,
                size_t *clen)
{
    uint8_t tag;
    size_t hdr, len;
    if (cb_der_read_tlv(*p, (size_t)(end - *p), &tag, &hdr, &len) != 0)
        return -1;
    if (want_tag && tag != want_tag)
        return -1;
    if (len > (size_t)(end - *p) - hdr)
        return -1;
    *content = *p + hdr;
    *clen = len;
    *p += hdr + len;
    return 0;
}

static int oid_valid(const uint8_t *p, size_t len)
{
    if (len == 0 || (p[len - 1] & 0x80))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (p[i] == 0x80 && (i == 0 || !(p[i - 1] & 0x80)))
            return 0; /* a sub-identifier with a leading 0x80 is not minimal */
    return 1;
}

int cb_der_name_valid(const uint8_t *p, size_t len)
{
    const uint8_t *end = p + len, *seq;
    size_t seqlen;
    if (take(&p, end, 0x30, &seq, &seqlen) != 0 || p != end)
        return 0;
    const uint8_t *q = seq, *qend = seq + seqlen;
    while (q < qend) {
        const uint8_t *set;
        size_t setlen;
        if (take(&q, qend, 0x31, &set, &setlen) != 0 || setlen == 0)
            return 0;
        const uint8_t *r = set, *rend = set + setlen;
        while (r < rend) {
            const uint8_t *atv, *oid, *val;
            size_t atvlen, oidlen, vallen;
            if (take(&r, rend, 0x30, &atv, &atvlen) != 0)
                return 0;
            const uint8_t *a = atv, *aend = atv + atvlen;
            if (take(&a, aend, 0x06, &oid, &oidlen) != 0 || !oid_valid(oid, oidlen))
                return 0;
            if (take(&a, aend, 0, &val, &vallen) != 0 || a != aend)
                return 0;
        }
    }
    return 1;
}

/* tbs_fields walks Certificate -> tbsCertificate and returns the |index|-th
 * top-level element after the optional [0] version (0 serial, 1 signature,
 * 2 issuer, 3 validity, 4 subject), whole TLV. */
static int tbs_field(const uint8_t *cert, size_t len, int index, const uint8_t **out, size_t *olen)
{
    const uint8_t *p = cert, *end = cert + len, *c, *tbs;
    size_t clen, tbslen;
    if (take(&p, end, 0x30, &c, &clen) != 0)
        return -1;
    p = c;
    end = c + clen;
    if (take(&p, end, 0x30, &tbs, &tbslen) != 0)
        return -1;
    p = tbs;
    end = tbs + tbslen;
    const uint8_t *content;
    size_t n;
    if (p < end && *p == 0xa0 && take(&p, end, 0xa0, &content, &n) != 0)
        return -1;
    for (int i = 0; i <= index; i++) {
        const uint8_t *start = p;
        if (take(&p, end, 0, &content, &n) != 0)
            return -1;
        if (i == index) {
            *out = start;
            *olen = (size_t)(p - start);
        }
    }
    return 0;
}

int cb_der_cert_issuer(const uint8_t *cert, size_t len, const uint8_t **issuer, size_t *ilen)
{
    return tbs_field(cert, len, 2, issuer, ilen);
}

int cb_der_cert_subject(const uint8_t *cert, size_t len, const uint8_t **subject, size_t *slen)
{
    return tbs_field(cert, len, 4, subject, slen);
}
