#include "calist_input.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "codec.h"
#include "der.h"
#include "dn.h"
#include "fuzz.h"
#include "rng.h"

/* ---- parsing and serialising ------------------------------------------- */

int fz_calist_parse(const uint8_t *data, size_t size, fz_calist_input *out)
{
    memset(out, 0, sizeof(*out));
    cb_calist_init(&out->list);
    if (size == 0)
        return 0;
    out->opts = data[0];
    size_t off = 1;
    while (size - off >= 2 && cb_get_u16(data + off) <= size - off - 2) {
        size_t n = cb_get_u16(data + off);
        if (cb_calist_push(&out->list, data + off + 2, n, NULL) != 0) {
            cb_calist_free(&out->list);
            return -1;
        }
        off += 2 + n;
    }
    out->trail = data + off;
    out->trail_len = size - off;
    return 0;
}

void fz_calist_input_free(fz_calist_input *in) { cb_calist_free(&in->list); }

int fz_calist_view(const uint8_t *data, size_t size, fz_calist_input *out)
{
    static cb_dn *dns;
    static size_t cap;
    memset(out, 0, sizeof(*out));
    out->trail = data;
    if (size == 0)
        return 0;
    out->opts = data[0];
    size_t off = 1, n = 0;
    while (size - off >= 2 && cb_get_u16(data + off) <= size - off - 2) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            cb_dn *p = realloc(dns, ncap * sizeof(*p));
            if (!p)
                return -1;
            dns = p;
            cap = ncap;
        }
        size_t len = cb_get_u16(data + off);
        /* cb_dn holds a writable pointer; the view never writes through it. */
        dns[n++] = (cb_dn){(uint8_t *)(uintptr_t)(data + off + 2), len, NULL};
        off += 2 + len;
    }
    out->list = (cb_calist){dns, n, cap};
    out->trail = data + off;
    out->trail_len = size - off;
    return 0;
}

int fz_calist_valid(const cb_calist *l)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->dns[i].len == 0 || !cb_der_name_valid(l->dns[i].der, l->dns[i].len))
            return 0;
    return 1;
}

size_t fz_calist_serialise(uint8_t opts, const cb_calist *l, const uint8_t *trail, size_t trail_len,
                           uint8_t *out, size_t max)
{
    if (max == 0)
        return 0;
    out[0] = opts;
    size_t n = 1;
    for (size_t i = 0; i < l->count && n + 2 + l->dns[i].len <= max; i++) {
        out[n] = (uint8_t)(l->dns[i].len >> 8);
        out[n + 1] = (uint8_t)l->dns[i].len;
        memcpy(out + n + 2, l->dns[i].der, l->dns[i].len);
        n += 2 + l->dns[i].len;
    }
    if (trail_len && n + trail_len <= max) {
        memcpy(out + n, trail, trail_len);
        n += trail_len;
    }
    return n;
}

/* ---- the mutator ---------------------------------------------------------
 * It runs between executions, outside LLVMFuzzerTestOneInput: libFuzzer
 * discards the coverage it would record, so it is built without coverage
 * instrumentation (still under ASan+UBSan). With it, the mutator took a
 * tenth of calist_codec's time (README.md, "Speed"). */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)
#endif

/* ---- the mutator's working form ----------------------------------------
 * A list of spans into one of three byte stores: the input being mutated,
 * the second input of a cross-over, and an arena of new DN bytes. Offsets,
 * not pointers, because the arena grows. */

enum { SRC_A, SRC_B, SRC_NEW };

struct span {
    uint8_t src;
    size_t off, len;
};

static struct work {
    cb_buf store[3];
    struct span *s;
    size_t n, cap;
    uint8_t opts;
    struct span trail;
    cb_rng rng;
    size_t max; /* serialised size limit */
} w;

static const uint8_t *span_ptr(const struct span *s) { return w.store[s->src].p + s->off; }

static size_t rnd(size_t n) { return n ? (size_t)(cb_rng_next(&w.rng) % n) : 0; }
static size_t rnd_in(size_t lo, size_t hi) { return hi <= lo ? lo : lo + rnd(hi - lo + 1); }

