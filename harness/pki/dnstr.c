/* dnstr.c — RFC 4514 strings through X509_NAME_print_ex with the flags of
 * `openssl x509 -nameopt RFC2253,-esc_msb,utf8` (RFC 4514 obsoletes 2253
 * with the same string form; UTF-8 is allowed unescaped, RFC 4514 2.4). */
#include "dnstr.h"

#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/x509.h>

int cb_dn_string(const uint8_t *der, size_t len, char *out, size_t outlen)
{
    if (!outlen)
        return -1;
    out[0] = 0;
    const unsigned char *p = der;
    X509_NAME *n = len ? d2i_X509_NAME(NULL, &p, (long)len) : NULL;
    if (!n || p != der + len) {
        X509_NAME_free(n);
        snprintf(out, outlen, "(not a DER Name: %zu bytes)", len);
        return -1;
    }
    BIO *b = BIO_new(BIO_s_mem());
    unsigned long flags = (XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT;
    if (!b || X509_NAME_print_ex(b, n, 0, flags) < 0) {
        BIO_free(b);
        X509_NAME_free(n);
        snprintf(out, outlen, "(cannot print this Name)");
        return -1;
    }
    char *data = NULL;
    long got = BIO_get_mem_data(b, &data);
    size_t take = got > 0 ? (size_t)got : 0;
    if (take >= outlen && outlen > 4) {
        memcpy(out, data, outlen - 4);
        memcpy(out + outlen - 4, "...", 4);
    } else {
        take = take < outlen ? take : outlen - 1;
        memcpy(out, data, take);
        out[take] = 0;
    }
    BIO_free(b);
    X509_NAME_free(n);
    return 0;
}
