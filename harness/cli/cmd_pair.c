/* cabound pair — one case between a server stack and a client stack. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case.h"
#include "case_flags.h"
#include "commands.h"
#include "stacks.h"

int cmd_pair(int argc, char **argv)
{
    const char *server = NULL, *client = NULL, *pcap = NULL;
    int help = 0;
    cb_case_flags cf;
    cb_case_flags_init(&cf);
    const cb_flag flags[] = {
        {"--server", CB_FLAG_STR, &server, "STACK", "server stack (required)"},
        {"--client", CB_FLAG_STR, &client, "STACK", "client stack (required)"},
        CB_CASE_FLAG_TABLE(cf),
        {"--pcap", CB_FLAG_STR, &pcap, "DIR", "keep the capture (pcap + key log) under DIR/captures"},
        {"--help", CB_FLAG_BOOL, &help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    if (cb_flags_parse("pair", argc, argv, 2, flags, NULL) != 0)
        return CB_EXIT_USAGE;
    if (help) {
        printf("usage: cabound pair --server STACK --client STACK [--tls 1.2|1.3] [--list-bytes T] ...\n\n");
        cb_flags_help(flags);
        printf("\nPrints one results line (docs/results.md). Exit 0 when no consistency rule failed,\n"
               "1 when one did, 2 on a usage or input error.\n\nexamples:\n"
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
    cb_stack_info st[32];
    size_t nst = cb_stacks_discover(cb_shim_dir(), st, 32);
    char want_src[16], want_sel[16];
    memcpy(want_src, c.source, sizeof(want_src));
    memcpy(want_sel, c.select, sizeof(want_sel));
    snprintf(c.source, sizeof(c.source), "%s", cb_stack_resolve(cb_stack_find(st, nst, server), "calist_source", want_src));
    snprintf(c.select, sizeof(c.select), "%s", cb_stack_resolve(cb_stack_find(st, nst, client), "select", want_sel));
    if (c.inject[0] && c.tls13 && strcmp(cf.source, "auto") == 0)
        snprintf(c.source, sizeof(c.source), "raw");
    cb_stacks_free(st, nst);
    char work[4096];
    const char *tmp = getenv("TMPDIR");
    snprintf(work, sizeof(work), "%s/cabound-work", tmp && *tmp ? tmp : "/tmp");
    cb_runner r;
    cb_runner_init(&r, cb_shim_dir(), work, pcap ? pcap : work);
    r.keep_captures = pcap ? 2 : 0;
    char self[4200];
    snprintf(self, sizeof(self), "%s/cabound", cb_self_dir());
    r.cabound = self;
    json_t *line = NULL;
    char err[1024];
    int rc = cb_case_run(&r, &c, &line, err, sizeof(err));
    cb_runner_close(&r);
    if (rc != 0) {
        fprintf(stderr, "cabound pair: %s\n", err);
        return CB_EXIT_USAGE;
    }
    char *s = json_dumps(line, JSON_COMPACT);
    puts(s);
    free(s);
    int findings = json_array_size(json_object_get(line, "rules")) > 0 || !json_is_null(json_object_get(line, "fault"));
    json_decref(line);
    return findings ? CB_EXIT_FINDINGS : CB_EXIT_OK;
}