static void spans_reserve(size_t n)
{
    if (n <= w.cap)
        return;
    size_t ncap = w.cap ? w.cap : 256;
    while (ncap < n)
        ncap *= 2;
    struct span *p = realloc(w.s, ncap * sizeof(*p));
    if (!p)
        fz_oom("calist mutator");
    w.s = p;
    w.cap = ncap;
}

static void span_insert(size_t pos, struct span sp)
{
    spans_reserve(w.n + 1);
    memmove(&w.s[pos + 1], &w.s[pos], (w.n - pos) * sizeof(*w.s));
    w.s[pos] = sp;
    w.n++;
}

static void span_remove(size_t pos)
{
    memmove(&w.s[pos], &w.s[pos + 1], (w.n - pos - 1) * sizeof(*w.s));
    w.n--;
}

static size_t list_bytes(void)
{
    size_t t = 0;
    for (size_t i = 0; i < w.n; i++)
        t += 2 + w.s[i].len;
    return t;
}

/* Parses |data| into spans of store |src| (copied, since the mutator
 * writes its output over its input). */
static void load(int src, const uint8_t *data, size_t size, int set_opts)
{
    cb_buf *st = &w.store[src];
    st->len = 0;
    st->oom = 0;
    if (cb_buf_put(st, data, size) != 0)
        fz_oom("calist mutator");
    if (size == 0)
        return;
    if (set_opts)
        w.opts = data[0];
    size_t off = 1;
    while (size - off >= 2 && cb_get_u16(data + off) <= size - off - 2) {
        size_t n = cb_get_u16(data + off);
        span_insert(w.n, (struct span){(uint8_t)src, off + 2, n});
        off += 2 + n;
    }
    if (set_opts)
        w.trail = (struct span){(uint8_t)src, off, size - off};
}

/* new_dn appends a DER Name of |len| bytes (cb_dn_build) to the arena. */
static int new_dn(size_t len, struct span *out)
{
    cb_buf *a = &w.store[SRC_NEW];
    if (!cb_dn_possible(len) || cb_buf_reserve(a, len) != 0)
        return -1;
    if (cb_dn_build(a->p + a->len, len, cb_rng_next(&w.rng), rnd(1000000)) != 0)
        return -1;
    *out = (struct span){SRC_NEW, a->len, len};
    a->len += len;
    return 0;
}

/* A DN size: mostly what real CA names weigh, sometimes huge; never more
 * than the input has room for (emit would drop it: a small target's
 * max_len makes most huge DNs wasted work). */
static size_t pick_size(void)
{
    size_t r = rnd(100), s;
    if (r < 3)
        return 2;
    if (r < 50)
        s = rnd_in(13, 120);
    else if (r < 75)
        s = rnd_in(120, 400);
    else if (r < 92)
        s = rnd_in(400, 4000);
    else
        s = rnd_in(4000, CB_DN_MAX);
    if (w.max < 16 + 3)
        return 2;
    if (s + 3 > w.max)
        s = rnd_in(13, w.max - 3);
    return cb_dn_possible(s) ? s : s + 1;
}

/* grow_one makes some DN |delta| bytes longer (rebuilt, or raw bytes
 * appended when no valid Name has that size). */
static void grow_one(size_t delta)
{
    cb_buf *a = &w.store[SRC_NEW];
    size_t i = w.n ? rnd(w.n) : 0;
    if (w.n && w.s[i].len + delta <= CB_DN_MAX) {
        struct span sp;
        if (new_dn(w.s[i].len + delta, &sp) == 0) {
            w.s[i] = sp;
            return;
        }
        size_t len = w.s[i].len;
        if (cb_buf_reserve(a, len + delta) != 0)
            return;
        memcpy(a->p + a->len, span_ptr(&w.s[i]), len);
        memset(a->p + a->len + len, 0x41, delta);
        w.s[i] = (struct span){SRC_NEW, a->len, len + delta};
        a->len += len + delta;
    } else if (delta >= 2) {
        if (cb_buf_reserve(a, delta - 2) != 0)
            return;
        memset(a->p + a->len, 0x30, delta - 2);
        span_insert(w.n, (struct span){SRC_NEW, a->len, delta - 2});
        a->len += delta - 2;
    }
}

