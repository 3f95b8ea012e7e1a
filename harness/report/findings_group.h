/* findings_group.h — the findings of a run grouped per stack, shared by the
 * README's Markdown table and the page's findings table. Internal to
 * cabound_report. */
#ifndef CABOUND_FINDINGS_GROUP_H
#define CABOUND_FINDINGS_GROUP_H

#include <stddef.h>

#include "results_read.h"

enum cb_finding_status { CB_FS_KNOWN, CB_FS_FINDING, CB_FS_REGRESSION };

/* cb_finding_status_name is "known", "finding" or "regression". */
const char *cb_finding_status_name(enum cb_finding_status s);

typedef struct cb_finding_row {
    char *stack;                 /* the stack, or "SERVER>CLIENT" for the pair */
    const char *side;            /* "server", "client" or "pair" */
    char *key;                   /* the rule id, or the verdict divergence */
    const char *rule;            /* the rule id, or NULL for a verdict */
    enum cb_finding_status st;   /* the most severe of the group */
    const cb_result *example;    /* its smallest case of that status */
    size_t cases;                /* results lines in the group */
} cb_finding_row;

typedef struct cb_finding_rows {
    cb_finding_row *v;
    size_t n;
} cb_finding_rows;

/* cb_findings_group groups the findings of |rs| into rows sorted by stack,
 * side and finding. Returns 0, or -1 when out of memory. */
int cb_findings_group(const cb_results *rs, cb_finding_rows *out);
/* cb_finding_rows_free releases the rows. */
void cb_finding_rows_free(cb_finding_rows *rows);

/* cb_finding_detail is the rule's detail on the row's example, or NULL. */
const char *cb_finding_detail(const cb_finding_row *row);

#endif
