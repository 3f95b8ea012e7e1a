/* cabound boundaries — bisect, at byte resolution, the largest list each
 * server stack sends intact with a completed handshake, and the largest
 * CertificateRequest each client stack accepts. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case.h"
#include "commands.h"
#include "flags.h"
#include "jsonl.h"
#include "names.h"
#include "stacks.h"

#define LO 1000
#define HI 140000

struct probe {
    int ok;
    char verdict[64];
    long message_bytes;
    long wire_list_bytes;
    char wire_class[32];
};

/* The reference peer: OpenSSL reassembles and fragments handshake messages
 * correctly and accepts CertificateRequests up to its max_cert_list (100 KB,
 * ssl/ssl_lib.c SSL_CTX_new: SSL_MAX_CERT_LIST_DEFAULT). */
#define REFERENCE "openssl"

static int run_probe(cb_runner *r, const char *server, const char *client, const char *source, int tls13, size_t bytes,
                     int server_side, struct probe *p)
{
    cb_case c;
    cb_case_defaults(&c);
    snprintf(c.suite, sizeof(c.suite), "boundaries");
    snprintf(c.name, sizeof(c.name), "%s@%zu", server_side ? "server" : "client", bytes);
    snprintf(c.server, sizeof(c.server), "%s", server);
    snprintf(c.client, sizeof(c.client), "%s", client);
    c.tls13 = tls13;
    c.list_bytes = bytes;
    snprintf(c.issuer_at[0], sizeof(c.issuer_at[0]), "first");
    snprintf(c.select, sizeof(c.select), "native");
    snprintf(c.source, sizeof(c.source), "%s", source);
    json_t *l = NULL;
    char err[512];
    memset(p, 0, sizeof(*p));
    if (cb_case_run(r, &c, &l, err, sizeof(err)) != 0) {
        snprintf(p->verdict, sizeof(p->verdict), "error");
        return -1;
    }
    const char *sv = json_string_value(json_object_get(l, "server_verdict"));
    const char *cv = json_string_value(json_object_get(l, "client_verdict"));
    const char *hs = json_string_value(json_object_get(l, "handshake"));
    const char *wc = json_string_value(json_object_get(l, "wire_class"));
    int hs_ok = hs && strcmp(hs, "ok") == 0;
    p->message_bytes = json_is_integer(json_object_get(l, "cr_message_bytes")) ? (long)json_integer_value(json_object_get(l, "cr_message_bytes")) : -1;
    p->wire_list_bytes = json_is_integer(json_object_get(l, "wire_list_bytes")) ? (long)json_integer_value(json_object_get(l, "wire_list_bytes")) : -1;
    snprintf(p->wire_class, sizeof(p->wire_class), "%s", wc ? wc : "");
    if (server_side) {
        p->ok = hs_ok && sv && strcmp(sv, "full") == 0;
        snprintf(p->verdict, sizeof(p->verdict), "%s%s", sv ? sv : "?", hs_ok ? "" : "+handshake-failed");
    } else {
        p->ok = hs_ok && cv && (strcmp(cv, "selected") == 0 || strcmp(cv, "sent-empty") == 0);
        snprintf(p->verdict, sizeof(p->verdict), "%s%s", cv ? cv : "?", hs_ok ? "" : "+handshake-failed");
    }
    json_decref(l);
    return 0;
}

/* like_model names the core model whose policy the boundary matches: a cut
 * where the whole message reaches a power-of-two size is fit-in-message,
 * a cut at 16384 list bytes is schannel-16k, a refusal past 65535 is rfc. */
static const char *like_model(const struct probe *ok, const struct probe *above, size_t largest, char *buf, size_t buflen)
{
    int truncated = strncmp(above->verdict, "truncated", 9) == 0;
    if (truncated && ok->message_bytes > 0 && (ok->message_bytes == 16384 || ok->message_bytes == 65535)) {
        snprintf(buf, buflen, "fit-in-message %ld", ok->message_bytes);
        return buf;
    }
    if (truncated && largest == 16384)
        return "schannel-16k";
    if (strncmp(above->verdict, "refused", 7) == 0 && largest == 65535)
        return "rfc";
    return NULL;
}

int cb_boundaries_run(const char *out, const cb_strlist *only, const char *tls, int json, int quiet);

