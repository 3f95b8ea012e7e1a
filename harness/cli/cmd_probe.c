/* cabound probe — for an administrator: what CertificateRequest does a live
 * server send, and would it fit the limits of common clients? The
 * measurement is harness/run/probe.c; this file is flags and printing. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "dnstr.h"
#include "flags.h"
#include "probe.h"

/* The exit statuses of cabound probe (README "cabound probe"). */
#define PROBE_EXIT_FITS 0
#define PROBE_EXIT_EXCEEDS 1
#define PROBE_EXIT_UNMEASURED 3
#define PROBE_EXIT_NO_REQUEST 4

static const char *const limit_name[3] = {"16k", "32k", "64k"};
static const char *const limit_text[3] = {
    "16 KB: Schannel's 16384-byte list cap",
    "32 KB: a 32768-byte handshake-message cap",
    "64 KB: the 16-bit length (65535)",
};

/* split_target splits HOST:PORT ([V6]:PORT too) into |host| and |port|.
 * Returns 0, or -1 after printing why. */
static int split_target(const char *t, char *host, size_t hl, char *port, size_t pl)
{
    const char *colon = strrchr(t, ':');
    if (!colon || colon == t || !colon[1]) {
        fprintf(stderr, "cabound probe: \"%s\": expected HOST:PORT\n", t);
        return -1;
    }
    const char *h = t;
    size_t n = (size_t)(colon - t);
    if (t[0] == '[') {
        if (n < 2 || t[n - 1] != ']') {
            fprintf(stderr, "cabound probe: \"%s\": expected [IPV6]:PORT\n", t);
            return -1;
        }
        h = t + 1;
        n -= 2;
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 1 || p > 65535 || colon[1] == '0' || colon[1] == '+' || colon[1] == '-' || n == 0 || n >= hl) {
        fprintf(stderr, "cabound probe: \"%s\": the port must be a decimal number 1..65535 after a host\n", t);
        return -1;
    }
    memcpy(host, h, n);
    host[n] = 0;
    snprintf(port, pl, "%ld", p);
    return 0;
}

/* schannel_keeps counts the DNs that a list cut at 16384 list bytes keeps
 * (the schannel-16k model: whole DNs while the list stays within it). */
static size_t schannel_keeps(const cb_calist *l)
{
    size_t bytes = 0, k = 0;
    for (; k < l->count; k++) {
        if (bytes + 2 + l->dns[k].len > CB_PROBE_LIMIT_16K)
            break;
        bytes += 2 + l->dns[k].len;
    }
    return k;
}

static const char *status_name(enum cb_probe_status s)
{
    switch (s) {
    case CB_PROBE_MEASURED:
        return "measured";
    case CB_PROBE_NO_REQUEST:
        return "no-request";
    case CB_PROBE_UNMEASURED:
        return "unmeasured";
    default:
        return "failed";
    }
}

static json_t *alert_json(int a)
{
    if (a == CB_ALERT_NONE)
        return json_null();
    if (a == CB_ALERT_OPAQUE)
        return json_string("encrypted");
    return json_pack("{s:i,s:s}", "alert", a, "name", cb_probe_alert_name(a));
}

static void print_json(const char *target, const char *sni, const char *stack, int tls13, const cb_probe_result *r)
{
    const cb_wire *w = &r->wire;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "target", target, "tls", tls13 ? "1.3" : "1.2", "status",
                          status_name(r->status), "client", stack);
    json_object_set_new(o, "sni", sni ? json_string(sni) : json_null());
    json_object_set_new(o, "client_version", json_string(r->client_version));
    json_object_set_new(o, "why", r->status == CB_PROBE_MEASURED ? json_null() : json_string(r->why));
    if (r->status == CB_PROBE_MEASURED) {
        const cb_decoded *d = &w->cr.list;
        json_object_set_new(o, "cr_message_bytes", json_integer((json_int_t)w->cr_message_bytes));
        json_object_set_new(o, "records", json_integer((json_int_t)w->cr_records));
        json_object_set_new(o, "max_record", json_integer((json_int_t)w->max_record));
        json_object_set_new(o, "has_list", json_boolean(w->cr.has_list));
        json_object_set_new(o, "wire_list_bytes", json_integer((json_int_t)r->list_bytes));
        json_object_set_new(o, "wire_outer_len", w->cr.has_list ? json_integer((json_int_t)d->outer_len) : json_null());
        json_object_set_new(o, "wire_class", w->cr.has_list ? json_string(cb_class_name(d->cls)) : json_null());
        json_object_set_new(o, "dns_on_wire", json_integer((json_int_t)d->dns.count));
        json_t *fits = json_object();
        for (int i = 0; i < 3; i++)
            json_object_set_new(fits, limit_name[i], json_boolean(r->fits[i]));
        json_object_set_new(o, "fits", fits);
        json_object_set_new(o, "schannel_keeps", json_integer((json_int_t)schannel_keeps(&d->dns)));
        json_t *dns = json_array();
        for (size_t i = 0; i < d->dns.count; i++) {
            char s[2048];
            cb_dn_string(d->dns.dns[i].der, d->dns.dns[i].len, s, sizeof(s));
            json_array_append_new(dns, json_string(s));
        }
        json_object_set_new(o, "dns", dns);
    }
    json_object_set_new(o, "server_answer", alert_json(r->server_alert));
    json_object_set_new(o, "time_ms", json_integer((json_int_t)r->elapsed_ms));
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(o);
}

