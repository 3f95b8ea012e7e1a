#define _GNU_SOURCE
#include "plan.h"

#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int push(cb_plan *p, const cb_planned *x)
{
    if (p->n == p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 256;
        cb_planned *n = realloc(p->v, ncap * sizeof(*n));
        if (!n)
            return -1;
        p->v = n;
        p->cap = ncap;
    }
    p->v[p->n++] = *x;
    return 0;
}

void cb_plan_free(cb_plan *p)
{
    free(p->v);
    cb_idset_free(&p->ids);
    memset(p, 0, sizeof(*p));
}

static int wanted_stack(const cb_plan_filter *f, const char *id)
{
    if (!f || !f->n_stacks)
        return 1;
    for (size_t i = 0; i < f->n_stacks; i++)
        if (strcmp(f->stacks[i], id) == 0)
            return 1;
    return 0;
}

/* app_plays says whether an application takes this role: a server has list
 * sources, a client selection modes (an application is one or the other). */
static int app_plays(const cb_stack_info *s, int server_role)
{
    return server_role ? s->sources[0] != 0 : s->selects[0] != 0;
}

/* stacks_for lists the installed stacks a suite's servers/clients key names. */
static size_t stacks_for(const cb_suite_words *w, const cb_stack_info *st, size_t n_st, const cb_plan_filter *f,
                         int server_role, const cb_stack_info **out)
{
    size_t n = 0;
    for (size_t i = 0; i < n_st; i++) {
        if (!st[i].installed || !wanted_stack(f, st[i].id))
            continue;
        int named = 0;
        for (size_t j = 0; j < w->n; j++) {
            /* "openssl" names every build of it (openssl, openssl@local). */
            size_t l = strlen(w->v[j]);
            /* "all" is every library; "apps" every real application
             * (harness/stacks/apps): an application in "all" would multiply
             * every suite by its slow start. */
            named |= (strcmp(w->v[j], "all") == 0 && !st[i].app) ||
                     (strcmp(w->v[j], "apps") == 0 && st[i].app && app_plays(&st[i], server_role)) ||
                     strcmp(w->v[j], st[i].id) == 0 ||
                     (strncmp(w->v[j], st[i].id, l) == 0 && st[i].id[l] == '@');
        }
        if (named)
            out[n++] = &st[i];
    }
    return n;
}

/* variant_name returns 0, or -1 when the name does not fit (a cut name
 * would collide with another). */
