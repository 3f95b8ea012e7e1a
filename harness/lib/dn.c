#include "dn.h"

#include <stdio.h>
#include <string.h>

#include "der.h"
#include "rng.h"

/* id-at-countryName, organizationName, organizationalUnitName, commonName */
enum { AT_C = 6, AT_O = 10, AT_OU = 11, AT_CN = 3 };

struct attr {
    uint8_t type;     /* last byte of 2.5.4.x */
    uint8_t strtag;   /* 0x13 PrintableString, 0x0c UTF8String */
    const char *base; /* fixed part of the value */
    size_t baselen;
    size_t len;       /* value length: base, then padding */
};

static size_t tlv(size_t content) { return 1 + cb_der_len_size(content) + content; }

static size_t atv_rdn_size(const struct attr *a)
{
    size_t atv = tlv(3) /* OID 55 04 xx */ + tlv(a->len);
    return tlv(tlv(atv));
}

static size_t name_size(const struct attr *a, size_t n)
{
    size_t content = 0;
    for (size_t i = 0; i < n; i++)
        content += atv_rdn_size(&a[i]);
    return tlv(content);
}

static const char *const orgs[] = {"Global Trust", "Secure Root", "Example Networks",
                                   "Acme Certification", "Public Key Services", "Digital Identity",
                                   "Northwind Trust", "Internet Security"};
static const char *const units[] = {"Root CA", "Certification Authority", "Trust Network",
                                    "Class 2 Issuing", "Server Roots", "PKI Operations"};
static const char *const countries[] = {"US", "DE", "GB", "FR", "JP", "CH", "NL", "ES"};

static uint8_t *put_attr(uint8_t *p, const struct attr *a, cb_rng *rng)
{
    size_t atv = tlv(3) + tlv(a->len);
    *p++ = 0x31;
    p += cb_der_put_len(p, tlv(atv));
    *p++ = 0x30;
    p += cb_der_put_len(p, atv);
    *p++ = 0x06;
    *p++ = 3;
    *p++ = 0x55;
    *p++ = 0x04;
    *p++ = a->type;
    *p++ = a->strtag;
    p += cb_der_put_len(p, a->len);
    size_t fixed = a->baselen < a->len ? a->baselen : a->len;
    memcpy(p, a->base, fixed);
    /* Padding stays inside PrintableString's alphabet so either tag is valid. */
    static const char pad[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = fixed; i < a->len; i++)
        p[i] = (uint8_t)pad[cb_rng_next(rng) % (sizeof(pad) - 1)];
    return p + a->len;
}

int cb_dn_possible(size_t len)
{
    /* A DER TLV cannot be 130 or 259 bytes long: content 127 takes 129 bytes
     * and content 128 takes 131 (likewise 258 and 260). */
    return len == CB_DN_MIN ||
           (len >= CB_DN_MIN_WITH_ATTR && len <= CB_DN_MAX && len != 130 && len != 259);
}

int cb_dn_build(uint8_t *out, size_t len, uint64_t seed, uint64_t index)
{
    if (!cb_dn_possible(len))
        return -1;
    if (len == CB_DN_MIN) {
        out[0] = 0x30;
        out[1] = 0;
        return 0;
    }
    cb_rng rng;
    cb_rng_seed(&rng, seed * 0x100000001b3ull ^ (index + 1) * 0x9e3779b97f4a7c15ull);
    char cn[48], org[48], unit[48];
    const char *country = countries[cb_rng_next(&rng) % 8];
    snprintf(org, sizeof(org), "%s %u", orgs[cb_rng_next(&rng) % 8],
             (unsigned)(cb_rng_next(&rng) % 1000));
    snprintf(unit, sizeof(unit), "%s", units[cb_rng_next(&rng) % 6]);
    /* The index in the CN keeps names of one list distinct. */
    snprintf(cn, sizeof(cn), "CA %llu cabound", (unsigned long long)index);
    uint8_t strtag = (cb_rng_next(&rng) & 1) ? 0x0c : 0x13;

    struct attr all[4] = {
        {AT_C, 0x13, country, 2, 2},
        {AT_O, strtag, org, strlen(org), strlen(org)},
        {AT_OU, strtag, unit, strlen(unit), strlen(unit)},
        {AT_CN, 0x0c, cn, strlen(cn), 0},
    };
    /* Try the richest shape first; drop attributes until the rest fits. The
     * CN's length is solved for; its base text is cut if there is no room. */
    static const int shapes[][4] = {{0, 1, 2, 3}, {0, 1, 3, -1}, {1, 3, -1, -1}, {3, -1, -1, -1}};
    for (size_t s = 0; s < 4; s++) {
        struct attr a[4];
        size_t n = 0;
        for (size_t i = 0; i < 4 && shapes[s][i] >= 0; i++)
            a[n++] = all[shapes[s][i]];
        struct attr *cnattr = &a[n - 1];
        /* name_size grows by one per CN byte except where a length field
         * widens; search the CN length, then spread any shortfall over the
         * other values' lengths (which stay far from a length threshold). */
        for (size_t extra = 0; extra < 8; extra++) {
            size_t lo = 0, hi = len;
            cnattr->len = 0;
            if (n > 1)
                a[0].len = a[0].baselen + (a[0].type == AT_C ? 0 : extra);
            if (extra && (n == 1 || a[0].type == AT_C)) {
                if (n < 2)
                    break;
                a[1].len = a[1].baselen + extra;
            }
            if (name_size(a, n) > len)
                break;
            while (lo < hi) { /* largest CN length whose size is <= len */
                size_t mid = lo + (hi - lo + 1) / 2;
                cnattr->len = mid;
                if (name_size(a, n) <= len)
                    lo = mid;
                else
                    hi = mid - 1;
            }
            cnattr->len = lo;
            if (name_size(a, n) == len) {
                size_t content = 0;
                for (size_t i = 0; i < n; i++)
                    content += atv_rdn_size(&a[i]);
                uint8_t *p = out;
                *p++ = 0x30;
                p += cb_der_put_len(p, content);
                for (size_t i = 0; i < n; i++)
                    p = put_attr(p, &a[i], &rng);
                return (size_t)(p - out) == len ? 0 : -1;
            }
        }
    }
    return -1;
}
