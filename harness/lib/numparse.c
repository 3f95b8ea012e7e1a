#include "numparse.h"

#include <stddef.h>

static int digits(const char *s, unsigned base, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return -1;
        if (v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

int cb_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || (s[0] == '0' && s[1] != 0))
        return -1;
    return digits(s, 10, max, out);
}

int cb_parse_u64_hex(const char *s, uint64_t max, uint64_t *out)
{
    if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return digits(s + 2, 16, max, out);
    return cb_parse_u64(s, max, out);
}