/* fill appends DNs (at the end, or at random places) adding exactly
 * |delta| list bytes where valid Names allow, else the nearest. */
static void fill(size_t delta)
{
    int anywhere = rnd(4) == 0;
    while (delta > 0) {
        struct span sp;
        size_t pos = anywhere ? rnd(w.n + 1) : w.n;
        if (delta >= 4 && delta - 2 <= CB_DN_MAX && cb_dn_possible(delta - 2) &&
            (delta - 2 <= 2000 || rnd(4) == 0)) {
            if (new_dn(delta - 2, &sp) == 0)
                span_insert(pos, sp);
            return;
        }
        if (delta < 32) {
            grow_one(delta);
            return;
        }
        size_t hi = delta - 2 - 15;
        size_t s = rnd_in(13, hi < 600 ? hi : 600);
        if (!cb_dn_possible(s))
            s--;
        if (new_dn(s, &sp) != 0)
            return;
        span_insert(pos, sp);
        delta -= 2 + s;
    }
}

/* steer moves the list bytes onto a boundary: 2^14, 2^15 or 2^16, +-2,
 * counted as list, vector, extension, or CertificateRequest bytes; when
 * none fits in max_len (calist_codec), onto a power of two from 2^7 up
 * that does. */
static void steer(void)
{
    static const size_t bases[] = {1u << 14, 1u << 15, 1u << 16};
    size_t offs[] = {0, 2, 6, cb_cr12_overhead(), cb_cr13_overhead(), cb_cr12_overhead() - 4};
    size_t off = offs[rnd(sizeof(offs) / sizeof(offs[0]))];
    size_t base = bases[rnd(3)];
    if (base + 3 > w.max + off) { /* does not fit: a smaller power of two */
        size_t top = 1u << 7;
        while (top * 2 + 3 <= w.max + off && top < (1u << 13))
            top *= 2;
        base = (size_t)1 << rnd_in(7, (size_t)__builtin_ctzl(top));
    }
    if (base + 2 < off)
        return;
    size_t target = base + rnd_in(0, 4) - 2 - off;
    if (target + 1 > w.max)
        return;
    size_t cur = list_bytes();
    while (cur > target && w.n) {
        size_t i = rnd(3) == 0 ? rnd(w.n) : w.n - 1;
        cur -= 2 + w.s[i].len;
        span_remove(i);
    }
    fill(target - cur);
}

static void mutate_bytes(size_t i)
{
    cb_buf *a = &w.store[SRC_NEW];
    size_t len = w.s[i].len, room = len * 2 + 64;
    if (room > CB_DN_MAX)
        room = CB_DN_MAX;
    if (room < len || cb_buf_reserve(a, room) != 0)
        return;
    memcpy(a->p + a->len, span_ptr(&w.s[i]), len);
    size_t n = LLVMFuzzerMutate(a->p + a->len, len, room);
    w.s[i] = (struct span){SRC_NEW, a->len, n};
    a->len += n;
}

static void mutate_once(void)
{
    size_t i = w.n ? rnd(w.n) : 0, j = w.n ? rnd(w.n) : 0;
    struct span sp;
    switch (rnd(14)) {
    case 0: /* add */
    case 1:
        if (new_dn(pick_size(), &sp) == 0)
            span_insert(rnd(w.n + 1), sp);
        break;
    case 2: /* remove */
        if (w.n)
            span_remove(i);
        break;
    case 3: /* resize */
        if (w.n && new_dn(pick_size(), &sp) == 0)
            w.s[i] = sp;
        break;
    case 4: /* one DN's bytes */
    case 5:
        if (w.n)
            mutate_bytes(i);
        break;
    case 6: /* split a DN into two whose list bytes add up to its own */
        if (w.n && w.s[i].len >= 30) {
            size_t len = w.s[i].len, a = rnd_in(13, len - 2 - 13);
            struct span s2;
            if (new_dn(a, &sp) == 0 && new_dn(len - 2 - a, &s2) == 0) {
                w.s[i] = sp;
                span_insert(i + 1, s2);
            }
        }
        break;
    case 7: /* duplicate */
        if (w.n)
            span_insert(rnd(w.n + 1), w.s[i]);
        break;
    case 8: /* reorder: swap two, or move one */
        if (w.n > 1) {
            sp = w.s[i];
            if (rnd(2)) {
                w.s[i] = w.s[j];
                w.s[j] = sp;
            } else {
                span_remove(i);
                span_insert(rnd(w.n + 1), sp);
            }
        }
        break;
    case 9: /* totals onto a boundary */
    case 10:
    case 11:
        steer();
        break;
    case 12: /* options */
        w.opts = rnd(2) ? (uint8_t)(w.opts ^ (1u << rnd(8))) : (uint8_t)rnd(256);
        break;
    default: /* an incomplete final entry, or none */
        if (w.trail.len || !w.n) {
            w.trail.len = 0;
        } else { /* the start of a copy of some entry, length field included */
            cb_buf *a = &w.store[SRC_NEW];
            size_t len = w.s[i].len, keep = rnd_in(1, len + 1);
            if (cb_buf_reserve(a, len + 2) != 0)
                break;
            a->p[a->len] = (uint8_t)(len >> 8);
            a->p[a->len + 1] = (uint8_t)len;
            memcpy(a->p + a->len + 2, span_ptr(&w.s[i]), len);
            w.trail = (struct span){SRC_NEW, a->len, keep};
            a->len += len + 2;
        }
        break;
    }
}

