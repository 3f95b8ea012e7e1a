#include "listfile.h"

#include "errmsg.h"
#include "fileio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int label_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '@' || c == '-';
}

/* parse_dn_line decodes into |der|, a scratch buffer of 65536 bytes (no DN
 * is longer): one allocation per file instead of one per DN. */
static int parse_dn_line(const char *p, const char *end, uint8_t *der, cb_calist *out, const char *name,
                         size_t lineno, char *err, size_t errlen)
{
    const char *hex = p;
    while (p < end && *p != ' ' && *p != '\t')
        p++;
    size_t ndigits = (size_t)(p - hex);
    if (ndigits % 2)
        return cb_fail_at(err, errlen, name, lineno, "odd number of hex digits (%zu)", ndigits);
    if (ndigits / 2 > 65535)
        return cb_fail_at(err, errlen, name, lineno, "DN of %zu bytes exceeds 65535", ndigits / 2);
    for (size_t i = 0; i < ndigits / 2; i++) {
        int hi = cb_hex_value(hex[2 * i]), lo = cb_hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return cb_fail_at(err, errlen, name, lineno, "not a hex digit in DN byte %zu", i);
        der[i] = (uint8_t)(hi << 4 | lo);
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    char label[128];
    size_t llen = 0;
    while (p < end && *p != ' ' && *p != '\t') {
        if (!label_char(*p) || llen + 1 >= sizeof(label))
            return cb_fail_at(err, errlen, name, lineno, "bad label (allowed: A-Z a-z 0-9 . _ : @ -, up to 127)");
        label[llen++] = *p++;
    }
    label[llen] = 0;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p != end)
        return cb_fail_at(err, errlen, name, lineno, "unexpected text after the label");
    int rc = cb_calist_push(out, der, ndigits / 2, llen ? label : NULL);
    if (rc != 0)
        return cb_fail_at(err, errlen, name, lineno, "out of memory");
    return 0;
}

int cb_listfile_parse(const char *name, const char *text, size_t len, cb_calist *out, char *err,
                      size_t errlen)
{
    size_t lineno = 0;
    const char *p = text, *end = text + len;
    int seen_header = 0;
    if (memchr(text, 0, len))
        return cb_fail_at(err, errlen, name, 0, "binary data (NUL byte) in a list file");
    uint8_t *der = malloc(65536);
    if (!der)
        return cb_fail_at(err, errlen, name, 0, "out of memory");
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        lineno++;
        const char *lend = le;
        if (lend > p && lend[-1] == '\r')
            lend--;
        if (!seen_header) {
            size_t hl = strlen(CB_LISTFILE_HEADER);
            if ((size_t)(lend - p) != hl || memcmp(p, CB_LISTFILE_HEADER, hl) != 0) {
                cb_calist_free(out);
                free(der);
                return cb_fail_at(err, errlen, name, lineno, "expected header \"%s\"", CB_LISTFILE_HEADER);
            }
            seen_header = 1;
        } else {
            const char *q = p;
            while (q < lend && (*q == ' ' || *q == '\t'))
                q++;
            if (q == lend || *q == '#') {
                /* blank or comment */
            } else if (lend - q >= 3 && memcmp(q, "dn", 2) == 0 && (q[2] == ' ' || q[2] == '\t')) {
                q += 3;
                while (q < lend && (*q == ' ' || *q == '\t'))
                    q++;
                if (parse_dn_line(q, lend, der, out, name, lineno, err, errlen) != 0) {
                    cb_calist_free(out);
                    free(der);
                    return -1;
                }
            } else if (lend - q == 2 && memcmp(q, "dn", 2) == 0) {
                /* "dn" with nothing after it: a zero-length DN. */
                if (cb_calist_push(out, (const uint8_t *)"", 0, NULL) != 0) {
                    cb_calist_free(out);
                    free(der);
                    return cb_fail_at(err, errlen, name, lineno, "out of memory");
                }
            } else {
                cb_calist_free(out);
                free(der);
                return cb_fail_at(err, errlen, name, lineno, "unknown line (expected \"dn HEX [label]\", a comment or a blank line)");
            }
        }
        p = nl ? nl + 1 : end;
    }
    free(der);
    if (!seen_header)
        return cb_fail_at(err, errlen, name, 0, "empty file (expected header \"%s\")", CB_LISTFILE_HEADER);
    return 0;
}

int cb_listfile_read(const char *path, cb_calist *out, char *err, size_t errlen)
{
    size_t len;
    char *buf = cb_read_file(path, &len, err, errlen);
    if (!buf)
        return -1;
    int rc = cb_listfile_parse(path, buf, len, out, err, errlen);
    free(buf);
    return rc;
}

int cb_listfile_fwrite(FILE *f, const cb_calist *l, const char *comment)
{
    static const char digits[] = "0123456789abcdef";
    fprintf(f, "%s\n", CB_LISTFILE_HEADER);
    if (comment) {
        const char *p = comment;
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            fprintf(f, "# %.*s\n", (int)n, p);
            p += n + (nl ? 1 : 0);
        }
    }
    /* One line at a time: a DN is at most 65535 bytes. */
    char *line = malloc(3 + 2 * 65535 + 1);
    if (!line)
        return -1;
    for (size_t i = 0; i < l->count; i++) {
        char *q = line;
        memcpy(q, "dn ", 3), q += 3;
        for (size_t j = 0; j < l->dns[i].len; j++) {
            *q++ = digits[l->dns[i].der[j] >> 4];
            *q++ = digits[l->dns[i].der[j] & 15];
        }
        fwrite(line, 1, (size_t)(q - line), f);
        if (l->dns[i].label)
            fprintf(f, " %s", l->dns[i].label);
        putc('\n', f);
    }
    free(line);
    return ferror(f) ? -1 : 0;
}

int cb_listfile_write(const char *path, const cb_calist *l, const char *comment, char *err,
                      size_t errlen)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp)
        return cb_fail_at(err, errlen, path, 0, "out of memory");
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int e = errno;
        free(tmp);
        return cb_fail_at(err, errlen, path, 0, "%s", strerror(e));
    }
    int rc = cb_listfile_fwrite(f, l, comment);
    if (fclose(f) != 0)
        rc = -1;
    if (rc != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return cb_fail_at(err, errlen, path, 0, "write failed: %s", strerror(e));
    }
    free(tmp);
    return 0;
}
