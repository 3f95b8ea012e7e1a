#include "calist.h"

#include <stdlib.h>
#include <string.h>

void cb_calist_init(cb_calist *l) { memset(l, 0, sizeof(*l)); }

void cb_calist_free(cb_calist *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->dns[i].der);
        free(l->dns[i].label);
    }
    free(l->dns);
    memset(l, 0, sizeof(*l));
}

static int grow(cb_calist *l)
{
    if (l->count < l->cap)
        return 0;
    size_t ncap = l->cap ? l->cap * 2 : 16;
    cb_dn *n = realloc(l->dns, ncap * sizeof(*n));
    if (!n)
        return -1;
    l->dns = n;
    l->cap = ncap;
    return 0;
}

int cb_calist_insert(cb_calist *l, size_t pos, const uint8_t *der, size_t len, const char *label)
{
    if (pos > l->count || grow(l) != 0)
        return -1;
    /* malloc(0) may return NULL; keep one byte so an empty DN still owns memory. */
    uint8_t *copy = malloc(len ? len : 1);
    char *lab = label ? strdup(label) : NULL;
    if (!copy || (label && !lab)) {
        free(copy);
        free(lab);
        return -1;
    }
    if (len)
        memcpy(copy, der, len);
    memmove(&l->dns[pos + 1], &l->dns[pos], (l->count - pos) * sizeof(cb_dn));
    l->dns[pos] = (cb_dn){copy, len, lab};
    l->count++;
    return 0;
}

int cb_calist_push(cb_calist *l, const uint8_t *der, size_t len, const char *label)
{
    return cb_calist_insert(l, l->count, der, len, label);
}

size_t cb_calist_list_bytes(const cb_calist *l)
{
    size_t total = 0;
    for (size_t i = 0; i < l->count; i++)
        total += 2 + l->dns[i].len;
    return total;
}

int cb_calist_copy_prefix(cb_calist *dst, const cb_calist *src, size_t n)
{
    if (n > src->count)
        n = src->count;
    for (size_t i = 0; i < n; i++)
        if (cb_calist_push(dst, src->dns[i].der, src->dns[i].len, src->dns[i].label) != 0)
            return -1;
    return 0;
}

int cb_dn_equal(const cb_dn *a, const cb_dn *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->der, b->der, a->len) == 0);
}

long cb_calist_find(const cb_calist *l, const uint8_t *der, size_t len)
{
    cb_dn probe = {(uint8_t *)der, len, NULL};
    for (size_t i = 0; i < l->count; i++)
        if (cb_dn_equal(&l->dns[i], &probe))
            return (long)i;
    return -1;
}

int cb_calist_equal(const cb_calist *a, const cb_calist *b)
{
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++)
        if (!cb_dn_equal(&a->dns[i], &b->dns[i]))
            return 0;
    return 1;
}
