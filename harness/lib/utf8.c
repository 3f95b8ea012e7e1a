#include "utf8.h"

#include <string.h>

/* seq_len returns the length of the valid sequence at |s| (n bytes left),
 * or 0 when the bytes there are not one. */
static size_t seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned long v, min;
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0)
        len = 2, v = c & 0x1f, min = 0x80;
    else if ((c & 0xf0) == 0xe0)
        len = 3, v = c & 0x0f, min = 0x800;
    else if ((c & 0xf8) == 0xf0)
        len = 4, v = c & 0x07, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    return len;
}

size_t cb_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t l = seq_len((const unsigned char *)s + i, n - i);
        if (!l)
            return i;
        i += l;
    }
    return n;
}

void cb_utf8_copy(char *dst, size_t dstlen, const char *src)
{
    if (!dstlen)
        return;
    size_t n = strlen(src), i = 0, o = 0;
    while (i < n) {
        size_t l = seq_len((const unsigned char *)src + i, n - i);
        size_t put = l ? l : 1;
        if (o + put > dstlen - 1)
            break;
        if (l)
            memmove(dst + o, src + i, l);
        else
            dst[o] = '?';
        o += put;
        i += put;
    }
    dst[o] = 0;
}

void cb_utf8_clean(char *s)
{
    /* In place is safe: the output is never longer than what was read. */
    cb_utf8_copy(s, strlen(s) + 1, s);
}
