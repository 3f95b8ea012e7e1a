/* escape.c — escaping for XML/HTML, Markdown, URLs and terminals. */
#include "escape.h"

#include <string.h>

size_t cb_utf8_next(const unsigned char *s, size_t n, long *cp)
{
    unsigned c = s[0];
    size_t len;
    long v, min;
    if (c < 0x80) {
        *cp = (long)c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = -1;
        return 1;
    }
    if (n < len) {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        *cp = -1;
        return 1;
    }
    *cp = v;
    return len;
}

/* Writes the " … (N more bytes)" note of a cut string. */
static void more_note(FILE *f, size_t left)
{
    if (left)
        fprintf(f, " \xe2\x80\xa6 (%zu more bytes)", left);
}

void cb_xml_put(FILE *f, const char *s, size_t max)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        long cp;
        size_t len = cb_utf8_next(p + i, n - i, &cp);
        if (max && i + len > max)
            break;
        switch (cp) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if (cp < 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xfffe || cp == 0xffff)
                fputs("\xef\xbf\xbd", f); /* U+FFFD */
            else
                fwrite(p + i, 1, len, f);
        }
        i += len;
    }
    more_note(f, n - i);
}

void cb_md_put(FILE *f, const char *s, size_t max)
{
    if (!s)
        return;
    size_t n = strlen(s), i;
    for (i = 0; i < n && (!max || i < max); i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || c == '\r' || c == '\t')
            fputc(' ', f);
        else if (c < 0x20 || c == 0x7f)
            continue;
        else if (strchr("\\`*_[]<>|~#!&$", c))
            fprintf(f, "\\%c", c);
        else
            fputc(c, f);
    }
    /* Do not leave half a UTF-8 character behind. */
    while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
        fputc(s[i++], f);
    more_note(f, n - i);
}

void cb_md_code(FILE *f, const char *s)
{
    if (!s)
        return;
    size_t run = 0, longest = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    for (size_t i = 0; i <= longest; i++)
        fputc('`', f);
    fputc(' ', f);
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\n' || c == '\r' || c == '\t')
            fputc(' ', f);
        else if (c < 0x20 || c == 0x7f)
            continue;
        else if (c == '|')
            fputs("\\|", f);
        else
            fputc(c, f);
    }
    fputc(' ', f);
    for (size_t i = 0; i <= longest; i++)
        fputc('`', f);
}

void cb_term_put(FILE *f, const char *s, size_t max)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        long cp;
        size_t len = cb_utf8_next(p + i, n - i, &cp);
        if (max && i + len > max)
            break;
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            fputc('?', f);
        else
            fwrite(p + i, 1, len, f);
        i += len;
    }
    more_note(f, n - i);
}

int cb_rel_path_ok(const char *p)
{
    if (!p || !*p || *p == '/' || *p == '\\' || strstr(p, "://"))
        return 0;
    for (const char *q = p; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f || *q == '\\')
            return 0;
    /* No ".." segment. */
    for (const char *seg = p; seg;) {
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        if (len == 2 && seg[0] == '.' && seg[1] == '.')
            return 0;
        seg = end ? end + 1 : NULL;
    }
    return 1;
}

void cb_url_put(FILE *f, const char *p)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; p && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~/", c))
            fputc(c, f);
        else
            fprintf(f, "%%%c%c", hex[c >> 4], hex[c & 15]);
    }
}
