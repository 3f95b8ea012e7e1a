#include "dnsource.h"

#include <errno.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "listfile.h"

int cb_dns_load(const char *path, const char *label, cb_calist *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char head[32] = {0};
    size_t got = fread(head, 1, strlen(CB_LISTFILE_HEADER), f);
    if (got == strlen(CB_LISTFILE_HEADER) && memcmp(head, CB_LISTFILE_HEADER, got) == 0) {
        fclose(f);
        cb_calist tmp;
        cb_calist_init(&tmp);
        if (cb_listfile_read(path, &tmp, err, errlen) != 0)
            return -1;
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < tmp.count; i++)
            rc = cb_calist_push(out, tmp.dns[i].der, tmp.dns[i].len,
                                tmp.dns[i].label ? tmp.dns[i].label : label);
        cb_calist_free(&tmp);
        if (rc)
            snprintf(err, errlen, "%s: out of memory", path);
        return rc;
    }
    rewind(f);
    size_t n = 0;
    X509 *x;
    while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
        unsigned char *der = NULL;
        int len = i2d_X509_NAME(X509_get_subject_name(x), &der);
        int rc = len > 0 ? cb_calist_push(out, der, (size_t)len, label) : -1;
        OPENSSL_free(der);
        X509_free(x);
        if (rc != 0) {
            fclose(f);
            snprintf(err, errlen, "%s: certificate %zu: cannot encode its subject", path, n + 1);
            return -1;
        }
        n++;
    }
    fclose(f);
    if (n == 0) {
        snprintf(err, errlen, "%s: neither a list file (\"%s\") nor PEM certificates", path,
                 CB_LISTFILE_HEADER);
        return -1;
    }
    return 0;
}
