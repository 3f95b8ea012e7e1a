#include "case_flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

void cb_case_flags_init(cb_case_flags *cf)
{
    memset(cf, 0, sizeof(*cf));
    cf->tls = "1.2";
    cf->dn_size = "40-120";
    cf->issuer = "last";
    cf->source = "auto";
    cf->select = "auto";
    cf->verify = "require";
    cf->list_bytes = 2048;
    cf->issuer_size = 80;
    cf->seed = 1;
    cf->timeout_ms = 5000;
}

static int one_of(const char *cmd, const char *flag, const char *v, const char *const *ok)
{
    for (; *ok; ok++)
        if (strcmp(v, *ok) == 0)
            return 0;
    fprintf(stderr, "cabound %s: %s: unknown value \"%s\"\n", cmd, flag, v);
    return CB_EXIT_USAGE;
}

int cb_case_from_flags(const char *cmd, const cb_case_flags *cf, cb_case *c)
{
    static const char *const tls[] = {"1.2", "1.3", NULL}, *const src[] = {"explicit", "trust-store", "raw", "none", "auto", NULL},
                             *const sel[] = {"native", "by-issuer", "auto", NULL}, *const ver[] = {"require", "request", NULL};
    if (one_of(cmd, "--tls", cf->tls, tls) || one_of(cmd, "--source", cf->source, src) ||
        one_of(cmd, "--select", cf->select, sel) || one_of(cmd, "--verify", cf->verify, ver))
        return CB_EXIT_USAGE;
    c->tls13 = strcmp(cf->tls, "1.3") == 0;
    c->list_bytes = cf->list_bytes;
    c->seed = cf->seed;
    c->issuer_size = cf->issuer_size;
    if (cf->timeout_ms < 1 || cf->timeout_ms > 600000) {
        fprintf(stderr, "cabound %s: --timeout-ms: 1..600000, got %d\n", cmd, cf->timeout_ms);
        return CB_EXIT_USAGE;
    }
    if (cf->list_bytes > CB_MAX_LIST_BYTES) {
        fprintf(stderr, "cabound %s: --list-bytes: at most %u (a documented limit), got %zu\n", cmd, CB_MAX_LIST_BYTES,
                cf->list_bytes);
        return CB_EXIT_USAGE;
    }
    if (cf->seed > INT64_MAX) {
        /* Results lines hold JSON integers: a seed past 2^63-1 would be recorded wrong. */
        fprintf(stderr, "cabound %s: --seed: 0..9223372036854775807 (2^63-1), got %llu\n", cmd,
                (unsigned long long)cf->seed);
        return CB_EXIT_USAGE;
    }
    if (cf->issuer_size > 65535) {
        fprintf(stderr, "cabound %s: --issuer-size: at most 65535\n", cmd);
        return CB_EXIT_USAGE;
    }
    c->timeout_ms = cf->timeout_ms;
    char *end;
    unsigned long a = strtoul(cf->dn_size, &end, 10), b = a;
    if (*end == '-')
        b = strtoul(end + 1, &end, 10);
    if (*end || a > 65535 || b > 65535 || a > b) {
        fprintf(stderr, "cabound %s: --dn-size: expected MIN-MAX, got \"%s\"\n", cmd, cf->dn_size);
        return CB_EXIT_USAGE;
    }
    c->dn_min = a;
    c->dn_max = b;
    snprintf(c->source, sizeof(c->source), "%s", cf->source);
    snprintf(c->select, sizeof(c->select), "%s", cf->select);
    snprintf(c->verify, sizeof(c->verify), "%s", cf->verify);
    snprintf(c->model, sizeof(c->model), "%s", cf->model ? cf->model : "");
    snprintf(c->inject, sizeof(c->inject), "%s", cf->inject ? cf->inject : "");
    snprintf(c->base_list, sizeof(c->base_list), "%s", cf->base_list ? cf->base_list : "");
    if (cf->suite)
        snprintf(c->suite, sizeof(c->suite), "%s", cf->suite);
    if (cf->name)
        snprintf(c->name, sizeof(c->name), "%s", cf->name);
    char tmp[256];
    snprintf(tmp, sizeof(tmp), "%s", cf->issuer);
    c->n_creds = 0;
    for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        cb_placement p;
        if (c->n_creds == CB_MAX_CREDS || cb_placement_parse(t, &p) != 0) {
            fprintf(stderr, "cabound %s: --issuer: expected up to %d of first|middle|last|absent|INDEX, got \"%s\"\n",
                    cmd, CB_MAX_CREDS, cf->issuer);
            return CB_EXIT_USAGE;
        }
        snprintf(c->issuer_at[c->n_creds++], sizeof(c->issuer_at[0]), "%s", t);
    }
    if (c->n_creds == 0) {
        fprintf(stderr, "cabound %s: --issuer: empty\n", cmd);
        return CB_EXIT_USAGE;
    }
    return 0;
}
