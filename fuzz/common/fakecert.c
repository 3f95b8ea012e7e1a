#include "fakecert.h"

#include <string.h>

#include "creds.h"
#include "der.h"

static const uint8_t version[] = {0xa0, 0x03, 0x02, 0x01, 0x02};
static const uint8_t sigalg[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t validity[] = {0x30, 0x20, 0x17, 0x0d, '2', '0', '0', '1', '0', '1', '0', '0', '0', '0',
                                   '0', '0', 'Z', 0x18, 0x0f, '2', '0', '4', '9', '1', '2', '3', '1',
                                   '2', '3', '5', '9', '5', '9', 'Z'};
/* [3] { SEQUENCE { basicConstraints critical CA:TRUE } } */
static const uint8_t exts[] = {0xa3, 0x13, 0x30, 0x11, 0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d, 0x13,
                               0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff};
static const uint8_t signature[] = {0x03, 0x09, 0x00, 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};

/* The CA's subjectPublicKeyInfo, found once in creds.h's certificate. */
static const uint8_t *spki;
static size_t spki_len;

static int find_spki(void)
{
    const uint8_t *p = fz_ca_cert, *end = fz_ca_cert + sizeof(fz_ca_cert);
    uint8_t tag;
    size_t hdr, len;
    /* Certificate, then into tbsCertificate */
    for (int i = 0; i < 2; i++) {
        if (cb_der_read_tlv(p, (size_t)(end - p), &tag, &hdr, &len) != 0)
            return -1;
        p += hdr;
    }
    /* [0] version, serial, signature, issuer, validity, subject, then SPKI */
    for (int i = 0; i < 7; i++) {
        if (cb_der_read_tlv(p, (size_t)(end - p), &tag, &hdr, &len) != 0 || hdr + len > (size_t)(end - p))
            return -1;
        if (i == 6) {
            spki = p;
            spki_len = hdr + len;
            return 0;
        }
        p += hdr + len;
    }
    return -1;
}

static void tl(cb_buf *out, uint8_t tag, size_t len)
{
    uint8_t h[5];
    h[0] = tag;
    cb_buf_put(out, h, 1 + cb_der_put_len(h + 1, len));
}

int fz_fakecert(const uint8_t *dn, size_t dn_len, uint32_t serial, cb_buf *out)
{
    if (!spki && find_spki() != 0)
        return -1;
    /* A minimal positive 4-byte INTEGER: 0x01000000 + serial (mod 2^24). */
    uint8_t ser[6] = {0x02, 0x04, 0x01, (uint8_t)(serial >> 16), (uint8_t)(serial >> 8), (uint8_t)serial};
    size_t tbs = sizeof(version) + sizeof(ser) + sizeof(sigalg) + 2 * dn_len + sizeof(validity) + spki_len +
                 sizeof(exts);
    size_t tbs_tlv = 1 + cb_der_len_size(tbs) + tbs;
    tl(out, 0x30, tbs_tlv + sizeof(sigalg) + sizeof(signature));
    tl(out, 0x30, tbs);
    cb_buf_put(out, version, sizeof(version));
    cb_buf_put(out, ser, sizeof(ser));
    cb_buf_put(out, sigalg, sizeof(sigalg));
    cb_buf_put(out, dn, dn_len);
    cb_buf_put(out, validity, sizeof(validity));
    cb_buf_put(out, dn, dn_len);
    cb_buf_put(out, spki, spki_len);
    cb_buf_put(out, exts, sizeof(exts));
    cb_buf_put(out, sigalg, sizeof(sigalg));
    cb_buf_put(out, signature, sizeof(signature));
    return out->oom ? -1 : 0;
}
