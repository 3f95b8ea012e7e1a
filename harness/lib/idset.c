#include "idset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int grow(cb_idset *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 64;
    char **nk = calloc(ncap, sizeof(*nk));
    size_t *nv = calloc(ncap, sizeof(*nv));
    if (!nk || !nv) {
        free(nk);
        free(nv);
        return -1;
    }
    for (size_t i = 0; i < s->cap; i++)
        if (s->keys[i]) {
            size_t j = (size_t)(hash(s->keys[i]) & (ncap - 1));
            while (nk[j])
                j = (j + 1) & (ncap - 1);
            nk[j] = s->keys[i];
            nv[j] = s->vals[i];
        }
    free(s->keys);
    free(s->vals);
    s->keys = nk;
    s->vals = nv;
    s->cap = ncap;
    return 0;
}

int cb_idset_put(cb_idset *s, const char *key, size_t val, size_t *old)
{
    if ((s->n + 1) * 2 > s->cap && grow(s) != 0)
        return -1;
    size_t j = (size_t)(hash(key) & (s->cap - 1));
    while (s->keys[j]) {
        if (strcmp(s->keys[j], key) == 0) {
            if (old)
                *old = s->vals[j];
            return 0;
        }
        j = (j + 1) & (s->cap - 1);
    }
    s->keys[j] = strdup(key);
    if (!s->keys[j])
        return -1;
    s->vals[j] = val;
    s->n++;
    return 1;
}

void cb_idset_free(cb_idset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->keys[i]);
    free(s->keys);
    free(s->vals);
    memset(s, 0, sizeof(*s));
}
