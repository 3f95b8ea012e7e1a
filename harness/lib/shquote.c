#include "shquote.h"

#include <string.h>

static int bare(const char *w)
{
    if (!*w)
        return 0;
    for (; *w; w++)
        if (!((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') || (*w >= '0' && *w <= '9') || strchr("_./:@,=+%-", *w)))
            return 0;
    return 1;
}

int cb_shquote(char *out, size_t outlen, const char *word)
{
    size_t n = strlen(out), o = n;
    if (bare(word)) {
        size_t l = strlen(word);
        if (n + l + 1 > outlen)
            return -1;
        memcpy(out + n, word, l + 1);
        return 0;
    }
    if (o + 1 >= outlen)
        return -1;
    out[o++] = '\'';
    for (const char *p = word; *p; p++) {
        const char *piece = *p == '\'' ? "'\\''" : NULL;
        size_t l = piece ? 4 : 1;
        if (o + l + 2 > outlen) {
            out[n] = 0;
            return -1;
        }
        if (piece)
            memcpy(out + o, piece, 4);
        else
            out[o] = *p;
        o += l;
    }
    out[o++] = '\'';
    out[o] = 0;
    return 0;
}