static size_t emit(uint8_t *out, size_t max)
{
    out[0] = w.opts;
    size_t n = 1;
    for (size_t i = 0; i < w.n && n + 2 + w.s[i].len <= max; i++) {
        out[n] = (uint8_t)(w.s[i].len >> 8);
        out[n + 1] = (uint8_t)w.s[i].len;
        memcpy(out + n + 2, span_ptr(&w.s[i]), w.s[i].len);
        n += 2 + w.s[i].len;
    }
    if (w.trail.len && n + w.trail.len <= max) {
        memcpy(out + n, span_ptr(&w.trail), w.trail.len);
        n += w.trail.len;
    }
    return n;
}

static void reset(unsigned seed, size_t max)
{
    w.n = 0;
    w.opts = 0;
    w.trail = (struct span){SRC_A, 0, 0};
    w.store[SRC_NEW].len = 0;
    w.store[SRC_NEW].oom = 0;
    w.max = max;
    cb_rng_seed(&w.rng, seed);
}

size_t fz_calist_mutate(uint8_t *data, size_t size, size_t max, unsigned seed)
{
    if (max < 1)
        return 0;
    reset(seed, max);
    load(SRC_A, data, size, 1);
    if (size == 0) { /* the valid dummy: one ordinary CA name */
        struct span sp;
        if (new_dn(60, &sp) == 0)
            span_insert(0, sp);
    }
    /* Now and then a plain byte-level mutation of the whole input, so that
     * framing errors (an entry length that runs past the end) appear too. */
    if (size > 0 && rnd(16) == 0)
        return LLVMFuzzerMutate(data, size, max);
    for (size_t k = 1 + (rnd(4) == 0 ? rnd(4) : 0); k > 0; k--)
        mutate_once();
    return emit(data, max);
}

size_t fz_calist_crossover(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2, uint8_t *out,
                           size_t max, unsigned seed)
{
    if (max < 1)
        return 0;
    reset(seed, max);
    load(SRC_A, d1, s1, 1);
    size_t na = w.n, cut = rnd(na + 1);
    load(SRC_B, d2, s2, 0);
    size_t nb = w.n - na, from = na + rnd(nb + 1), to = from + rnd(w.n - from + 1);
    /* A[0..cut) + B[from..to) + A[cut..na) */
    struct span *tmp = malloc((w.n + 1) * sizeof(*tmp));
    if (!tmp)
        fz_oom("calist cross-over");
    size_t k = 0;
    for (size_t i = 0; i < cut; i++)
        tmp[k++] = w.s[i];
    for (size_t i = from; i < to; i++)
        tmp[k++] = w.s[i];
    for (size_t i = cut; i < na; i++)
        tmp[k++] = w.s[i];
    if (k)
        memcpy(w.s, tmp, k * sizeof(*tmp));
    w.n = k;
    free(tmp);
    return emit(out, max);
}

#if defined(__clang__)
#pragma clang attribute pop
#endif
