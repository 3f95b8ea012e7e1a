/* calist.h — an ordered list of distinguished names (DER), the unit every
 * other module of cabound talks about.
 *
 * "list bytes" (the project's word) is the encoded length of the DN vector's
 * content: the sum over DNs of 2 + len(DN). */
#ifndef CABOUND_CALIST_H
#define CABOUND_CALIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct cb_dn {
    uint8_t *der;
    size_t len;
    /* label names a DN that matters to a case (e.g. "real:client0", the
     * issuer of a client certificate); NULL for filler DNs. */
    char *label;
} cb_dn;

typedef struct cb_calist {
    cb_dn *dns;
    size_t count;
    size_t cap;
} cb_calist;

void cb_calist_init(cb_calist *l);
void cb_calist_free(cb_calist *l);

/* cb_calist_push appends a copy of |der| (and of |label| when non-NULL).
 * Returns 0 on success, -1 when memory runs out (the list is unchanged). */
int cb_calist_push(cb_calist *l, const uint8_t *der, size_t len, const char *label);

/* cb_calist_insert inserts a copy at |pos| (0..count). Returns 0 or -1. */
int cb_calist_insert(cb_calist *l, size_t pos, const uint8_t *der, size_t len, const char *label);

/* cb_calist_list_bytes returns the sum of 2 + len(DN). */
size_t cb_calist_list_bytes(const cb_calist *l);

/* cb_calist_copy_prefix makes |dst| (initialised by the caller) a copy of the
 * first |n| DNs of |src|. Returns 0 or -1. */
int cb_calist_copy_prefix(cb_calist *dst, const cb_calist *src, size_t n);

/* cb_calist_find returns the index of the first DN equal to |der|, or -1. */
long cb_calist_find(const cb_calist *l, const uint8_t *der, size_t len);

/* cb_dn_equal reports whether two DNs have the same bytes. */
int cb_dn_equal(const cb_dn *a, const cb_dn *b);

/* cb_calist_equal reports whether two lists hold the same DNs in the same
 * order (labels aside). */
int cb_calist_equal(const cb_calist *a, const cb_calist *b);

#endif
