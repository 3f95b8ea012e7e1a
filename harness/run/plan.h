/* plan.h — expand suites into the ordered list of cases a run executes. */
#ifndef CABOUND_PLAN_H
#define CABOUND_PLAN_H

#include <stddef.h>

#include "case.h"
#include "stacks.h"
#include "idset.h"
#include "suite.h"

typedef struct cb_planned {
    cb_case c;
    char unsupported[256]; /* non-empty: not run, recorded as unsupported */
} cb_planned;

/* The most cases one plan may hold (about 3 KB each): a suite expanding past
 * it is an error naming the case that crossed it. */
#define CB_PLAN_MAX_CASES 200000

typedef struct cb_plan {
    cb_planned *v;
    size_t n, cap;
    cb_idset ids; /* every case id, once: a repeat is an error */
} cb_plan;

typedef struct cb_plan_filter {
    const char *const *stacks; size_t n_stacks; /* only these stack ids (none: all installed) */
    const char *const *suites; size_t n_suites; /* only these suites */
    const char *tls;                            /* "1.2", "1.3" or NULL */
    const char *match;                          /* fnmatch over case ids, or NULL */
} cb_plan_filter;

/* cb_plan_add expands |s| (read from |suite_dir|, for base-list paths) over
 * the installed stacks |st| into |p|. Modes "auto" resolve per stack:
 * source explicit, else trust-store; select by-issuer, else native.
 * Returns 0, or -1 with a message in |err|. */
int cb_plan_add(cb_plan *p, const cb_suite *s, const char *suite_dir, const cb_stack_info *st, size_t n_st,
                const cb_plan_filter *f, char *err, size_t errlen);
void cb_plan_free(cb_plan *p);

/* cb_suites_load parses every *.suite file of |dir| in name order (each a
 * regular file: a FIFO or a device is an error, not a read that blocks); two
 * files with one suite name are an error. */
int cb_suites_load(const char *dir, cb_suite **out, size_t *n, char *err, size_t errlen);
void cb_suites_free(cb_suite *s, size_t n);

#endif
