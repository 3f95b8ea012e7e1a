/* listgen.h — build a CA list whose list bytes hit an exact total. */
#ifndef CABOUND_LISTGEN_H
#define CABOUND_LISTGEN_H

#include <stddef.h>
#include <stdint.h>

#include "calist.h"

/* Where a real DN (the issuer of a client certificate) goes. */
enum cb_pos_kind { CB_POS_FIRST, CB_POS_MIDDLE, CB_POS_LAST, CB_POS_INDEX, CB_POS_ABSENT };

typedef struct cb_placement {
    enum cb_pos_kind kind;
    size_t index; /* CB_POS_INDEX: position in the final list (clamped to the end) */
} cb_placement;

/* cb_placement_parse reads "first", "middle", "last", "absent" or a decimal
 * index. Returns 0 or -1. */
int cb_placement_parse(const char *s, cb_placement *out);

typedef struct cb_listgen {
    size_t list_bytes; /* exact total of 2 + len(DN) over the whole list */
    size_t dn_min, dn_max; /* filler DN sizes, inclusive */
    uint64_t seed;
    const cb_calist *base; /* DNs that open the list before any filler; may be NULL */
    const cb_calist *real; /* DNs to place (labels kept); may be NULL */
    const cb_placement *where; /* one per real DN */
} cb_listgen;

/* cb_listgen_build fills |out| (initialised, empty) with filler DNs from
 * cb_dn_build and the real DNs at their places, such that
 * cb_calist_list_bytes(out) == spec->list_bytes exactly; base DNs come first,
 * then fillers, and real DNs are placed in the final list. Absent real DNs are
 * left out and count for nothing. Returns 0, or -1 with a reason in |err|
 * (e.g. no combination of filler sizes in [dn_min, dn_max] reaches the total). */
int cb_listgen_build(const cb_listgen *spec, cb_calist *out, char *err, size_t errlen);

#endif
