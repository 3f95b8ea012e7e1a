#include <string.h>

#include "lex.h"
#include "utf8.h"

/* cb_lex_split: see lex.h. */
int cb_lex_split(const char *p, const char *end, cb_lex_line *l, const char **why)
{
    l->n = 0;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p == end || *p == '#')
            break;
        if (l->n == CB_LEX_MAX_WORDS) {
            *why = "too many words on one line";
            return -1;
        }
        char *o = l->w[l->n];
        size_t k = 0;
        if (*p == '"') {
            p++;
            while (p < end && *p != '"') {
                if (*p == '\\' && p + 1 < end)
                    p++;
                if (k + 1 >= sizeof(l->w[0])) {
                    *why = "quoted string too long";
                    return -1;
                }
                o[k++] = *p++;
            }
            if (p == end) {
                *why = "unterminated quoted string";
                return -1;
            }
            p++;
        } else {
            while (p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#') {
                if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
                    *why = "a byte that is not printable ASCII";
                    return -1;
                }
                if (k + 1 >= sizeof(l->w[0])) {
                    *why = "word too long";
                    return -1;
                }
                o[k++] = *p++;
            }
        }
        o[k] = 0;
        l->n++;
    }
    return 0;
}

int cb_lex_start(cb_lex_reader *r, const char *text, size_t len, const char **why)
{
    r->p = text;
    r->end = text + len;
    r->lineno = 0;
    if (memchr(text, 0, len)) {
        *why = "binary data (NUL byte)";
        return -1;
    }
    return 0;
}

int cb_lex_next(cb_lex_reader *r, cb_lex_line *l, const char **why)
{
    while (r->p < r->end) {
        const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
        const char *le = nl ? nl : r->end;
        r->lineno++;
        if (cb_utf8_valid(r->p, (size_t)(le - r->p)) != (size_t)(le - r->p)) {
            /* Every word may reach a results line, and JSON holds UTF-8. */
            *why = "not valid UTF-8";
            return -1;
        }
        if (cb_lex_split(r->p, le, l, why) != 0)
            return -1;
        r->p = nl ? nl + 1 : r->end;
        if (l->n > 0)
            return 1;
    }
    return 0;
}

int cb_lex_id(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '@' || *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}
