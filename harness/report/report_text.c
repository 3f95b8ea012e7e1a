/* report_text.c — plain-text descriptions of a results line. */
#include "report_text.h"

#include <stdlib.h>
#include <string.h>

static const char *or_dash(const char *s) { return s ? s : "-"; }

/* Writes the strings of array |a| joined by ", ", or |none|. */
static void join(FILE *f, const json_t *a, const char *none)
{
    size_t n = json_is_array(a) ? json_array_size(a) : 0;
    if (!n)
        fputs(none, f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? ", " : "", or_dash(json_string_value(json_array_get(a, i))));
}

void cb_text_headline(FILE *f, const cb_result *r)
{
    const json_t *rules = json_object_get(r->obj, "rules");
    fputs(cb_outcome_name(r->outcome), f);
    if (json_array_size(rules)) {
        fputs(": ", f);
        join(f, rules, "");
    }
    fprintf(f, "; server %s, client %s", or_dash(r->server_verdict), or_dash(r->client_verdict));
    const json_t *exp = json_object_get(r->obj, "expected");
    if (json_is_object(exp)) {
        const char *es = json_string_value(json_object_get(exp, "server_verdict"));
        const char *ec = json_string_value(json_object_get(exp, "client_verdict"));
        const json_t *er = json_object_get(exp, "rules");
        fprintf(f, "; expected server %s, client %s, rules ", or_dash(es), or_dash(ec));
        join(f, er, "none");
    }
    if (r->outcome == CB_OC_ERROR) {
        fputs("; ", f);
        if (!cb_text_fault(f, r))
            fputs("no fault recorded", f);
    }
    if (r->outcome == CB_OC_UNSUPPORTED)
        fprintf(f, "; %s", or_dash(cb_res_str(r, "unsupported")));
}

int cb_text_fault(FILE *f, const cb_result *r)
{
    const json_t *fault = json_object_get(r->obj, "fault");
    const char *s = json_string_value(json_object_get(fault, "server"));
    const char *c = json_string_value(json_object_get(fault, "client"));
    if (s)
        fprintf(f, "server: %s", s);
    if (c)
        fprintf(f, "%sclient: %s", s ? "; " : "", c);
    return s || c;
}

void cb_text_body(FILE *f, const cb_result *r)
{
    fprintf(f, "case: %s (line %zu)\n", r->case_id, r->line);
    fprintf(f, "outcome: %s\n", cb_outcome_name(r->outcome));
    fprintf(f, "server: %s %s: %s", r->server, or_dash(cb_res_str(r, "server_version")), or_dash(r->server_verdict));
    if (cb_res_str(r, "server_detail"))
        fprintf(f, " (%s)", cb_res_str(r, "server_detail"));
    fprintf(f, "\nclient: %s %s: %s\n", r->client, or_dash(cb_res_str(r, "client_version")), or_dash(r->client_verdict));
    fprintf(f, "tls: %s; handshake: %s\n", r->tls, or_dash(cb_res_str(r, "handshake")));
    if (r->list_bytes >= 0)
        fprintf(f, "list bytes: %lld configured", r->list_bytes);
    else
        fputs("list bytes: - configured", f);
    if (r->wire_list_bytes >= 0)
        fprintf(f, ", %lld on the wire\n", r->wire_list_bytes);
    else
        fputs(", none measured on the wire\n", f);
    const json_t *rules = json_object_get(r->obj, "rules"), *details = json_object_get(r->obj, "rule_details");
    for (size_t i = 0; i < json_array_size(rules); i++) {
        const char *id = json_string_value(json_array_get(rules, i));
        fprintf(f, "rule %s failed: %s\n", id, or_dash(json_string_value(json_object_get(details, id))));
    }
    const json_t *exp = json_object_get(r->obj, "expected");
    if (json_is_object(exp)) {
        fprintf(f, "expected: server %s, client %s, rules ", or_dash(json_string_value(json_object_get(exp, "server_verdict"))),
                or_dash(json_string_value(json_object_get(exp, "client_verdict"))));
        join(f, json_object_get(exp, "rules"), "none");
        if (json_string_value(json_object_get(exp, "reason")))
            fprintf(f, " (%s)", json_string_value(json_object_get(exp, "reason")));
        fputc('\n', f);
    }
    if (json_is_object(json_object_get(r->obj, "fault"))) {
        fputs("fault: ", f);
        cb_text_fault(f, r);
        fputc('\n', f);
    }
    if (cb_res_str(r, "unsupported"))
        fprintf(f, "unsupported: %s\n", cb_res_str(r, "unsupported"));
    if (cb_res_str(r, "pcap"))
        fprintf(f, "pcap: %s\n", cb_res_str(r, "pcap"));
    if (cb_res_str(r, "keylog"))
        fprintf(f, "keylog: %s\n", cb_res_str(r, "keylog"));
    fprintf(f, "repro: %s\n", or_dash(cb_res_str(r, "repro")));
}

char *cb_text_string(void (*fn)(FILE *, const cb_result *), const cb_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    fn(m, r);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