static int variant_name(char *out, size_t outlen, const cb_suite_case *sc, size_t bytes, const char *issuer,
                         const char *select, const char *source, const char *inject)
{
    int n = snprintf(out, outlen, "%s@%zu", sc->name, bytes);
    if (sc->issuer.n > 1 && n > 0 && (size_t)n < outlen)
        n += snprintf(out + n, outlen - (size_t)n, ",issuer=%s", issuer);
    if (sc->select.n > 1 && n > 0 && (size_t)n < outlen)
        n += snprintf(out + n, outlen - (size_t)n, ",select=%s", select);
    if (sc->source.n > 1 && n > 0 && (size_t)n < outlen)
        n += snprintf(out + n, outlen - (size_t)n, ",source=%s", source);
    if (inject && n > 0 && (size_t)n < outlen)
        n += snprintf(out + n, outlen - (size_t)n, ",inject=%s", inject);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

int cb_plan_add(cb_plan *p, const cb_suite *s, const char *suite_dir, const cb_stack_info *st, size_t n_st,
                const cb_plan_filter *f, char *err, size_t errlen)
{
    if (f && f->n_suites) {
        int ok = 0;
        for (size_t i = 0; i < f->n_suites; i++)
            ok |= strcmp(f->suites[i], s->name) == 0;
        if (!ok)
            return 0;
    }
    const cb_stack_info *servers[CB_MAX_STACKS], *clients[CB_MAX_STACKS];
    for (size_t ci = 0; ci < s->n_cases; ci++) {
        const cb_suite_case *sc = &s->cases[ci];
        size_t ns = stacks_for(&sc->servers, st, n_st, f, 1, servers);
        size_t nc = stacks_for(&sc->clients, st, n_st, f, 0, clients);
        size_t ninj = sc->inject.n ? sc->inject.n : 1;
        for (size_t b = 0; b < sc->n_bytes; b++)
            for (size_t is = 0; is < sc->issuer.n; is++)
                for (size_t se = 0; se < sc->select.n; se++)
                    for (size_t so = 0; so < sc->source.n; so++)
                        for (size_t in = 0; in < ninj; in++)
                            for (size_t t = 0; t < sc->tls.n; t++)
                                for (size_t a = 0; a < ns; a++)
                                    for (size_t z = 0; z < nc; z++) {
                                        const char *pairs = sc->pairs.v[0];
                                        int self = strcmp(servers[a]->id, clients[z]->id) == 0;
                                        if ((strcmp(pairs, "self") == 0 && !self) || (strcmp(pairs, "cross") == 0 && self))
                                            continue;
                                        if (f && f->tls && strcmp(f->tls, sc->tls.v[t]) != 0)
                                            continue;
                                        cb_planned x;
                                        memset(&x, 0, sizeof(x));
                                        cb_case *c = &x.c;
                                        cb_case_defaults(c);
                                        snprintf(c->suite, sizeof(c->suite), "%s", s->name);
                                        snprintf(c->server, sizeof(c->server), "%s", servers[a]->id);
                                        snprintf(c->client, sizeof(c->client), "%s", clients[z]->id);
                                        c->tls13 = strcmp(sc->tls.v[t], "1.3") == 0;
                                        c->list_bytes = sc->bytes[b];
                                        c->dn_min = sc->dn_min;
                                        c->dn_max = sc->dn_max;
                                        c->seed = sc->seed;
                                        c->issuer_size = sc->issuer_size;
                                        c->timeout_ms = sc->timeout_ms;
                                        const char *inject = sc->inject.n ? sc->inject.v[in] : NULL;
                                        const char *src = cb_stack_resolve(servers[a], "calist_source", sc->source.v[so]);
                                        if (inject && c->tls13)
                                            src = "raw";
                                        const char *sel = cb_stack_resolve(clients[z], "select", sc->select.v[se]);
                                        snprintf(c->source, sizeof(c->source), "%s", src);
                                        snprintf(c->select, sizeof(c->select), "%s", sel);
                                        snprintf(c->verify, sizeof(c->verify), "%s", sc->verify.v[0]);
                                        snprintf(c->model, sizeof(c->model), "%s", sc->model);
                                        snprintf(c->inject, sizeof(c->inject), "%s", inject ? inject : "");
                                        if (sc->base_list[0]) {
                                            if (sc->base_list[0] == '/')
                                                snprintf(c->base_list, sizeof(c->base_list), "%s", sc->base_list);
                                            else {
                                                char joined[2048], real[PATH_MAX];
                                                snprintf(joined, sizeof(joined), "%s/%s", suite_dir, sc->base_list);
                                                snprintf(c->base_list, sizeof(c->base_list), "%s",
                                                         realpath(joined, real) ? real : joined);
                                            }
                                        }
                                        char tmp[64];
                                        snprintf(tmp, sizeof(tmp), "%s", sc->issuer.v[is]);
                                        c->n_creds = 0;
                                        for (char *save = NULL, *tk = strtok_r(tmp, ",", &save); tk && c->n_creds < CB_MAX_CREDS;
                                             tk = strtok_r(NULL, ",", &save))
                                            snprintf(c->issuer_at[c->n_creds++], sizeof(c->issuer_at[0]), "%s", tk);
                                        if (variant_name(c->name, sizeof(c->name), sc, c->list_bytes, sc->issuer.v[is],
                                                         sc->select.v[se], sc->source.v[so], inject) != 0) {
                                            snprintf(err, errlen, "%s:%zu: case \"%s\": a variant's name passes %zu characters (shorten the case name)",
                                                     s->file, sc->line, sc->name, sizeof(c->name) - 1);
                                            return -1;
                                        }
                                        if (!cb_stack_supports(servers[a], "tls", sc->tls.v[t]))
                                            snprintf(x.unsupported, sizeof(x.unsupported), "%s does not support TLS %s", servers[a]->id, sc->tls.v[t]);
                                        else if (!cb_stack_supports(clients[z], "tls", sc->tls.v[t]))
                                            snprintf(x.unsupported, sizeof(x.unsupported), "%s does not support TLS %s", clients[z]->id, sc->tls.v[t]);
                                        else if (!cb_stack_supports(servers[a], "calist_source", src))
                                            snprintf(x.unsupported, sizeof(x.unsupported), "%s has no calist_source %s", servers[a]->id, src);
                                        else if (!cb_stack_supports(clients[z], "select", sel))
                                            snprintf(x.unsupported, sizeof(x.unsupported), "%s has no select %s", clients[z]->id, sel);
                                        char id[512];
                                        cb_case_id(c, id, sizeof(id));
                                        size_t first = 0;
                                        int put = cb_idset_put(&p->ids, id, sc->line, &first);
                                        if (put == 0) {
                                            snprintf(err, errlen, "%s:%zu: case id \"%s\" is made twice (also by line %zu)",
                                                     s->file, sc->line, id, first);
                                            return -1;
                                        }
                                        if (f && f->match && fnmatch(f->match, id, 0) != 0)
                                            continue;
                                        if (p->n == CB_PLAN_MAX_CASES) {
                                            snprintf(err, errlen, "%s:%zu: the plan passes %d cases (a documented limit): narrow the case's alternatives",
                                                     s->file, sc->line, CB_PLAN_MAX_CASES);
                                            return -1;
                                        }
                                        if (put < 0 || push(p, &x) != 0) {
                                            snprintf(err, errlen, "out of memory");
                                            return -1;
                                        }
                                    }
    }
    return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int cb_suites_load(const char *dir, cb_suite **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t nn = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l > 6 && strcmp(e->d_name + l - 6, ".suite") == 0) {
            if (nn == cap) {
                cap = cap ? cap * 2 : 64;
                char **nv = realloc(names, cap * sizeof(*nv));
                if (!nv)
                    break;
                names = nv;
            }
            names[nn++] = strdup(e->d_name);
        }
    }
    closedir(d);
    if (nn)
        qsort(names, nn, sizeof(names[0]), by_name);
    cb_suite *v = calloc(nn ? nn : 1, sizeof(*v));
    int rc = v ? 0 : -1;
    for (size_t i = 0; i < nn; i++) {
        if (rc == 0) {
            char path[4200];
            snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
            size_t len;
            struct stat st;
            char *text = NULL;
            if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
                snprintf(err, errlen, "%s: not a regular file (a suite is read whole; a FIFO would block)", path);
                rc = -1;
            } else if (!(text = cb_read_file(path, &len, err, errlen))) {
                rc = -1;
            } else if (cb_suite_parse(path, text, len, &v[*n], err, errlen) != 0) {
                rc = -1;
            } else {
                for (size_t j = 0; j < *n && rc == 0; j++)
                    if (strcmp(v[j].name, v[*n].name) == 0) {
                        snprintf(err, errlen, "%s:%zu: suite \"%s\" is already defined in %s:%zu", path, v[*n].name_line,
                                 v[*n].name, v[j].file, v[j].name_line);
                        rc = -1;
                    }
                (*n)++;
            }
            free(text);
        }
        free(names[i]);
    }
    free(names);
    if (rc != 0) {
        cb_suites_free(v, *n);
        *n = 0;
        return -1;
    }
    *out = v;
    return 0;
}

void cb_suites_free(cb_suite *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cb_suite_free(&s[i]);
    free(s);
}
