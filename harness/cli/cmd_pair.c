/* cabound pair — one case between a server stack and a client stack. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case.h"
#include "case_flags.h"
#include "commands.h"
#include "expect_files.h"
#include "names.h"
#include "outcome.h"
#include "paths.h"
#include "repro.h"
#include "stacks.h"

/* supported says, for a mode |key| the stack lacks, which one would work
 * (the case still runs: the shim's own "unsupported" reply is the line). A
 * shim outside the build's stack list (a test shim) has no description. */
static int supported(const cb_stack_info *s, const char *key, const char *flag, const char *want)
{
    if (!s || !s->describe || cb_stack_supports(s, key, want))
        return 1;
    char have[256] = "";
    json_t *arr = json_object_get(s->describe, key), *v;
    size_t i;
    json_array_foreach(arr, i, v)
    {
        size_t n = strlen(have);
        snprintf(have + n, sizeof(have) - n, "%s%s", n ? ", " : "", json_string_value(v) ? json_string_value(v) : "?");
    }
    fprintf(stderr, "cabound pair: unsupported: %s does not support %s %s; it supports: %s\n", s->id, flag, want,
            have[0] ? have : "none");
    return 0;
}

int cmd_pair(int argc, char **argv)
{
    const char *server = NULL, *client = NULL, *pcap = NULL, *expect_dir = NULL;
    int help = 0;
    cb_case_flags cf;
    cb_case_flags_init(&cf);
    const cb_flag flags[] = {
        {"--server", CB_FLAG_STR, &server, "STACK", "server stack (required)"},
        {"--client", CB_FLAG_STR, &client, "STACK", "client stack (required)"},
        CB_CASE_FLAG_TABLE(cf),
        {"--pcap", CB_FLAG_STR, &pcap, "DIR", "keep the capture (pcap + key log) under DIR/captures"},
        {"--expect", CB_FLAG_STR, &expect_dir, "DIR", "expectation files (default: the suites' expect/)"},
        {"--help", CB_FLAG_BOOL, &help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    if (cb_flags_parse("pair", argc, argv, 2, flags, NULL) != 0)
        return CB_EXIT_USAGE;
    if (help) {
        printf("usage: cabound pair --server STACK --client STACK [--tls 1.2|1.3] [--list-bytes T] ...\n\n");
        cb_flags_help(flags);
        printf("\nPrints one results line (docs/results.md) and, on stderr, its outcome against the\n"
               "recorded expectations (a repro of a suite case is judged like the run judged it).\n"
               "Exit 0 when the observation met its expectation (a known finding says so), or, for a\n"
               "case no expectation covers, when no rule failed and no shim faulted; 1 on a finding,\n"
               "regression, xpass or error; 2 on a usage or input error.\n\nexamples:\n"
               "  cabound pair --server openssl --client gnutls --tls 1.3 --list-bytes 20000\n"
               "  cabound pair --server openssl --client nss --list-bytes 30000 --model schannel-16k --issuer last\n"
               "  cabound pair --server openssl --client wolfssl --inject dn-cut --pcap /tmp/cap\n");
        return CB_EXIT_OK;
    }
    if (!server || !client) {
        fprintf(stderr, "cabound pair: --server and --client are required\n");
        return CB_EXIT_USAGE;
    }
    cb_case c;
    cb_case_defaults(&c);
    snprintf(c.server, sizeof(c.server), "%s", server);
    snprintf(c.client, sizeof(c.client), "%s", client);
    if (cb_case_from_flags("pair", &cf, &c) != 0)
        return CB_EXIT_USAGE;
    if (pcap) {
        struct stat ps;
        /* `cabound run --pcap WHEN` takes never|findings|always; here it is a
         * directory, and "always" must not become one by mistake. */
        if ((!strcmp(pcap, "never") || !strcmp(pcap, "findings") || !strcmp(pcap, "always")) &&
            (stat(pcap, &ps) != 0 || !S_ISDIR(ps.st_mode))) {
            fprintf(stderr, "cabound pair: --pcap %s: pair takes a directory (the capture goes to DIR/captures); "
                            "never|findings|always is cabound run's --pcap\n", pcap);
            return CB_EXIT_USAGE;
        }
        if (stat(pcap, &ps) == 0 && !S_ISDIR(ps.st_mode)) {
            fprintf(stderr, "cabound pair: --pcap %s: not a directory (give a directory; the capture goes to DIR/captures)\n", pcap);
            return CB_EXIT_USAGE;
        }
    }
    cb_stack_info st[CB_MAX_STACKS];
    const char *const both[2] = {server, client};
    size_t nst = cb_stacks_discover_only(cb_shim_dir(), both, 2, st, CB_MAX_STACKS);
    if (cb_check_shim("pair", "--server", server, st, nst) || cb_check_shim("pair", "--client", client, st, nst)) {
        cb_stacks_free(st, nst);
        return CB_EXIT_USAGE;
    }
    char want_src[16], want_sel[16];
    memcpy(want_src, c.source, sizeof(want_src));
    memcpy(want_sel, c.select, sizeof(want_sel));
    snprintf(c.source, sizeof(c.source), "%s", cb_stack_resolve(cb_stack_find(st, nst, server), "calist_source", want_src));
    snprintf(c.select, sizeof(c.select), "%s", cb_stack_resolve(cb_stack_find(st, nst, client), "select", want_sel));
    if (c.inject[0] && c.tls13 && strcmp(cf.source, "auto") == 0)
        snprintf(c.source, sizeof(c.source), "raw");
    const cb_stack_info *ss = cb_stack_find(st, nst, server), *cs = cb_stack_find(st, nst, client);
    /* An application plays one role (a server has list sources, a client
     * selection modes): naming it in the other is a usage error, not an
     * unsupported case. */
    if ((ss && ss->app && !ss->sources[0]) || (cs && cs->app && !cs->selects[0])) {
        const char *who = ss && ss->app && !ss->sources[0] ? server : client;
        fprintf(stderr, "cabound pair: %s is a %s application; it cannot be the %s\n", who,
                who == server ? "client" : "server", who == server ? "server" : "client");
        cb_stacks_free(st, nst);
        return CB_EXIT_USAGE;
    }
    const char *tv = c.tls13 ? "1.3" : "1.2";
    /* Every unsupported mode is named, not only the first. */
    int ok = 1;
    supported(ss, "tls", "--tls", tv);
    supported(cs, "tls", "--tls", tv);
    supported(ss, "calist_source", "--source", c.source);
    supported(cs, "select", "--select", c.select);
    cb_expectations exp;
    char edir[4200], eerr[1024];
    if (expect_dir)
        snprintf(edir, sizeof(edir), "%s", expect_dir);
    else
        snprintf(edir, sizeof(edir), "%s/expect", cb_default_suites_dir());
    if (ok && cb_expect_files_load(edir, st, nst, &exp, eerr, sizeof(eerr)) != 0) {
        fprintf(stderr, "cabound pair: %s\n", eerr);
        ok = 0;
    }
    cb_stacks_free(st, nst);
    if (!ok)
        return CB_EXIT_USAGE;
    char work[4096];
    const char *tmp = getenv("TMPDIR");
    snprintf(work, sizeof(work), "%s/cabound-work", tmp && *tmp ? tmp : "/tmp");
    cb_runner r;
    cb_runner_init(&r, cb_shim_dir(), work, pcap ? pcap : work);
    r.keep_captures = pcap ? 2 : 0;
    char self[4200];
    cb_repro_self(cb_self_dir(), self, sizeof(self));
    r.cabound = self;
    json_t *line = NULL;
    char err[1024];
    int rc = cb_case_run(&r, &c, &line, err, sizeof(err));
    cb_runner_close(&r);
    if (rc != 0) {
        cb_expectations_free(&exp);
        fprintf(stderr, "cabound pair: %s\n", err);
        return CB_EXIT_USAGE;
    }
    char repro[4096];
    if (cb_repro(&c, self, repro, sizeof(repro)) == 0)
        json_object_set_new(line, "repro", json_string(repro));
    int missing = cb_expect_files_apply(&exp, line);
    cb_expectations_free(&exp);
    char *s = json_dumps(line, JSON_COMPACT);
    puts(s);
    free(s);
    const char *oc = json_string_value(json_object_get(line, "outcome"));
    const char *why = json_string_value(json_object_get(line, "outcome_why"));
    int failed;
    if (missing && oc && strcmp(oc, "missing") == 0) {
        /* No expectation covers this case: judged by its rules and faults alone. */
        failed = json_array_size(json_object_get(line, "rules")) > 0 || !json_is_null(json_object_get(line, "fault"));
        fprintf(stderr, "cabound pair: %s (no expectation covers this case)\n",
                failed ? "finding: a rule failed or a shim faulted" : "no rule failed");
    } else {
        failed = !oc || cb_outcome_is_failure(oc);
        int known = !failed && json_array_size(json_object_get(line, "rules")) > 0;
        if (!why)
            why = json_string_value(json_object_get(line, "unsupported"));
        fprintf(stderr, "cabound pair: %s%s%s\n", known ? "known finding (recorded in the expectations)" : oc ? oc : "?",
                why ? ": " : "", why ? why : "");
    }
    json_decref(line);
    return failed ? CB_EXIT_FINDINGS : CB_EXIT_OK;
}
