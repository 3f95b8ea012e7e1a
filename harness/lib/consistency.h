/* consistency.h — rules across cases: the same input should give comparable
 * results across server stacks (XSTACK) and across TLS 1.2 and 1.3 of one
 * pair (XVER). Pure: case summaries in, divergences out. A divergence is
 * reported with the smallest case (fewest list bytes) that shows it. */
#ifndef CABOUND_CONSISTENCY_H
#define CABOUND_CONSISTENCY_H

#include <stddef.h>

typedef struct cb_case_summary {
    const char *id, *suite, *name, *server, *client, *tls;
    const char *server_verdict, *client_verdict;
    size_t list_bytes;
} cb_case_summary;

typedef struct cb_divergence {
    const char *rule;  /* "XSTACK" or "XVER" */
    char group[512];   /* what was held equal */
    char detail[1024]; /* who did what */
    const cb_case_summary *smallest; /* a case that shows it */
} cb_divergence;

/* cb_consistency_check compares |n| summaries (unsupported ones are to be
 * left out by the caller) and returns a malloc'd array of divergences in
 * *out (count in *n_out). The summaries must outlive the result. Returns 0
 * or -1 (out of memory). */
int cb_consistency_check(const cb_case_summary *v, size_t n, cb_divergence **out, size_t *n_out);

#endif
