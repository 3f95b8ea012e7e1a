/* upstream_text.c — REPORT.md of `cabound report --upstream` (see
 * upstream_text.h). Every value comes from the run's results lines or the
 * case's capture; the RFC sections are the ones harness/lib/oracle.c's rule
 * texts cite, quoted briefly. */
#include "upstream_text.h"

#include <string.h>

#include "changes.h"
#include "escape.h"
#include "oracle.h"
#include "report_common.h"

const char *cb_alert_name(int desc)
{
    /* RFC 5246 7.2 and RFC 8446 6 / B.2 AlertDescription. */
    static const struct {
        int d;
        const char *name;
    } names[] = {
        {0, "close_notify"},          {10, "unexpected_message"},
        {20, "bad_record_mac"},       {22, "record_overflow"},
        {40, "handshake_failure"},    {42, "bad_certificate"},
        {43, "unsupported_certificate"}, {44, "certificate_revoked"},
        {45, "certificate_expired"},  {46, "certificate_unknown"},
        {47, "illegal_parameter"},    {48, "unknown_ca"},
        {49, "access_denied"},        {50, "decode_error"},
        {51, "decrypt_error"},        {70, "protocol_version"},
        {71, "insufficient_security"}, {80, "internal_error"},
        {86, "inappropriate_fallback"}, {90, "user_canceled"},
        {100, "no_renegotiation"},    {109, "missing_extension"},
        {110, "unsupported_extension"}, {112, "unrecognized_name"},
        {113, "bad_certificate_status_response"}, {115, "unknown_psk_identity"},
        {116, "certificate_required"}, {120, "no_application_protocol"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].d == desc)
            return names[i].name;
    return NULL;
}

/* What the RFCs say about each rule: the section and a short quote, per TLS
 * version (RFC 5246 for 1.2, RFC 8446 for 1.3). */
typedef struct rfc_text {
    const char *section, *quote;
} rfc_text;

static void rule_rfc(enum cb_rule r, int tls13, rfc_text out[2])
{
    memset(out, 0, 2 * sizeof(*out));
    switch (r) {
    case CB_RULE_PREFIX:
    case CB_RULE_API_WIRE:
        if (r == CB_RULE_PREFIX)
            out[1] = (rfc_text){tls13 ? "RFC 8446 3.4 (Vectors)" : "RFC 5246 4.3 (Vectors)",
                                "Variable-length vectors are defined by specifying a subrange of legal lengths, inclusively, "
                                "using the notation <floor..ceiling>. When these are encoded, the actual length precedes the "
                                "vector's contents in the byte stream."};
        if (tls13)
            out[0] = (rfc_text){"RFC 8446 4.2.4 (Certificate Authorities)",
                                "The \"certificate_authorities\" extension is used to indicate the certificate authorities "
                                "(CAs) which an endpoint supports and which SHOULD be used by the receiving endpoint to "
                                "guide certificate selection. ... `DistinguishedName authorities<3..2^16-1>;`"};
        else
            out[0] = (rfc_text){"RFC 5246 7.4.4 (Certificate Request)",
                                "certificate_authorities: A list of the distinguished names [X501] of acceptable "
                                "certificate_authorities, represented in DER-encoded format. ... "
                                "`DistinguishedName certificate_authorities<0..2^16-1>;`"};
        break;
    case CB_RULE_RECORD_SIZE:
        if (tls13)
            out[0] = (rfc_text){"RFC 8446 5.1 (Record Layer)",
                                "length: The length (in bytes) of the following TLSPlaintext.fragment. The length MUST NOT "
                                "exceed 2^14 bytes. An endpoint that receives a record that exceeds this length MUST "
                                "terminate the connection with a \"record_overflow\" alert."};
        else
            out[0] = (rfc_text){"RFC 5246 6.2.1 (Fragmentation)",
                                "length: The length (in bytes) of the following TLSPlaintext.fragment. The length MUST NOT "
                                "exceed 2^14."};
        break;
    case CB_RULE_SELECT:
        if (tls13)
            out[0] = (rfc_text){"RFC 8446 4.4.2.3 (Client Certificate Selection)",
                                "If the \"certificate_authorities\" extension in the CertificateRequest message was present, "
                                "at least one of the certificates in the certificate chain SHOULD be issued by one of the "
                                "listed CAs."};
        else
            out[0] = (rfc_text){"RFC 5246 7.4.6 (Client Certificate)",
                                "If the certificate_authorities list in the certificate request message was non-empty, one "
                                "of the certificates in the certificate chain SHOULD be issued by one of the listed CAs."};
        out[1] = tls13 ? (rfc_text){"RFC 8446 4.2.4", "(the list itself; see above)"}
                       : (rfc_text){"RFC 5246 7.4.4", "(the list itself: `DistinguishedName certificate_authorities<0..2^16-1>;`)"};
        break;
    case CB_RULE_ALERT:
        if (tls13)
            out[0] = (rfc_text){"RFC 8446 6.2 (Error Alerts)",
                                "Whenever an implementation encounters a fatal error condition, it SHOULD send an "
                                "appropriate fatal alert and MUST close the connection without sending or receiving any "
                                "additional data."};
        else
            out[0] = (rfc_text){"RFC 5246 7.2.2 (Error Alerts)",
                                "Whenever an implementation encounters a condition which is defined as a fatal alert, it "
                                "MUST send the appropriate alert prior to closing the connection."};
        break;
    case CB_RULE_ALERT_PROTECTED:
        out[0] = (rfc_text){"RFC 8446 6 (Alert Protocol)",
                            "Like other messages, alert messages are encrypted as specified by the current connection "
                            "state."};
        out[1] = (rfc_text){"RFC 8446 A.1-A.2 (state machines) and 5",
                            "the server sends under handshake keys from its ServerHello on (A.2: `Send ServerHello, K_send "
                            "= handshake`); the client once it processed the server's Finished (A.1)."};
        break;
    case CB_RULE_COUNT: break;
    }
}

