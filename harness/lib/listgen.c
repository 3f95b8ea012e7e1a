#include "listgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dn.h"
#include "rng.h"

int cb_placement_parse(const char *s, cb_placement *out)
{
    out->index = 0;
    if (strcmp(s, "first") == 0)
        out->kind = CB_POS_FIRST;
    else if (strcmp(s, "middle") == 0)
        out->kind = CB_POS_MIDDLE;
    else if (strcmp(s, "last") == 0)
        out->kind = CB_POS_LAST;
    else if (strcmp(s, "absent") == 0)
        out->kind = CB_POS_ABSENT;
    else {
        char *end;
        if (*s < '0' || *s > '9')
            return -1;
        unsigned long long v = strtoull(s, &end, 10);
        if (*end || v > 1000000)
            return -1;
        out->kind = CB_POS_INDEX;
        out->index = (size_t)v;
    }
    return 0;
}

/* filler_sizes picks k sizes in [lo, hi] (all DN sizes valid for cb_dn_build)
 * with sum(2 + s) == total. Returns the count (0 allowed when total == 0) or
 * (size_t)-1 when impossible. *sizes is malloc'd. */
static size_t filler_sizes(size_t total, size_t lo, size_t hi, cb_rng *rng, size_t **sizes)
{
    *sizes = NULL;
    if (total == 0)
        return 0;
    /* Any k with k(2+lo) <= total <= k(2+hi) works; aim for mid-range sizes. */
    size_t kmin = (total + 2 + hi - 1) / (2 + hi), kmax = total / (2 + lo);
    if (kmin == 0)
        kmin = 1;
    if (kmin > kmax)
        return (size_t)-1;
    size_t k = total / (2 + (lo + hi) / 2);
    k = k < kmin ? kmin : k > kmax ? kmax : k;
    size_t *s = malloc(k * sizeof(*s));
    if (!s)
        return (size_t)-1;
    size_t extra = total - k * (2 + lo), span = hi - lo;
    for (size_t i = 0; i < k; i++) {
        size_t left = k - i - 1;
        size_t must = extra > left * span ? extra - left * span : 0; /* so the rest can absorb */
        size_t can = extra < span ? extra : span;
        size_t want = left ? (size_t)cb_rng_range(rng, 0, (2 * extra) / (left + 1)) : extra;
        if (want < must)
            want = must;
        if (want > can)
            want = can;
        s[i] = lo + want;
        extra -= want;
    }
    /* Sizes no DER Name can have (130, 259) trade one byte with a neighbour. */
    for (size_t i = 0; i < k; i++) {
        if (cb_dn_possible(s[i]))
            continue;
        for (size_t j = 0; j < k && !cb_dn_possible(s[i]); j++) {
            if (j == i)
                continue;
            if (s[i] > lo && s[j] < hi && cb_dn_possible(s[i] - 1) && cb_dn_possible(s[j] + 1)) {
                s[i]--;
                s[j]++;
            } else if (s[i] < hi && s[j] > lo && cb_dn_possible(s[i] + 1) && cb_dn_possible(s[j] - 1)) {
                s[i]++;
                s[j]--;
            }
        }
        if (!cb_dn_possible(s[i])) {
            free(s);
            return (size_t)-1;
        }
    }
    *sizes = s;
    return k;
}

int cb_listgen_build(const cb_listgen *spec, cb_calist *out, char *err, size_t errlen)
{
    size_t nreal = spec->real ? spec->real->count : 0, real_bytes = 0;
    size_t lo = spec->dn_min, hi = spec->dn_max;
    if (lo > hi || !cb_dn_possible(lo) || !cb_dn_possible(hi) || (lo == CB_DN_MIN && hi != CB_DN_MIN && hi < CB_DN_MIN_WITH_ATTR)) {
        snprintf(err, errlen, "DN size range %zu-%zu is not buildable (sizes 2 or %d..%d)", lo, hi,
                 CB_DN_MIN_WITH_ATTR, CB_DN_MAX);
        return -1;
    }
    /* 2 and 13..: a range starting at 2 can only use 2 and >= 13. */
    if (lo == CB_DN_MIN && hi > CB_DN_MIN)
        lo = CB_DN_MIN_WITH_ATTR;
    for (size_t i = 0; i < nreal; i++)
        if (spec->where[i].kind != CB_POS_ABSENT)
            real_bytes += 2 + spec->real->dns[i].len;
    size_t base_bytes = spec->base ? cb_calist_list_bytes(spec->base) : 0;
    if (real_bytes + base_bytes > spec->list_bytes) {
        snprintf(err, errlen, "the real and base DNs alone take %zu list bytes, more than %zu",
                 real_bytes + base_bytes, spec->list_bytes);
        return -1;
    }
    cb_rng rng;
    cb_rng_seed(&rng, spec->seed ^ 0x6361626f756e64ull);
    size_t *sizes;
    size_t fill = spec->list_bytes - real_bytes - base_bytes;
    size_t k = filler_sizes(fill, lo, hi, &rng, &sizes);
    if (k == (size_t)-1) {
        snprintf(err, errlen, "no filler DN sizes in %zu-%zu add up to %zu list bytes", lo, hi, fill);
        return -1;
    }
    uint8_t *buf = malloc(hi + 1);
    int rc = buf ? 0 : -1;
    if (spec->base && rc == 0)
        rc = cb_calist_copy_prefix(out, spec->base, spec->base->count);
    for (size_t i = 0; rc == 0 && i < k; i++)
        rc = cb_dn_build(buf, sizes[i], spec->seed, i) != 0 ? -2 : cb_calist_push(out, buf, sizes[i], NULL);
    free(buf);
    free(sizes);
    /* Real DNs go in after the fillers, so "middle"/"last" refer to the
     * final list. Fixed indexes first (ascending), then the named places. */
    for (int pass = 0; rc == 0 && pass < 2; pass++) {
        for (size_t i = 0; rc == 0 && i < nreal; i++) {
            const cb_placement *w = &spec->where[i];
            if (w->kind == CB_POS_ABSENT || (pass == 0) != (w->kind == CB_POS_INDEX))
                continue;
            size_t pos;
            switch (w->kind) {
            case CB_POS_FIRST: pos = 0; break;
            case CB_POS_MIDDLE: pos = out->count / 2; break;
            case CB_POS_LAST: pos = out->count; break;
            default: pos = w->index < out->count ? w->index : out->count; break;
            }
            const cb_dn *d = &spec->real->dns[i];
            rc = cb_calist_insert(out, pos, d->der, d->len, d->label);
        }
    }
    if (rc != 0) {
        cb_calist_free(out);
        snprintf(err, errlen, rc == -2 ? "internal error: a filler DN size is not buildable" : "out of memory");
        return -1;
    }
    return 0;
}
