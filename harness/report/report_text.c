/* report_text.c — plain-text descriptions of a results line. */
#include "report_text.h"

#include <stdlib.h>
#include <string.h>

#include "report_common.h"

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

void cb_text_expected(FILE *f, const cb_result *r, int client)
{
    cb_expect_side x;
    cb_expected_side(r, client, &x);
    if (!x.present) {
        fputs("none recorded", f);
        return;
    }
    fputs(x.verdict ? x.verdict : "any verdict", f);
    fputs(", rules ", f);
    join(f, x.rules, "none");
    if (x.fault)
        fprintf(f, ", fault %s", x.fault);
    if (x.file || x.pattern || x.reason) {
        fputs(" (", f);
        if (x.file) {
            fputs(x.file, f);
            if (x.line >= 0)
                fprintf(f, ":%lld", x.line);
        }
        if (x.pattern)
            fprintf(f, "%s%s", x.file ? " " : "", x.pattern);
        if (x.reason)
            fprintf(f, "%s%s", x.file || x.pattern ? ": " : "", x.reason);
        fputc(')', f);
    }
}

void cb_text_headline(FILE *f, const cb_result *r)
{
    const json_t *rules = json_object_get(r->obj, "rules");
    const char *why = cb_res_str(r, "outcome_why");
    fputs(cb_outcome_name(r->outcome), f);
    if (why)
        fprintf(f, ": %s", why);
    /* The failed rules, unless "why" already names each of them. */
    int named = 1;
    for (size_t i = 0; i < json_array_size(rules); i++)
        named &= why && strstr(why, json_string_value(json_array_get(rules, i))) != NULL;
    if (json_array_size(rules) && !named) {
        fputs(why ? "; rules " : ": rules ", f);
        join(f, rules, "");
    }
    fprintf(f, "; server %s, client %s", or_dash(r->server_verdict), or_dash(r->client_verdict));
    cb_expect_side s, c;
    cb_expected_side(r, 0, &s);
    cb_expected_side(r, 1, &c);
    if (s.present || c.present) {
        fprintf(f, "; expected server %s, client %s", s.verdict ? s.verdict : "-", c.verdict ? c.verdict : "-");
        if (s.rules && s.rules == c.rules) {
            fputs(", rules ", f);
            join(f, s.rules, "none");
        } else if (json_array_size(s.rules) || json_array_size(c.rules)) {
            fputs(", rules ", f);
            join(f, s.rules, "");
            fputs(json_array_size(s.rules) && json_array_size(c.rules) ? ", " : "", f);
            join(f, c.rules, "");
        }
    }
    if (r->outcome == CB_OC_ERROR && !why) {
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
    fprintf(f, "outcome: %s", cb_outcome_name(r->outcome));
    if (cb_res_str(r, "outcome_why"))
        fprintf(f, " (%s)", cb_res_str(r, "outcome_why"));
    fprintf(f, "\nserver: %s %s: %s", r->server, or_dash(cb_res_str(r, "server_version")), or_dash(r->server_verdict));
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
        fprintf(f, "rule %s failed%s: %s\n", id, cb_expected_has_rule(r, id) ? " (known)" : "",
                or_dash(json_string_value(json_object_get(details, id))));
    }
    for (int side = 0; side < 2; side++) {
        cb_expect_side x;
        cb_expected_side(r, side, &x);
        if (!x.present)
            continue;
        fprintf(f, "expected of the %s: ", side ? "client" : "server");
        cb_text_expected(f, r, side);
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