/* A short statement of the fault for the title. */
static const char *rule_title(enum cb_rule r)
{
    switch (r) {
    case CB_RULE_PREFIX: return "puts a certificate_authorities list on the wire that is not the configured list or a whole-DN prefix of it";
    case CB_RULE_RECORD_SIZE: return "sends a plaintext record longer than 2^14 bytes";
    case CB_RULE_SELECT: return "chooses its certificate inconsistently with the certificate_authorities list it received";
    case CB_RULE_ALERT: return "closes the connection without an alert when its handshake fails";
    case CB_RULE_API_WIRE: return "exposes other distinguished names through its API than the certificate_authorities list it received";
    case CB_RULE_ALERT_PROTECTED: return "sends an unencrypted alert once it sends under handshake keys";
    case CB_RULE_COUNT: break;
    }
    return "fails a rule";
}

/* A fenced code block whose fence is longer than any backtick run in |s|. */
static void fenced(FILE *f, const char *lang, const char *s)
{
    size_t run = 0, longest = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    size_t n = longest < 3 ? 3 : longest + 1;
    for (size_t i = 0; i < n; i++)
        fputc('`', f);
    fprintf(f, "%s\n", lang);
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p >= 0x20 || *p == '\n' || *p == '\t')
            fputc(*p, f);
    fputc('\n', f);
    for (size_t i = 0; i < n; i++)
        fputc('`', f);
    fputc('\n', f);
}

static const char *str(const cb_result *r, const char *k) { return r ? cb_res_str(r, k) : NULL; }

static void md_or_dash(FILE *f, const char *s)
{
    if (s)
        cb_md_put(f, s, 400);
    else
        fputs("\xe2\x80\x94", f);
}

static void put_int(FILE *f, const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    if (json_is_integer(v))
        fprintf(f, "%lld", (long long)json_integer_value(v));
    else if (json_is_string(v))
        cb_md_put(f, json_string_value(v), 40);
    else
        fputs("\xe2\x80\x94", f);
}

static void put_alert(FILE *f, const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    if (json_is_integer(v)) {
        const char *n = cb_alert_name((int)json_integer_value(v));
        fprintf(f, "%lld", (long long)json_integer_value(v));
        if (n)
            fprintf(f, " (%s)", n);
    } else if (json_is_string(v)) {
        cb_md_put(f, json_string_value(v), 40);
    } else {
        fputs("none", f);
    }
}

static void put_error(FILE *f, const cb_result *r, const char *k)
{
    const json_t *e = json_object_get(r->obj, k);
    if (!json_is_object(e)) {
        fputs("none reported", f);
        return;
    }
    put_int(f, e, "code");
    const char *t = json_string_value(json_object_get(e, "text"));
    if (t) {
        fputs(" ", f);
        cb_md_code(f, t);
    }
}

