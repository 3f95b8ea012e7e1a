/* cabound deploy — one case through real programs as deployed: `eap`
 * (FreeRADIUS EAP-TLS with eapol_test) or `vpn` (an OpenVPN server and
 * client). Each writes a results line (docs/results.md, plus "app") to
 * stdout and appends it to OUT/results.jsonl. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "case.h"
#include "case_flags.h"
#include "commands.h"
#include "eap.h"
#include "fileio.h"
#include "repro.h"
#include "vpn.h"

/* The programs each driver needs and the Debian package that has them. */
static const struct {
    const char *what, *program, *package;
} needs[] = {
    {"eap", "freeradius", "freeradius"},
    {"eap", "eapol_test", "eapoltest"},
    {"vpn", "openvpn", "openvpn"},
};

static int on_path(const char *prog)
{
    const char *path = getenv("PATH");
    char dir[4096], full[4400];
    for (const char *p = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        snprintf(dir, sizeof(dir), "%.*s", (int)n, p);
        snprintf(full, sizeof(full), "%s/%s", dir[0] ? dir : ".", prog);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
            return 1;
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

int cmd_deploy(int argc, char **argv)
{
    const char *out = "results";
    int help = 0;
    cb_case_flags cf;
    cb_case_flags_init(&cf);
    cf.source = "trust-store";
    cf.select = "native";
    cf.list_bytes = 20000;
    const cb_flag flags[] = {
        CB_CASE_FLAG_TABLE(cf),
        {"--out", CB_FLAG_STR, &out, "DIR", "append the results line to DIR/results.jsonl (default results)"},
        {"--help", CB_FLAG_BOOL, &help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    cb_strlist pos = {0};
    if (cb_flags_parse("deploy", argc, argv, 2, flags, &pos) != 0)
        return CB_EXIT_USAGE;
    if (help) {
        printf("usage: cabound deploy eap|vpn [--list-bytes T] [--issuer POS] [--model NAME] [--out DIR] ...\n\n");
        cb_flags_help(flags);
        printf("\n  eap  FreeRADIUS EAP-TLS (tls-config { ca_file } = the list's PEM bundle) and eapol_test,\n"
               "       through a UDP proxy that reassembles the EAP-TLS fragments into the TLS bytes (TLS 1.2)\n"
               "  vpn  an OpenVPN server (--ca = the list's PEM bundle, TCP on loopback, no tun device) and an\n"
               "       OpenVPN client, through a TCP proxy that takes the TLS bytes out of P_CONTROL packets\n"
               "Defaults: --list-bytes 20000 --issuer last --source trust-store --select native (the only\n"
               "modes: the programs load a CA file and pick their one certificate themselves).\n"
               "Exit 0 when both programs authenticated, 1 when not or nothing was measured, 2 on a usage\n"
               "error or a missing program (named with its Debian package).\n\nexamples:\n"
               "  cabound deploy eap --list-bytes 20000 --issuer last\n"
               "  cabound deploy vpn --list-bytes 30000 --model schannel-16k --out /tmp/deploy\n");
        return CB_EXIT_OK;
    }
    if (pos.count != 1 || (strcmp(pos.items[0], "eap") != 0 && strcmp(pos.items[0], "vpn") != 0)) {
        fprintf(stderr, "cabound deploy: name one of eap, vpn (cabound deploy --help)\n");
        return CB_EXIT_USAGE;
    }
    const char *what = pos.items[0];
    int missing = 0;
    for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
        if (strcmp(needs[i].what, what) == 0 && !on_path(needs[i].program)) {
            fprintf(stderr, "cabound deploy %s: %s is not installed (Debian package %s; bash ci/deps installs it)\n",
                    what, needs[i].program, needs[i].package);
            missing = 1;
        }
    if (missing)
        return CB_EXIT_USAGE;
    int eap = strcmp(what, "eap") == 0;
    cb_case c;
    cb_case_defaults(&c);
    snprintf(c.server, sizeof(c.server), "%s", eap ? "freeradius" : "openvpn");
    snprintf(c.client, sizeof(c.client), "%s", eap ? "eapol_test" : "openvpn");
    if (cb_case_from_flags("deploy", &cf, &c) != 0)
        return CB_EXIT_USAGE;
    if (!cf.suite)
        snprintf(c.suite, sizeof(c.suite), "deploy");
    if (!cf.name)
        snprintf(c.name, sizeof(c.name), "%s@%zu,issuer=%s%s%s", eap ? "eap-tls" : "openvpn", c.list_bytes,
                 c.issuer_at[0], c.model[0] ? ",model=" : "", c.model);
    if (strcmp(c.source, "trust-store") != 0 || strcmp(c.select, "native") != 0 || c.inject[0] || c.n_creds != 1 ||
        c.tls13) {
        fprintf(stderr, "cabound deploy %s: the programs read a CA file and hold one certificate, in TLS 1.2: "
                        "--source trust-store, --select native, one --issuer, no --inject, --tls 1.2\n", what);
        return CB_EXIT_USAGE;
    }
    if (cb_mkdirs(out) != 0) {
        fprintf(stderr, "cabound deploy: cannot make %s\n", out);
        return CB_EXIT_USAGE;
    }
    char work[4200];
    snprintf(work, sizeof(work), "%s/work", out);
    cb_runner r;
    cb_runner_init(&r, cb_shim_dir(), work, out);
    /* A capture is drawn from the relay's log of reads and writes; a proxy
     * of RADIUS or OpenVPN packets keeps none, and a pcap without the bytes
     * would mislead. The programs' logs are named in the line instead. */
    r.keep_captures = 0;
    json_t *line = NULL;
    char err[1024] = "";
    int rc = eap ? cb_eap_run(&r, &c, &line, err, sizeof(err)) : cb_vpn_run(&r, &c, &line, err, sizeof(err));
    cb_runner_close(&r);
    if (rc != 0) {
        fprintf(stderr, "cabound deploy %s: %s\n", what, err);
        return rc == -2 ? CB_EXIT_USAGE : CB_EXIT_FINDINGS;
    }
    /* The command that reruns this case is this one, not a shim pair: the
     * pair command's words (repro.c, every case flag, shell-quoted) with
     * "pair --server S --client C" made "deploy WHAT". */
    char self[4200], pair[4096], repro[4200];
    cb_repro_self(cb_self_dir(), self, sizeof(self));
    const char *tail = cb_repro(&c, self, pair, sizeof(pair)) == 0 ? strstr(pair, " --tls ") : NULL;
    const char *head = strstr(pair, " pair --server ");
    if (tail && head && head < tail) {
        snprintf(repro, sizeof(repro), "%.*s deploy %s%s", (int)(head - pair), pair, what, tail);
        json_object_set_new(line, "repro", json_string(repro));
    }
    /* No expectations are recorded for deployed programs (yet): the line
     * says so rather than pass or fail anything. */
    json_object_set_new(line, "expected", json_pack("{s:n,s:n}", "server", "client"));
    json_object_set_new(line, "outcome", json_string("missing"));
    json_object_set_new(line, "outcome_why", json_string("no expectations are recorded for deployed programs"));
    char *text = json_dumps(line, JSON_COMPACT);
    char path[4300];
    snprintf(path, sizeof(path), "%s/results.jsonl", out);
    FILE *f = fopen(path, "a");
    if (!text || !f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0) {
        fprintf(stderr, "cabound deploy: cannot append to %s\n", path);
        free(text);
        json_decref(line);
        return CB_EXIT_USAGE;
    }
    printf("%s\n", text);
    const char *hs = json_string_value(json_object_get(line, "handshake"));
    const char *sv = json_string_value(json_object_get(line, "server_verdict"));
    int ok = hs && strcmp(hs, "ok") == 0 && sv && strcmp(sv, "unmeasured") != 0;
    free(text);
    json_decref(line);
    return ok ? CB_EXIT_OK : CB_EXIT_FINDINGS;
}
