/* idset.h — a set of strings with one number each (open addressing, FNV-1a),
 * so that checking N names for repeats costs N, not N^2. */
#ifndef CABOUND_IDSET_H
#define CABOUND_IDSET_H

#include <stddef.h>

typedef struct cb_idset {
    char **keys;
    size_t *vals;
    size_t cap, n;
} cb_idset;

/* cb_idset_put adds |key| with |val| unless it is there. Returns 1 when it
 * was added, 0 when it was already there (|*old| is its number), -1 when
 * out of memory. */
int cb_idset_put(cb_idset *s, const char *key, size_t val, size_t *old);
void cb_idset_free(cb_idset *s);

#endif