static void versions(FILE *f, const cb_upstream_doc *d)
{
    int server = strcmp(d->side, "server") == 0;
    const char *vk = server ? "server_version" : "client_version", *lk = server ? "server_library" : "client_library";
    const char *pvk = server ? "client_version" : "server_version", *plk = server ? "client_library" : "server_library";
    fputs("## Versions\n\n| | stack id | version | library loaded |\n| --- | --- | --- | --- |\n", f);
    fputs("| current release (where it holds) | ", f);
    cb_md_code(f, d->release);
    fputs(" | ", f);
    md_or_dash(f, str(d->current, vk));
    fputs(" | ", f);
    if (str(d->current, lk))
        cb_md_code(f, str(d->current, lk));
    else
        fputs("\xe2\x80\x94", f);
    fputs(" |\n| packaged (Debian 12) | ", f);
    cb_md_code(f, d->stack);
    fputs(" | ", f);
    md_or_dash(f, d->packaged ? str(d->packaged, vk) : NULL);
    fputs(" | ", f);
    if (str(d->packaged, lk))
        cb_md_code(f, str(d->packaged, lk));
    else
        fputs(d->packaged ? "\xe2\x80\x94" : "(this case did not run with the packaged stack)", f);
    fputs(" |\n| peer (the other side) | ", f);
    cb_md_code(f, server ? d->current->client : d->current->server);
    fputs(" | ", f);
    md_or_dash(f, str(d->current, pvk));
    fputs(" | ", f);
    if (str(d->current, plk))
        cb_md_code(f, str(d->current, plk));
    else
        fputs("\xe2\x80\x94", f);
    fputs(" |\n\n", f);
}

static void observed(FILE *f, const cb_upstream_doc *d)
{
    const cb_result *r = d->current;
    const json_t *o = r->obj;
    fputs("## What was observed on the wire\n\nFrom the run's results line for ", f);
    cb_md_code(f, r->case_id);
    fputs(" (`cases.jsonl` here, first line) and its capture.\n\n", f);
    fprintf(f, "- TLS %s; list given to the server: ", r->tls);
    put_int(f, o, "list_bytes");
    fputs(" list bytes, ", f);
    put_int(f, o, "dns_configured");
    fputs(" DNs (source ", f);
    md_or_dash(f, str(r, "source"));
    fputs(", client selection ", f);
    md_or_dash(f, str(r, "select"));
    if (str(r, "model")) {
        fputs(", truncation model ", f);
        cb_md_code(f, str(r, "model"));
    }
    if (str(r, "inject")) {
        fputs(", malformation injected by the relay: ", f);
        cb_md_code(f, str(r, "inject"));
    }
    fputs(")\n- CertificateRequest: ", f);
    put_int(f, o, "cr_message_bytes");
    fputs(" bytes with its header, in ", f);
    put_int(f, o, "records");
    fputs(" record(s); the server flight's largest record: ", f);
    put_int(f, o, "max_record");
    fputs(" bytes\n- the list on the wire: ", f);
    put_int(f, o, "wire_list_bytes");
    fputs(" list bytes, ", f);
    put_int(f, o, "dns_on_wire");
    fputs(" DNs, its own length field ", f);
    put_int(f, o, "wire_outer_len");
    fputs(", codec class ", f);
    md_or_dash(f, str(r, "wire_class"));
    fputs("\n- server verdict: **", f);
    md_or_dash(f, r->server_verdict);
    fputs("**", f);
    if (str(r, "server_detail")) {
        fputs(" (", f);
        cb_md_put(f, str(r, "server_detail"), 300);
        fputs(")", f);
    }
    fputs("; client verdict: **", f);
    md_or_dash(f, r->client_verdict);
    fputs("**; handshake: ", f);
    md_or_dash(f, str(r, "handshake"));
    const json_t *al = json_object_get(o, "alerts");
    fputs("\n- alerts read from the wire: from the server ", f);
    put_alert(f, al, "wire_from_server");
    fputs(", from the client ", f);
    put_alert(f, al, "wire_from_client");
    fputs("; reported by the shims as sent: server ", f);
    put_alert(f, al, "server_sent");
    fputs(", client ", f);
    put_alert(f, al, "client_sent");
    fputs("\n- the library's own error: server ", f);
    put_error(f, r, "server_error");
    fputs("; client ", f);
    put_error(f, r, "client_error");
    fputs("\n\n### The relay's timeline\n\nWhat each side sent and each close, in the order the relay saw them "
          "(`T_MS WHO WHAT`: S server, C client; `hs` handshake record, `alert:D/plain|enc`, `fin` the side closed):\n\n",
          f);
    const json_t *tl = json_object_get(o, "timeline");
    char *joined = NULL;
    size_t jl = 0;
    FILE *m = open_memstream(&joined, &jl);
    if (m) {
        for (size_t i = 0; i < json_array_size(tl); i++)
            if (json_is_string(json_array_get(tl, i)))
                fprintf(m, "%s%s", i ? "\n" : "", json_string_value(json_array_get(tl, i)));
        if (!json_array_size(tl))
            fputs("(no timeline in the results line)", m);
        fclose(m);
        fenced(f, "", joined ? joined : "");
        free(joined);
    }
    fputs("\n### Records in the capture\n\n", f);
    if (!d->pcap[0]) {
        fputs("The run kept no capture of this case.\n\n", f);
        return;
    }
    if (!d->cap) {
        fputs("The capture could not be read: ", f);
        cb_md_put(f, d->cap_err, 300);
        fputs("\n\n", f);
        return;
    }
    const cb_capture *c = d->cap;
    fprintf(f, "`%s`: %zu packets; %zu bytes from the client, %zu from the server; %zu TLS records", d->pcap, c->packets,
            c->bytes[0], c->bytes[1], c->n);
    if (c->note[0]) {
        fputs(" (the file ends early: ", f);
        cb_md_put(f, c->note, 200);
        fputs("; the records before that are listed)", f);
    } else if (c->cut) {
        fputs(" (the capture ends inside a record)", f);
    }
    fprintf(f, ". Record headers as sent (%s: open the pcap with the key log as `tls.keylog_file` to see the messages "
               "inside); ms from the capture's first packet:\n\n| # | ms | from | content type | length | alert |\n"
               "| --- | --- | --- | --- | --- | --- |\n",
            strcmp(r->tls, "1.3") == 0 ? "in TLS 1.3 every record after the ServerHello is encrypted"
                                        : "in TLS 1.2 a side's records after its ChangeCipherSpec are encrypted");
    size_t shown = c->n > 80 ? 80 : c->n;
    for (size_t i = 0; i < shown; i++) {
        const cb_cap_record *x = &c->v[i];
        char tb[32];
        fprintf(f, "| %zu | %.3f | %s | %s | %zu | ", i + 1, x->t_ms, x->from_server ? "server" : "client",
                cb_content_type_name(x->type, tb, sizeof(tb)), x->len);
        if (x->alert_desc >= 0) {
            const char *n = cb_alert_name(x->alert_desc);
            fprintf(f, "%s %d%s%s%s (plaintext)", x->alert_level == 2 ? "fatal" : x->alert_level == 1 ? "warning" : "level ?",
                    x->alert_desc, n ? " " : "", n ? n : "", "");
        } else if (x->type == 21) {
            fputs("encrypted", f);
        }
        fputs(" |\n", f);
    }
    if (c->n > shown)
        fprintf(f, "| \xe2\x80\xa6 | | | %zu more records | | |\n", c->n - shown);
    fputs("\n", f);
    /* The closes in the order they came. */
    int first = c->fin[0] && c->fin[1] ? (c->fin_ms[1] < c->fin_ms[0] ? 1 : 0) : c->fin[1] ? 1 : 0;
    for (int i = 0; i < 2; i++) {
        int k = i ? !first : first;
        if (c->fin[k])
            fprintf(f, "%s closed its side (TCP FIN) at %.3f ms.\n", k ? "The server" : "The client", c->fin_ms[k]);
    }
    fputs("\n", f);
}

