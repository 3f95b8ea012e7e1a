#include "keylog.h"

#include "errmsg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* unhex decodes exactly |n| digits; -1 on a non-digit. */
static int unhex(const char *s, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n / 2; i++) {
        int hi = cb_hex_value(s[2 * i]), lo = cb_hex_value(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* field cuts the next blank-separated token out of [*p, end). */
static size_t field(const char **p, const char *end, const char **start)
{
    while (*p < end && (**p == ' ' || **p == '\t'))
        (*p)++;
    *start = *p;
    while (*p < end && **p != ' ' && **p != '\t')
        (*p)++;
    return (size_t)(*p - *start);
}

static int parse_line(const char *p, const char *end, cb_keylog_entry *e, int *skip, const char *path,
                      size_t line, char *err, size_t errlen)
{
    const char *lab, *cr, *sec, *extra;
    size_t ll = field(&p, end, &lab);
    *skip = 0;
    if (ll == 0 || lab[0] == '#') {
        *skip = 1;
        return 0;
    }
    size_t crl = field(&p, end, &cr);
    size_t sl = field(&p, end, &sec);
    if (field(&p, end, &extra) != 0)
        return cb_fail_at(err, errlen, path, line, "text after the secret");
    if (ll == 3 && memcmp(lab, "RSA", 3) == 0) {
        *skip = 1;
        return 0;
    }
    if (ll >= CB_KEYLOG_MAX_LABEL)
        return cb_fail_at(err, errlen, path, line, "label longer than %d characters", CB_KEYLOG_MAX_LABEL - 1);
    for (size_t i = 0; i < ll; i++)
        if (!((lab[i] >= 'A' && lab[i] <= 'Z') || (lab[i] >= '0' && lab[i] <= '9') || lab[i] == '_'))
            return cb_fail_at(err, errlen, path, line, "bad label character '%c' (allowed: A-Z 0-9 _)", lab[i]);
    if (crl != 64)
        return cb_fail_at(err, errlen, path, line, "client random has %zu hex digits, expected 64", crl);
    if (unhex(cr, 64, e->client_random) != 0)
        return cb_fail_at(err, errlen, path, line, "client random is not hex");
    if (sl == 0)
        return cb_fail_at(err, errlen, path, line, "missing secret");
    if (sl % 2)
        return cb_fail_at(err, errlen, path, line, "secret has an odd number of hex digits (%zu)", sl);
    if (sl / 2 > CB_KEYLOG_MAX_SECRET)
        return cb_fail_at(err, errlen, path, line, "secret of %zu bytes exceeds %d", sl / 2, CB_KEYLOG_MAX_SECRET);
    if (unhex(sec, sl, e->secret) != 0)
        return cb_fail_at(err, errlen, path, line, "secret is not hex");
    memcpy(e->label, lab, ll);
    e->label[ll] = 0;
    e->secret_len = sl / 2;
    return 0;
}

int cb_keylog_read(const char *path, cb_keylog *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    FILE *f = fopen(path, "r");
    if (!f)
        return cb_fail_at(err, errlen, path, 0, "%s", strerror(errno));
    char *buf = NULL;
    size_t cap = 0, line = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&buf, &cap, f)) >= 0) {
        line++;
        const char *end = buf + n;
        while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
            end--;
        if (memchr(buf, 0, (size_t)(end - buf))) {
            rc = cb_fail_at(err, errlen, path, line, "NUL byte in a key log line");
            break;
        }
        cb_keylog_entry e;
        int skip;
        if (parse_line(buf, end, &e, &skip, path, line, err, errlen) != 0) {
            rc = -1;
            break;
        }
        if (skip)
            continue;
        if (out->count == out->cap) {
            size_t ncap = out->cap ? out->cap * 2 : 16;
            cb_keylog_entry *ne = realloc(out->entries, ncap * sizeof(*ne));
            if (!ne) {
                rc = cb_fail_at(err, errlen, path, line, "out of memory");
                break;
            }
            out->entries = ne;
            out->cap = ncap;
        }
        out->entries[out->count++] = e;
    }
    if (rc == 0 && ferror(f))
        rc = cb_fail_at(err, errlen, path, 0, "read error");
    free(buf);
    fclose(f);
    if (rc != 0)
        cb_keylog_free(out);
    return rc;
}

const uint8_t *cb_keylog_find(const cb_keylog *kl, const char *label, const uint8_t client_random[32],
                              size_t *secret_len)
{
    for (size_t i = 0; i < kl->count; i++) {
        const cb_keylog_entry *e = &kl->entries[i];
        if (strcmp(e->label, label) == 0 && memcmp(e->client_random, client_random, 32) == 0) {
            if (secret_len)
                *secret_len = e->secret_len;
            return e->secret;
        }
    }
    return NULL;
}

void cb_keylog_free(cb_keylog *kl)
{
    free(kl->entries);
    memset(kl, 0, sizeof(*kl));
}
