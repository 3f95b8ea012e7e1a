#include "consistency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push(cb_divergence **out, size_t *n, size_t *cap, const cb_divergence *d)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        cb_divergence *nv = realloc(*out, ncap * sizeof(*nv));
        if (!nv)
            return -1;
        *out = nv;
        *cap = ncap;
    }
    (*out)[(*n)++] = *d;
    return 0;
}

/* same_input: one suite case (its name holds the list size and variant). */
static int same_input(const cb_case_summary *a, const cb_case_summary *b)
{
    return !strcmp(a->suite, b->suite) && !strcmp(a->name, b->name);
}

/* same_family: the name with its list size left out ("places@*,issuer=..."). */
static int same_family(const cb_case_summary *a, const cb_case_summary *b)
{
    if (strcmp(a->suite, b->suite))
        return 0;
    const char *x = a->name, *y = b->name;
    size_t ax = strcspn(x, "@"), by = strcspn(y, "@");
    if (ax != by || strncmp(x, y, ax))
        return 0;
    x += ax + (x[ax] ? 1 : 0);
    y += by + (y[by] ? 1 : 0);
    while (*x >= '0' && *x <= '9')
        x++;
    while (*y >= '0' && *y <= '9')
        y++;
    return !strcmp(x, y);
}

static void family(const cb_case_summary *a, char *out, size_t len)
{
    size_t at = strcspn(a->name, "@");
    const char *rest = a->name + at + (a->name[at] ? 1 : 0);
    while (*rest >= '0' && *rest <= '9')
        rest++;
    snprintf(out, len, "%s/%.*s@*%s", a->suite, (int)at, a->name, rest);
}

/* xstack_diverges: the servers' verdicts for |a|'s exact input and client differ. */
static int xstack_diverges(const cb_case_summary *v, size_t n, const cb_case_summary *a, char *detail, size_t len)
{
    int differ = 0;
    detail[0] = 0;
    for (size_t j = 0; j < n; j++) {
        const cb_case_summary *b = &v[j];
        if (!same_input(a, b) || strcmp(a->client, b->client) || strcmp(a->tls, b->tls))
            continue;
        differ |= strcmp(a->server_verdict, b->server_verdict) != 0;
        size_t k = strlen(detail);
        if (k + strlen(b->server) + strlen(b->server_verdict) + 4 < len)
            snprintf(detail + k, len - k, "%s%s %s", k ? ", " : "", b->server, b->server_verdict);
    }
    return differ;
}

int cb_consistency_check(const cb_case_summary *v, size_t n, cb_divergence **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    size_t cap = 0;
    unsigned char *done = calloc(n + 1, 1);
    if (!done)
        return -1;
    /* XSTACK: per (case family, client, version), the smallest input on which
     * the server stacks put different things on the wire. */
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        const cb_case_summary *a = &v[i], *best = NULL;
        char detail[900], best_detail[900] = "";
        for (size_t j = i; j < n; j++) {
            const cb_case_summary *b = &v[j];
            if (!same_family(a, b) || strcmp(a->client, b->client) || strcmp(a->tls, b->tls))
                continue;
            done[j] = 1;
            if ((!best || b->list_bytes < best->list_bytes) && xstack_diverges(v, n, b, detail, sizeof(detail))) {
                best = b;
                snprintf(best_detail, sizeof(best_detail), "%s", detail);
            }
        }
        if (!best)
            continue;
        cb_divergence d = {"XSTACK", "", "", best};
        char fam[300];
        family(best, fam, sizeof(fam));
        snprintf(d.group, sizeof(d.group), "%s, client %s, TLS %s", fam, best->client, best->tls);
        snprintf(d.detail, sizeof(d.detail), "server verdicts differ at %zu list bytes: %s", best->list_bytes, best_detail);
        if (push(out, n_out, &cap, &d) != 0)
            goto oom;
    }
    /* XVER: per (case family, server, client), the smallest input on which
     * TLS 1.2 and 1.3 disagree. */
    memset(done, 0, n + 1);
    for (size_t i = 0; i < n; i++) {
        if (done[i] || strcmp(v[i].tls, "1.2"))
            continue;
        const cb_case_summary *a = &v[i], *best = NULL, *best13 = NULL;
        for (size_t j = i; j < n; j++) {
            const cb_case_summary *b = &v[j];
            if (strcmp(b->tls, "1.2") || !same_family(a, b) || strcmp(a->server, b->server) || strcmp(a->client, b->client))
                continue;
            done[j] = 1;
            for (size_t k = 0; k < n; k++) {
                const cb_case_summary *c = &v[k];
                if (strcmp(c->tls, "1.3") || !same_input(b, c) || strcmp(b->server, c->server) || strcmp(b->client, c->client))
                    continue;
                if ((strcmp(b->server_verdict, c->server_verdict) || strcmp(b->client_verdict, c->client_verdict)) &&
                    (!best || b->list_bytes < best->list_bytes)) {
                    best = b;
                    best13 = c;
                }
            }
        }
        if (!best)
            continue;
        cb_divergence d = {"XVER", "", "", best};
        char fam[300];
        family(best, fam, sizeof(fam));
        snprintf(d.group, sizeof(d.group), "%s, %s>%s", fam, best->server, best->client);
        snprintf(d.detail, sizeof(d.detail), "at %zu list bytes TLS 1.2 gives %s/%s, TLS 1.3 %s/%s", best->list_bytes,
                 best->server_verdict, best->client_verdict, best13->server_verdict, best13->client_verdict);
        if (push(out, n_out, &cap, &d) != 0)
            goto oom;
    }
    free(done);
    return 0;
oom:
    free(done);
    free(*out);
    *out = NULL;
    *n_out = 0;
    return -1;
}
