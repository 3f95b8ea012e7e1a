/* report_common.h — what the report writers share: the order of stacks and
 * outcomes, which side a rule speaks of, and writing an output file so that a
 * reader never sees half of it. Internal to cabound_report. */
#ifndef CABOUND_REPORT_COMMON_H
#define CABOUND_REPORT_COMMON_H

#include <stddef.h>
#include <stdio.h>

#include "results_read.h"

/* cb_outcome_severity ranks outcomes for a cell that holds several:
 * regression > finding > error > xpass > pass > unsupported. */
int cb_outcome_severity(enum cb_outcome o);

/* cb_stack_cmp orders stack ids: the six stacks in the design's order, then
 * any other id; "STACK@BUILD" right after STACK. */
int cb_stack_cmp(const char *a, const char *b);

/* A set of distinct strings (not owned), kept in insertion order. */
typedef struct cb_strset {
    const char **v;
    size_t n, cap;
} cb_strset;

/* cb_strset_add adds |str| unless present. Returns its index, or -1 when
 * out of memory. */
long cb_strset_add(cb_strset *s, const char *str);
/* cb_strset_find returns the index of |str|, or -1 when absent. */
long cb_strset_find(const cb_strset *s, const char *str);
/* cb_strset_sort_stacks sorts by cb_stack_cmp; cb_strset_sort sorts by strcmp. */
void cb_strset_sort_stacks(cb_strset *s);
void cb_strset_sort(cb_strset *s);
/* cb_strset_free releases the set (not the strings). */
void cb_strset_free(cb_strset *s);

/* cb_rule_side names the side a failed rule speaks of in |r|: the side the
 * line records for it when it records one (cb_res_rule_side), else "server" for
 * CA-PREFIX and REC-2E14, "client" for SEL-ISSUER and API-WIRE; for
 * ALERT-ON-FAIL the side that failed silently ("client" when its verdict is
 * rejected or aborted, else "server"); "pair" for a rule it does not know. */
const char *cb_rule_side(const char *rule, const cb_result *r);

/* cb_rule_describe is the one-line statement of a known rule, or NULL. */
const char *cb_rule_describe(const char *rule);

/* One side's expectation, read from either shape of "expected": the run's
 * {"server": {...} | null, "client": {...} | null}, each with its pattern,
 * file, line, verdict, rules, fault and reason; or docs/results.md's flat
 * {"server_verdict", "client_verdict", "rules", "reason"}. */
typedef struct cb_expect_side {
    int present;
    const char *verdict;  /* NULL: no verdict recorded */
    const json_t *rules;  /* an array, or NULL */
    const char *reason, *pattern, *file, *fault; /* NULL when absent */
    long long line;       /* -1 when absent */
} cb_expect_side;

/* cb_expected_side fills |out| with the server's (|client| 0) or the
 * client's expectation of |r|; out->present is 0 when there is none. */
void cb_expected_side(const cb_result *r, int client, cb_expect_side *out);

/* cb_expected_has_rule reports whether r's expectation records |rule| as
 * failing: 1 in the server's, 2 in the client's, 0 in neither. */
int cb_expected_has_rule(const cb_result *r, const char *rule);

/* cb_rules_have: |rules| (a JSON array of rule ids, or NULL) holds |rule|. */
int cb_rules_have(const json_t *rules, const char *rule);

/* An output file written under a temporary name and renamed on close. */
typedef struct cb_out {
    FILE *f;
    char path[4096], tmp[4200];
} cb_out;

/* cb_out_open creates |path|'s temporary. Returns 0, or -1 with a message. */
int cb_out_open(cb_out *o, const char *path, char *err, size_t errlen);
/* cb_out_close flushes, closes and renames it into place. Returns 0, or -1
 * with a message (the temporary is removed). */
int cb_out_close(cb_out *o, char *err, size_t errlen);

/* cb_fmt_bytes writes |v| in decimal, or an em dash when it is negative
 * (the field was null or absent). */
void cb_fmt_bytes(long long v, char *out, size_t outlen);

#endif
