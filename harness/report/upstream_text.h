/* upstream_text.h — the text of an upstream report (REPORT.md): what the
 * rule's RFC sections say and what the case showed. Internal to
 * cabound_report; report_upstream.c finds the case and writes the files. */
#ifndef CABOUND_UPSTREAM_TEXT_H
#define CABOUND_UPSTREAM_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "capture_records.h"
#include "results_read.h"

typedef struct cb_upstream_doc {
    const char *finding;                 /* as given */
    const char *side, *rule;
    const char *stack, *release;         /* packaged id, release id */
    const cb_result *current, *packaged; /* packaged: NULL when that case did not run */
    size_t held, of;                     /* the finding over the run, in the release */
    const char *pcap, *keylog, *pcap_server_sent; /* file names copied beside REPORT.md, "" when none */
    const cb_capture *cap;               /* the pcap's records, or NULL */
    const char *cap_err;                 /* why the pcap could not be read, "" when it could */
} cb_upstream_doc;

/* cb_upstream_write writes REPORT.md's Markdown for |d| to |f|. */
void cb_upstream_write(FILE *f, const cb_upstream_doc *d);

/* cb_alert_name is the TLS alert description's name ("decode_error"), or
 * NULL for a code RFC 5246/8446 do not define. */
const char *cb_alert_name(int desc);

#endif