static void print_text(int tls13, const cb_probe_result *r, int show_dns)
{
    const char *v = tls13 ? "1.3" : "1.2";
    const cb_wire *w = &r->wire;
    if (r->status != CB_PROBE_MEASURED) {
        printf("TLS %s: %s\n", v, r->why);
        return;
    }
    const cb_decoded *d = &w->cr.list;
    printf("TLS %s: CertificateRequest of %zu bytes in %zu record%s (largest record %zu)\n", v, w->cr_message_bytes,
           w->cr_records, w->cr_records == 1 ? "" : "s", w->max_record);
    if (!w->cr.has_list)
        printf("  no certificate_authorities extension: the server names no CA (any client certificate may do)\n");
    else
        printf("  list: %zu bytes, %zu DNs, %s (outer length %zu)\n", r->list_bytes, d->dns.count,
               cb_class_name(d->cls), d->outer_len);
    size_t sizes[3] = {r->list_bytes, w->cr_message_bytes, r->list_bytes + (tls13 ? 2u : 0u)};
    const char *what[3] = {"list bytes", "message bytes", tls13 ? "extension bytes" : "list bytes"};
    unsigned lim[3] = {CB_PROBE_LIMIT_16K, CB_PROBE_LIMIT_32K, CB_PROBE_LIMIT_64K};
    for (int i = 0; i < 3; i++)
        printf("  %-42s %s (%zu %s, limit %u)\n", limit_text[i], r->fits[i] ? "fits" : "EXCEEDS", sizes[i], what[i],
               lim[i]);
    if (!r->fits[0]) {
        size_t k = schannel_keeps(&d->dns);
        printf("  a 16 KB cut (Schannel) keeps DNs 1..%zu and drops %zu..%zu: a client whose CA is among those\n"
               "  is offered no matching CA\n", k, k + 1, d->dns.count);
    }
    if (r->server_alert == CB_ALERT_NONE)
        printf("  the server's answer to an empty Certificate: no alert (it went on without a certificate, or waited)\n");
    else if (r->server_alert == CB_ALERT_OPAQUE)
        printf("  the server's answer to an empty Certificate: an encrypted alert\n");
    else
        printf("  the server's answer to an empty Certificate: alert %d (%s)\n", r->server_alert,
               cb_probe_alert_name(r->server_alert));
    if (show_dns && d->dns.count) {
        printf("  DNs, in the server's order (RFC 4514):\n");
        for (size_t i = 0; i < d->dns.count; i++) {
            char s[2048];
            cb_dn_string(d->dns.dns[i].der, d->dns.dns[i].len, s, sizeof(s));
            printf("  %5zu  %s\n", i + 1, s);
        }
    }
}

