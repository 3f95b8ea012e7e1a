/* buf.h — a growable byte buffer. */
#ifndef CABOUND_BUF_H
#define CABOUND_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct cb_buf {
    uint8_t *p;
    size_t len, cap;
    int oom; /* sticky: a failed append leaves the buffer short and sets this */
} cb_buf;

static inline void cb_buf_init(cb_buf *b) { memset(b, 0, sizeof(*b)); }
static inline void cb_buf_free(cb_buf *b) { free(b->p); memset(b, 0, sizeof(*b)); }

static inline int cb_buf_reserve(cb_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap < b->len + extra)
        ncap *= 2;
    uint8_t *n = realloc(b->p, ncap);
    if (!n) {
        b->oom = 1;
        return -1;
    }
    b->p = n;
    b->cap = ncap;
    return 0;
}

static inline int cb_buf_put(cb_buf *b, const void *data, size_t n)
{
    if (cb_buf_reserve(b, n) != 0)
        return -1;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

static inline int cb_buf_u8(cb_buf *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    return cb_buf_put(b, &x, 1);
}

/* Multi-byte integers are written big-endian and truncated to their width,
 * exactly as a TLS encoder that does not check would write them. */
static inline int cb_buf_u16(cb_buf *b, size_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return cb_buf_put(b, x, 2);
}

static inline int cb_buf_u24(cb_buf *b, size_t v)
{
    uint8_t x[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return cb_buf_put(b, x, 3);
}

static inline size_t cb_get_u16(const uint8_t *p) { return (size_t)p[0] << 8 | p[1]; }
static inline size_t cb_get_u24(const uint8_t *p) { return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2]; }

#endif