void cb_upstream_write(FILE *f, const cb_upstream_doc *d)
{
    int rule = cb_rule_parse(d->rule);
    enum cb_rule er = rule >= 0 ? (enum cb_rule)rule : CB_RULE_COUNT;
    int server = strcmp(d->side, "server") == 0;
    const cb_result *r = d->current;
    const char *version = str(r, server ? "server_version" : "client_version");
    const char *why = NULL;
    const json_t *hits = json_object_get(r->obj, "rule_hits");
    for (size_t i = 0; i < json_array_size(hits) && !why; i++) {
        const json_t *h = json_array_get(hits, i);
        const char *id = json_string_value(json_object_get(h, "rule")), *s = json_string_value(json_object_get(h, "side"));
        if (id && strcmp(id, d->rule) == 0 && (!s || strcmp(s, d->side) == 0))
            why = json_string_value(json_object_get(h, "why"));
    }

    fputs("# ", f);
    /* "Mbed TLS 3.6.7" names itself; a bare "3.8.13" gets the stack's name. */
    if (!version || (*version >= '0' && *version <= '9')) {
        cb_md_put(f, d->stack, 60);
        fputc(' ', f);
    }
    cb_md_put(f, version ? version : d->release, 100);
    fprintf(f, " %s %s (TLS %s, %s)\n\n", d->side, er < CB_RULE_COUNT ? rule_title(er) : "fails a rule", r->tls, d->rule);
    fputs("Found by cabound, a conformance suite for the `certificate_authorities` list of TLS 1.2 and 1.3 (real "
          "handshakes between real TLS libraries; the harness relays and measures every byte). The ",
          f);
    fputs(d->side, f);
    fputs(" here is ", f);
    cb_md_code(f, d->release);
    fputs(", the current release built from its upstream tarball; the same ", f);
    if (!d->packaged)
        fputs("case did not run with Debian 12's package", f);
    else if (cb_line_has_hit(d->packaged, d->side, d->rule))
        fputs("case with Debian 12's package shows it too", f);
    else
        fputs("case with Debian 12's package does not show it (new in the current release)", f);
    fprintf(f, ". In this run the finding holds in %zu of %zu comparable cases of the current release.\n\n", d->held, d->of);
    if (why) {
        fputs("In one line: ", f);
        cb_md_put(f, why, 600);
        fputs(".\n\n", f);
    }
    versions(f, d);

    fputs("## Reproduce (one command, the current release)\n\nFrom a cabound checkout built with the current releases "
          "(`bash ci/stacks && bash ci/build build \"-DCABOUND_EXTRA_BUILDS=$(bash ci/stacks --option)\"`):\n\n",
          f);
    fenced(f, "sh", str(r, "repro") ? str(r, "repro") : "(the results line carries no repro command)");
    if (d->packaged && str(d->packaged, "repro")) {
        fputs("\nThe same case with the packaged stack:\n\n", f);
        fenced(f, "sh", str(d->packaged, "repro"));
        /* A suite may leave the list source or the selection mode to each
         * stack's own way (auto): the two builds can differ there. */
        static const char *const keys[] = {"source", "select"};
        for (int k = 0; k < 2; k++) {
            const char *a = str(d->packaged, keys[k]), *b = str(r, keys[k]);
            if (a && b && strcmp(a, b) != 0) {
                fprintf(f, "\nThe suite leaves the %s to each stack: the packaged case ran with `--%s` ",
                        k ? "selection mode" : "list source", keys[k]);
                cb_md_code(f, a);
                fprintf(f, ", the current release's with `--%s` ", keys[k]);
                cb_md_code(f, b);
                fputs(".\n", f);
            }
        }
    }
    fputs("\nIt runs the one case and prints its results line (JSON): the finding is its `rule_hits` entry for the ", f);
    fputs(d->side, f);
    fputs(".\n\n", f);

    fputs("## What the RFC says\n\n", f);
    if (er < CB_RULE_COUNT) {
        rfc_text t[2];
        rule_rfc(er, strcmp(r->tls, "1.3") == 0, t);
        for (int i = 0; i < 2; i++) {
            if (!t[i].section)
                continue;
            fprintf(f, "**%s**\n\n> %s\n\n", t[i].section, t[i].quote);
        }
        fprintf(f, "The rule cabound checks, `%s`: %s.\n\n", d->rule, cb_rule_text(er));
    } else {
        fputs("(a rule this cabound does not know)\n\n", f);
    }

    observed(f, d);

    fputs("## The side at fault\n\nThe **", f);
    fputs(d->side, f);
    fputs("** (", f);
    cb_md_code(f, d->release);
    if (version) {
        fputs(", ", f);
        cb_md_put(f, version, 100);
    }
    fputs(")", f);
    if (why) {
        fputs(": ", f);
        cb_md_put(f, why, 600);
    }
    fputs(". ", f);
    fputs("A hit is held against the side that first departed from the protocol: the relay records every record and "
          "every close in both directions, in order, so a side that closed silently is told apart from a peer that "
          "answered that close.\n\n",
          f);

    fputs("## Files\n\n- `REPORT.md`: this report\n- `cases.jsonl`: the results line of the current release's case, then "
          "the packaged one's (fields: cabound's docs/results.md)\n",
          f);
    if (d->pcap[0]) {
        fputs("- ", f);
        cb_md_code(f, d->pcap);
        fputs(": the connection as the client received it", f);
        if (d->keylog[0]) {
            fputs("; ", f);
            cb_md_code(f, d->keylog);
            fputs(" its key log (NSS format): Wireshark, Preferences, Protocols, TLS, (Pre)-Master-Secret log filename", f);
        }
        fputs("\n", f);
    }
    if (d->pcap_server_sent[0]) {
        fputs("- ", f);
        cb_md_code(f, d->pcap_server_sent);
        fputs(": what the server really sent (the relay rewrote the CertificateRequest on its way to the client)\n", f);
    }
}