int cmd_probe(int argc, char **argv)
{
    const char *tls = "both", *sni = NULL, *stack = "openssl";
    int json = 0, help = 0, timeout_ms = 5000, no_dns = 0;
    cb_strlist pos = {0};
    const cb_flag flags[] = {
        {"--tls", CB_FLAG_STR, &tls, "1.2|1.3|both", "the version(s) to offer, one connection each (default both)"},
        {"--sni", CB_FLAG_STR, &sni, "NAME", "server name to send (a virtual host's list can differ)"},
        {"--timeout-ms", CB_FLAG_INT, &timeout_ms, "MS", "connect and handshake timeout per connection (default 5000)"},
        {"--client", CB_FLAG_STR, &stack, "STACK", "the client shim (default openssl; also boringssl)"},
        {"--no-dns", CB_FLAG_BOOL, &no_dns, NULL, "text output: leave out the list of DNs"},
        {"--json", CB_FLAG_BOOL, &json, NULL, "one JSON object per TLS version"},
        {"--help", CB_FLAG_BOOL, &help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    if (cb_flags_parse("probe", argc, argv, 2, flags, &pos) != 0)
        return CB_EXIT_USAGE;
    if (help) {
        printf("usage: cabound probe [--tls 1.2|1.3|both] [--sni NAME] [--timeout-ms MS] [--json] HOST:PORT\n\n");
        cb_flags_help(flags);
        printf("\nConnects as a TLS client that holds no certificate, reads the server's\n"
               "CertificateRequest (TLS 1.3: decrypted with the client's key log), prints its size, records\n"
               "and DNs and whether it fits 16 KB (list), 32 KB (message) and 64 KB (length field), then\n"
               "answers with an empty Certificate and closes.\n"
               "Exit 0 measured and within every limit; 1 measured and over a limit; 2 usage error;\n"
               "3 nothing measured (unreachable, not TLS, timeout, version refused); 4 the server asks\n"
               "for no client certificate.\n\nexamples:\n"
               "  cabound probe radius.example.org:443\n"
               "  cabound probe --tls 1.3 --sni intranet.example.org 10.0.0.5:8443 --json\n");
        return CB_EXIT_OK;
    }
    if (pos.count != 1) {
        fprintf(stderr, "cabound probe: give exactly one HOST:PORT (cabound probe --help)\n");
        return CB_EXIT_USAGE;
    }
    if (strcmp(tls, "1.2") != 0 && strcmp(tls, "1.3") != 0 && strcmp(tls, "both") != 0) {
        fprintf(stderr, "cabound probe: --tls: \"%s\": use 1.2, 1.3 or both\n", tls);
        return CB_EXIT_USAGE;
    }
    if (timeout_ms < 1 || timeout_ms > 600000) {
        fprintf(stderr, "cabound probe: --timeout-ms: %d is out of range 1..600000\n", timeout_ms);
        return CB_EXIT_USAGE;
    }
    if (strcmp(stack, "openssl") != 0 && strcmp(stack, "boringssl") != 0) {
        fprintf(stderr, "cabound probe: --client: \"%s\": only openssl and boringssl take probe requests\n", stack);
        return CB_EXIT_USAGE;
    }
    if (sni && (!*sni || strlen(sni) > 253)) {
        fprintf(stderr, "cabound probe: --sni: a host name of 1..253 characters\n");
        return CB_EXIT_USAGE;
    }
    char host[1024], port[16];
    if (split_target(pos.items[0], host, sizeof(host), port, sizeof(port)) != 0)
        return CB_EXIT_USAGE;
    char shim[4400];
    snprintf(shim, sizeof(shim), "%s/cabound-shim-%s", cb_shim_dir(), stack);
    if (access(shim, X_OK) != 0) {
        fprintf(stderr, "cabound probe: no client shim at %s (build cabound-shim-%s)\n", shim, stack);
        return CB_EXIT_USAGE;
    }
    const char *tmp = getenv("TMPDIR");
    char work[4096];
    snprintf(work, sizeof(work), "%s/cabound-probe-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(work)) {
        perror("cabound probe: mkdtemp");
        return CB_EXIT_USAGE;
    }
    int versions[2], nv = 0;
    if (strcmp(tls, "1.3") != 0)
        versions[nv++] = 0;
    if (strcmp(tls, "1.2") != 0)
        versions[nv++] = 1;
    int any_exceeds = 0, any_measured = 0, any_no_request = 0, harness_error = 0;
    if (!json)
        printf("cabound probe %s%s%s (client: %s, holding no certificate)\n", pos.items[0], sni ? ", SNI " : "",
               sni ? sni : "", stack);
    for (int i = 0; i < nv; i++) {
        cb_probe_opts o = {host, port, sni, versions[i], timeout_ms, shim, stack, work};
        cb_probe_result r;
        char err[512] = "";
        if (cb_probe_run(&o, &r, err, sizeof(err)) != 0) {
            fprintf(stderr, "cabound probe: %s\n", err);
            harness_error = 1;
            cb_probe_result_free(&r);
            continue;
        }
        if (json)
            print_json(pos.items[0], sni, stack, versions[i], &r);
        else
            print_text(versions[i], &r, !no_dns);
        fflush(stdout);
        if (r.status == CB_PROBE_MEASURED) {
            any_measured = 1;
            any_exceeds |= !r.fits[0] || !r.fits[1] || !r.fits[2];
        }
        any_no_request |= r.status == CB_PROBE_NO_REQUEST;
        cb_probe_result_free(&r);
    }
    char path[4200];
    snprintf(path, sizeof(path), "%s/probe-client.log", work);
    unlink(path);
    rmdir(work);
    if (any_exceeds)
        return PROBE_EXIT_EXCEEDS;
    if (any_measured)
        return PROBE_EXIT_FITS;
    if (harness_error)
        return PROBE_EXIT_UNMEASURED;
    return any_no_request ? PROBE_EXIT_NO_REQUEST : PROBE_EXIT_UNMEASURED;
}
