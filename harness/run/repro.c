#define _GNU_SOURCE
#include "repro.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shquote.h"

void cb_repro_path(const char *path, char *out, size_t outlen)
{
    char cwd[PATH_MAX], real[PATH_MAX];
    const char *p = realpath(path, real) ? real : path;
    size_t cl = getcwd(cwd, sizeof(cwd)) ? strlen(cwd) : 0;
    if (p[0] == '/' && cl > 1 && strncmp(p, cwd, cl) == 0 && p[cl] == '/')
        p += cl + 1;
    snprintf(out, outlen, "%s", p);
}

void cb_repro_self(const char *self_dir, char *out, size_t outlen)
{
    char exe[PATH_MAX + 16];
    snprintf(exe, sizeof(exe), "%s/cabound", self_dir);
    cb_repro_path(exe, out, outlen);
    /* A bare name would be looked up in $PATH: say ./cabound. */
    if (!strchr(out, '/') && strlen(out) + 3 <= outlen) {
        memmove(out + 2, out, strlen(out) + 1);
        memcpy(out, "./", 2);
    }
}

/* word appends " WORD" (quoted). */
static int word(char *out, size_t outlen, const char *w)
{
    size_t n = strlen(out);
    if (n + 2 > outlen)
        return -1;
    out[n] = ' ';
    out[n + 1] = 0;
    if (cb_shquote(out, outlen, w) != 0) {
        out[n] = 0;
        return -1;
    }
    return 0;
}

int cb_repro(const cb_case *c, const char *cabound, char *out, size_t outlen)
{
    char issuers[200] = "", num[64];
    for (size_t i = 0; i < c->n_creds; i++) {
        size_t n = strlen(issuers);
        snprintf(issuers + n, sizeof(issuers) - n, "%s%s", i ? "," : "", c->issuer_at[i]);
    }
    if (!outlen)
        return -1;
    out[0] = 0;
    if (cb_shquote(out, outlen, cabound) != 0)
        return -1;
    int rc = 0;
#define W(s) (rc |= word(out, outlen, (s)))
#define N(fmt, v) (snprintf(num, sizeof(num), fmt, v), W(num))
    W("pair");
    W("--server"), W(c->server), W("--client"), W(c->client), W("--tls"), W(c->tls13 ? "1.3" : "1.2");
    W("--list-bytes"), N("%zu", c->list_bytes);
    snprintf(num, sizeof(num), "%zu-%zu", c->dn_min, c->dn_max);
    W("--dn-size"), W(num);
    W("--seed"), N("%llu", (unsigned long long)c->seed);
    W("--issuer"), W(issuers), W("--issuer-size"), N("%zu", c->issuer_size);
    W("--source"), W(c->source), W("--select"), W(c->select), W("--verify"), W(c->verify);
    if (c->model[0])
        W("--model"), W(c->model);
    if (c->inject[0])
        W("--inject"), W(c->inject);
    if (c->base_list[0]) {
        char bl[PATH_MAX];
        cb_repro_path(c->base_list, bl, sizeof(bl));
        W("--base-list"), W(bl);
    }
    if (c->timeout_ms != 5000)
        W("--timeout-ms"), N("%d", c->timeout_ms);
    /* The same case id, so a rerun's line lines up with the original. */
    W("--suite"), W(c->suite), W("--name"), W(c->name);
#undef W
#undef N
    return rc ? -1 : 0;
}