int cmd_boundaries(int argc, char **argv)
{
    cb_strlist stacks = {0};
    const char *tls = NULL, *out = "results";
    int json = 0, help = 0;
    const cb_flag flags[] = {
        {"--stacks", CB_FLAG_LIST, &stacks, "ID", "only these stacks (default: all installed)"},
        {"--tls", CB_FLAG_STR, &tls, "1.2|1.3", "only one TLS version"},
        {"--out", CB_FLAG_STR, &out, "DIR", "write DIR/boundaries.jsonl (default results/)"},
        {"--json", CB_FLAG_BOOL, &json, NULL, "print one JSON object per row"},
        {"--help", CB_FLAG_BOOL, &help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    if (cb_flags_parse("boundaries", argc, argv, 2, flags, NULL) != 0)
        return CB_EXIT_USAGE;
    if (help) {
        printf("usage: cabound boundaries [--stacks ID,...] [--tls 1.2|1.3] [--json] [--out DIR]\n\n");
        cb_flags_help(flags);
        printf("\nFor each server stack: the largest list (list bytes, %d..%d) it sends intact with a\n"
               "completed handshake to an OpenSSL client, and the verdict one byte above. For each\n"
               "client stack: the largest list it accepts from an OpenSSL server. Bisection assumes\n"
               "one boundary in the range; each row says the verdict just above it.\n\n"
               "examples:\n  cabound boundaries\n  cabound boundaries --stacks gnutls --tls 1.3 --json\n", LO, HI);
        return CB_EXIT_OK;
    }
    if (tls && strcmp(tls, "1.2") && strcmp(tls, "1.3")) {
        fprintf(stderr, "cabound boundaries: --tls: 1.2 or 1.3\n");
        return CB_EXIT_USAGE;
    }
    return cb_boundaries_run(out, &stacks, tls, json, 0);
}

/* cb_boundaries_run writes OUT/boundaries.jsonl; prints a table unless
 * |quiet| (or JSON rows with |json|). Returns an exit status. */
int cb_boundaries_run(const char *out, const cb_strlist *only, const char *tls, int json, int quiet)
{
    cb_strlist stacks = *only;
    cb_stack_info st[CB_MAX_STACKS];
    size_t n = cb_stacks_discover(cb_shim_dir(), st, CB_MAX_STACKS);
    int have_ref = 0;
    for (size_t i = 0; i < n; i++)
        have_ref |= st[i].installed && strcmp(st[i].id, REFERENCE) == 0;
    if (cb_check_stacks("boundaries", "--stacks", stacks.items, stacks.count, st, n) != 0) {
        cb_stacks_free(st, n);
        return CB_EXIT_USAGE;
    }
    if (!have_ref) {
        fprintf(stderr, "cabound boundaries: the reference peer (%s) is not installed\n", REFERENCE);
        cb_stacks_free(st, n);
        return CB_EXIT_USAGE;
    }
    mkdir(out, 0755);
    char path[4200], work[4200], final[4200], tmp[4300];
    snprintf(final, sizeof(final), "%s/boundaries.jsonl", out);
    snprintf(tmp, sizeof(tmp), "%s.tmp", final);
    snprintf(work, sizeof(work), "%s/work", out);
    /* A narrowed search (--stacks, --tls) replaces only its own rows: the
     * rows of a full run for the other stacks and versions stay. The file
     * is replaced once the search ends, so a killed search loses nothing. */
    json_t *old = (stacks.count || tls) ? cb_jsonl_load(final) : json_array();
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "cabound boundaries: %s: cannot write\n", tmp);
        json_decref(old);
        cb_stacks_free(st, n);
        return CB_EXIT_USAGE;
    }
    size_t oi;
    json_t *orow;
    json_array_foreach(old, oi, orow)
    {
        const char *os = json_string_value(json_object_get(orow, "stack"));
        const char *ot = json_string_value(json_object_get(orow, "tls"));
        int mine = os && (!stacks.count || cb_strlist_has(&stacks, os)) && (!tls || (ot && strcmp(ot, tls) == 0));
        if (!mine) {
            char *s = json_dumps(orow, JSON_COMPACT);
            fprintf(f, "%s\n", s);
            free(s);
        }
    }
    json_decref(old);
    cb_runner r;
    cb_runner_init(&r, cb_shim_dir(), work, out);
    r.keep_captures = 0;
    if (!json && !quiet)
        printf("%-14s %-6s %-4s %14s %14s  %s\n", "stack", "side", "tls", "largest list", "its message", "just above");
    for (size_t i = 0; i < n; i++) {
        if (!st[i].installed)
            continue;
        if (stacks.count && !cb_strlist_has(&stacks, st[i].id))
            continue;
        /* A real application starts a server per case: bisecting it is
         * asked for by name (--stacks), never by default. */
        if (st[i].app && !stacks.count)
            continue;
        for (int side = 0; side < 2; side++)
            for (int v = 0; v < 2; v++) {
                const char *vs = v ? "1.3" : "1.2";
                if ((tls && strcmp(tls, vs)) || !cb_stack_supports(&st[i], "tls", vs))
                    continue;
                const char *server = side == 0 ? st[i].id : REFERENCE, *client = side == 0 ? REFERENCE : st[i].id;
                /* Each server in its native way: an explicit list where it has one. */
                const char *source = side == 1 || cb_stack_supports(&st[i], "calist_source", "explicit") ? "explicit" : "trust-store";
                struct probe plo, phi, pm;
                run_probe(&r, server, client, source, v, LO, side == 0, &plo);
                run_probe(&r, server, client, source, v, HI, side == 0, &phi);
                json_t *row = json_pack("{s:s,s:s,s:s}", "stack", st[i].id, "side", side == 0 ? "server" : "client", "tls", vs);
                json_object_set_new(row, "peer", json_string(side == 0 ? client : server));
                json_object_set_new(row, "source", json_string(source));
                if (!plo.ok) {
                    json_object_set_new(row, "largest_ok_list_bytes", json_null());
                    json_object_set_new(row, "largest_ok_message_bytes", json_null());
                    json_object_set_new(row, "above", json_string(plo.verdict));
                    json_object_set_new(row, "note", json_string("fails already at the low end of the range"));
                } else if (phi.ok) {
                    json_object_set_new(row, "largest_ok_list_bytes", json_integer(HI));
                    json_object_set_new(row, "largest_ok_message_bytes", json_integer(phi.message_bytes));
                    json_object_set_new(row, "above", json_null());
                    json_object_set_new(row, "note", json_string("no limit below the top of the range"));
                } else {
                    size_t lo = LO, hi = HI; /* ok(lo), !ok(hi) */
                    struct probe okp = plo, badp = phi;
                    while (hi - lo > 1) {
                        size_t mid = lo + (hi - lo) / 2;
                        run_probe(&r, server, client, source, v, mid, side == 0, &pm);
                        if (pm.ok) {
                            lo = mid;
                            okp = pm;
                        } else {
                            hi = mid;
                            badp = pm;
                        }
                    }
                    json_object_set_new(row, "largest_ok_list_bytes", json_integer((json_int_t)lo));
                    json_object_set_new(row, "largest_ok_message_bytes", okp.message_bytes >= 0 ? json_integer(okp.message_bytes) : json_null());
                    json_object_set_new(row, "above", json_string(badp.verdict));
                    if (badp.wire_class[0])
                        json_object_set_new(row, "above_wire_class", json_string(badp.wire_class));
                    /* Above a wrap range the stack may stop sending at all: bisect
                     * where the verdict just above the boundary ends. */
                    size_t kind = strcspn(badp.verdict, "+");
                    if (strncmp(phi.verdict, badp.verdict, kind) != 0 || phi.verdict[kind] != badp.verdict[kind]) {
                        size_t ulo = hi, uhi = HI; /* same(ulo), !same(uhi) */
                        struct probe up = phi, um;
                        while (uhi - ulo > 1) {
                            size_t mid = ulo + (uhi - ulo) / 2;
                            run_probe(&r, server, client, source, v, mid, side == 0, &um);
                            if (strncmp(um.verdict, badp.verdict, kind) == 0 && (um.verdict[kind] == 0 || um.verdict[kind] == '+'))
                                ulo = mid;
                            else {
                                uhi = mid;
                                up = um;
                            }
                        }
                        json_object_set_new(row, "upper", json_pack("{s:I,s:s}", "last_list_bytes", (json_int_t)ulo, "above",
                                                                    up.verdict));
                    }
                    char mbuf[64];
                    const char *m = side == 0 ? like_model(&okp, &badp, lo, mbuf, sizeof(mbuf)) : NULL;
                    json_object_set_new(row, "model", m ? json_string(m) : json_null());
                    /* A client whose peer gave up first was not reached: a lower bound. */
                    if (side == 1 && strncmp(badp.verdict, "not-asked", 9) == 0)
                        json_object_set_new(row, "note", json_string("lower bound: the reference server refused above it"));
                }
                char *s = json_dumps(row, JSON_COMPACT);
                fprintf(f, "%s\n", s);
                fflush(f);
                if (json) {
                    puts(s);
                } else if (!quiet) {
                    json_t *lb = json_object_get(row, "largest_ok_list_bytes"), *mb = json_object_get(row, "largest_ok_message_bytes");
                    const char *above = json_string_value(json_object_get(row, "above"));
                    json_t *up = json_object_get(row, "upper");
                    printf("%-14s %-6s %-4s %14s %14s  %s", st[i].id, side == 0 ? "server" : "client", vs,
                           json_is_integer(lb) ? (snprintf(path, sizeof(path), "%lld", (long long)json_integer_value(lb)), path) : "-",
                           json_is_integer(mb) ? (snprintf(work, sizeof(work), "%lld", (long long)json_integer_value(mb)), work) : "-",
                           above ? above : "(none up to 140000)");
                    if (up)
                        printf(" up to %lld, then %s", (long long)json_integer_value(json_object_get(up, "last_list_bytes")),
                               json_string_value(json_object_get(up, "above")));
                    printf("\n");
                }
                fflush(stdout);
                free(s);
                json_decref(row);
            }
    }
    int werr = fclose(f) != 0 || rename(tmp, final) != 0;
    cb_runner_close(&r);
    cb_stacks_free(st, n);
    if (werr) {
        fprintf(stderr, "cabound boundaries: %s: cannot write\n", final);
        return CB_EXIT_USAGE;
    }
    return CB_EXIT_OK;
}
