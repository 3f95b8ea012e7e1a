#include "suite.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dn.h"
#include "errmsg.h"
#include "lex.h"
#include "listgen.h"
#include "malform.h"
#include "model.h"
#include "idset.h"
#include "numparse.h"

static int parse_num(const char *s, uint64_t max, uint64_t *out) { return cb_parse_u64(s, max, out); }

enum {
    K_TLS, K_SERVERS, K_CLIENTS, K_BYTES, K_DNSIZE, K_SEED, K_ISSUER, K_ISSUER_SIZE, K_SELECT,
    K_SOURCE, K_VERIFY, K_MODEL, K_INJECT, K_BASE, K_TIMEOUT, K_PAIRS, K_COUNT
};
static const char *const keys[K_COUNT] = {"tls",    "servers", "clients",   "list-bytes", "dn-size", "seed",
                                         "issuer", "issuer-size", "select", "source", "verify", "model",
                                         "inject", "base-list", "timeout-ms", "pairs"};

static int words(cb_suite_words *w, const cb_lex_line *l, const char *const *allowed, const char **why)
{
    if (l->n - 1 > CB_SUITE_MAX_ALT) {
        *why = "too many alternatives";
        return -1;
    }
    for (size_t i = 1; i < l->n; i++) {
        if (strlen(l->w[i]) >= sizeof(w->v[0])) {
            *why = "value too long";
            return -1;
        }
        if (allowed) {
            int ok = 0;
            for (const char *const *a = allowed; *a; a++)
                ok |= strcmp(*a, l->w[i]) == 0;
            if (!ok) {
                *why = "value not allowed here";
                return -1;
            }
        }
        for (size_t j = 1; j < i; j++)
            if (strcmp(l->w[j], l->w[i]) == 0) {
                *why = "a value given twice (it would make two cases with one id)";
                return -1;
            }
    }
    /* Before inheritance a block's arrays are its own (or NULL). */
    free(w->v);
    w->n = 0;
    w->v = calloc(l->n - 1, sizeof(*w->v));
    if (!w->v) {
        *why = "out of memory";
        return -1;
    }
    for (size_t i = 1; i < l->n; i++)
        snprintf(w->v[w->n++], sizeof(w->v[0]), "%s", l->w[i]);
    return 0;
}


static int by_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static int set_key(cb_suite_case *c, const cb_lex_line *l, const char *name, size_t lineno, char *err, size_t errlen)
{
    static const char *const tls[] = {"1.2", "1.3", NULL}, *const sel[] = {"native", "by-issuer", "auto", NULL},
                             *const src[] = {"explicit", "trust-store", "raw", "none", "auto", NULL},
                             *const ver[] = {"require", "request", NULL}, *const pairs[] = {"all", "self", "cross", NULL};
    int k;
    for (k = 0; k < K_COUNT && strcmp(keys[k], l->w[0]) != 0; k++)
        ;
    if (k == K_COUNT)
        return cb_fail_at(err, errlen, name, lineno, "unknown key \"%s\"", l->w[0]);
    if (l->n < 2)
        return cb_fail_at(err, errlen, name, lineno, "%s needs a value", keys[k]);
    const char *why = NULL;
    uint64_t v;
    /* The key's array belongs to this block from here on, even on error. */
    c->set |= 1u << k;
    int single = k == K_DNSIZE || k == K_SEED || k == K_ISSUER_SIZE || k == K_MODEL || k == K_BASE || k == K_TIMEOUT;
    if (single && l->n != 2)
        return cb_fail_at(err, errlen, name, lineno, "%s takes exactly one value", keys[k]);
    switch (k) {
    case K_TLS: words(&c->tls, l, tls, &why); break;
    case K_SELECT: words(&c->select, l, sel, &why); break;
    case K_SOURCE: words(&c->source, l, src, &why); break;
    case K_VERIFY: words(&c->verify, l, ver, &why); break;
    case K_PAIRS: words(&c->pairs, l, pairs, &why); break;
    case K_INJECT: words(&c->inject, l, cb_malform_names(), &why); break;
    case K_SERVERS:
    case K_CLIENTS: {
        cb_suite_words *w = k == K_SERVERS ? &c->servers : &c->clients;
        if (words(w, l, NULL, &why) == 0)
            for (size_t i = 0; i < w->n && !why; i++)
                if (!cb_lex_id(w->v[i]))
                    why = "not a stack id";
        break;
    }
    case K_ISSUER:
        if (words(&c->issuer, l, NULL, &why) == 0)
            for (size_t i = 0; i < c->issuer.n && !why; i++) {
                char tmp[64];
                snprintf(tmp, sizeof(tmp), "%s", c->issuer.v[i]);
                size_t n = 0;
                for (char *save = NULL, *t = strtok_r(tmp, ",", &save); t && !why; t = strtok_r(NULL, ",", &save), n++) {
                    cb_placement p;
                    if (cb_placement_parse(t, &p) != 0)
                        why = "issuer place must be first, middle, last, absent or an index";
                }
                if (!why && (n == 0 || n > 8))
                    why = "1 to 8 credentials per issuer value";
            }
        break;
    case K_BYTES: {
        free(c->bytes);
        c->bytes = NULL;
        c->n_bytes = 0;
        for (size_t i = 1; i < l->n && !why; i++) {
            char tmp[128];
            snprintf(tmp, sizeof(tmp), "%s", l->w[i]);
            char *dots = strstr(tmp, ".."), *slash = strchr(tmp, '/');
            uint64_t a, b, step = 1;
            if (slash)
                *slash = 0;
            if (dots)
                *dots = 0;
            if (parse_num(tmp, 1u << 24, &a) != 0 || (dots && parse_num(dots + 2, 1u << 24, &b) != 0) ||
                (slash && (parse_num(slash + 1, 1u << 24, &step) != 0 || step == 0)) || (slash && !dots)) {
                why = "list-bytes: expected N or A..B or A..B/STEP with numbers up to 16777216";
                break;
            }
            if (!dots)
                b = a;
            if (b - a > (uint64_t)CB_SUITE_MAX_BYTES * step) {
                why = "list-bytes: more than 4096 values";
                break;
            }
            if (b < a) {
                why = "list-bytes: range ends before it starts";
                break;
            }
            for (uint64_t x = a; x <= b && !why; x += step) {
                if (c->n_bytes == CB_SUITE_MAX_BYTES) {
                    why = "list-bytes: more than 4096 values";
                    break;
                }
                size_t *nb = realloc(c->bytes, (c->n_bytes + 1) * sizeof(*nb));
                if (!nb) {
                    why = "out of memory";
                    break;
                }
                c->bytes = nb;
                c->bytes[c->n_bytes++] = (size_t)x;
            }
        }
        break;
    }
    case K_DNSIZE: {
        char tmp[128];
        snprintf(tmp, sizeof(tmp), "%s", l->w[1]);
        char *dash = strchr(tmp, '-');
        uint64_t a, b;
        if (dash)
            *dash = 0;
        if (parse_num(tmp, 65535, &a) != 0 || parse_num(dash ? dash + 1 : tmp, 65535, &b) != 0 || a > b)
            why = "dn-size: expected MIN-MAX within 0..65535 (a DN carries a 16-bit length)";
        else if (!cb_dn_possible(a) || !cb_dn_possible(b))
            why = "dn-size: a DER Name is 2 or 13..65535 bytes (not 130 or 259)";
        else {
            c->dn_min = (size_t)a;
            c->dn_max = (size_t)b;
        }
        break;
    }
    case K_ISSUER_SIZE:
        if (parse_num(l->w[1], 65535, &v) != 0 || !cb_dn_possible((size_t)v) || v < CB_DN_MIN_WITH_ATTR)
            why = "issuer-size: a DER Name of 13..65535 bytes";
        else
            c->issuer_size = (size_t)v;
        break;
    case K_SEED:
        if (parse_num(l->w[1], INT64_MAX, &v) != 0)
            why = "seed: a decimal integer 0..9223372036854775807 (2^63-1; results hold JSON integers)";
        else
            c->seed = v;
        break;
    case K_TIMEOUT:
        if (parse_num(l->w[1], 600000, &v) != 0 || v == 0)
            why = "timeout-ms: 1..600000";
        else
            c->timeout_ms = (int)v;
        break;
    case K_MODEL: {
        cb_model tmp;
        if (!cb_model_find(l->w[1], &tmp) || strlen(l->w[1]) >= sizeof(c->model))
            why = "unknown model (rfc, schannel-16k, \"fit-in-message N\")";
        else
            snprintf(c->model, sizeof(c->model), "%s", l->w[1]);
        break;
    }
    case K_BASE:
        if (strlen(l->w[1]) >= sizeof(c->base_list))
            why = "base-list: path too long";
        else
            snprintf(c->base_list, sizeof(c->base_list), "%s", l->w[1]);
        break;
    }
    if (!why && k == K_BYTES && c->n_bytes > 1) {
        /* One value twice would be two cases with one id. */
        size_t *sorted = malloc(c->n_bytes * sizeof(*sorted));
        if (!sorted)
            why = "out of memory";
        for (size_t i = 0; sorted && i < c->n_bytes; i++)
            sorted[i] = c->bytes[i];
        if (sorted)
            qsort(sorted, c->n_bytes, sizeof(*sorted), by_size);
        for (size_t i = 1; sorted && i < c->n_bytes; i++)
            if (sorted[i] == sorted[i - 1]) {
                size_t twice = sorted[i];
                free(sorted);
                return cb_fail_at(err, errlen, name, lineno, "list-bytes: %zu given twice (a range and a value, or two values)",
                                  twice);
            }
        free(sorted);
    }
    if (why)
        return cb_fail_at(err, errlen, name, lineno, "%s", why);
    return 0;
}

static void inherit(cb_suite_case *c, const cb_suite_case *d)
{
#define INH(bit, field)                   \
    if (!(c->set & (1u << bit)))          \
        c->field = d->field;
    INH(K_TLS, tls)
    INH(K_SERVERS, servers)
    INH(K_CLIENTS, clients)
    INH(K_DNSIZE, dn_min)
    INH(K_DNSIZE, dn_max)
    INH(K_SEED, seed)
    INH(K_ISSUER, issuer)
    INH(K_ISSUER_SIZE, issuer_size)
    INH(K_SELECT, select)
    INH(K_SOURCE, source)
    INH(K_VERIFY, verify)
    INH(K_INJECT, inject)
    INH(K_TIMEOUT, timeout_ms)
    INH(K_PAIRS, pairs)
#undef INH
    if (!(c->set & (1u << K_MODEL)))
        memcpy(c->model, d->model, sizeof(c->model));
    if (!(c->set & (1u << K_BASE)))
        memcpy(c->base_list, d->base_list, sizeof(c->base_list));
    if (!(c->set & (1u << K_BYTES)) && d->n_bytes) {
        c->bytes = malloc(d->n_bytes * sizeof(size_t));
        if (c->bytes) {
            memcpy(c->bytes, d->bytes, d->n_bytes * sizeof(size_t));
            c->n_bytes = d->n_bytes;
        }
    }
}

static int one_word(cb_suite_words *w, const char *a, const char *b)
{
    w->v = calloc(2, sizeof(*w->v));
    if (!w->v)
        return -1;
    snprintf(w->v[0], sizeof(w->v[0]), "%s", a);
    if (b)
        snprintf(w->v[1], sizeof(w->v[1]), "%s", b);
    w->n = b ? 2 : 1;
    return 0;
}

static int builtin_defaults(cb_suite_case *d)
{
    memset(d, 0, sizeof(*d));
    if (one_word(&d->tls, "1.2", "1.3") || one_word(&d->servers, "all", NULL) || one_word(&d->clients, "all", NULL) ||
        one_word(&d->issuer, "last", NULL) || one_word(&d->select, "auto", NULL) ||
        one_word(&d->source, "auto", NULL) || one_word(&d->verify, "require", NULL) ||
        one_word(&d->pairs, "all", NULL) || one_word(&d->inject, "", NULL))
        return -1;
    d->inject.n = 0;
    d->dn_min = 40;
    d->dn_max = 120;
    d->issuer_size = 80;
    d->seed = 1;
    d->timeout_ms = 5000;
    return 0;
}

/* The word keys and their arrays, to free the ones a block owns. */
static cb_suite_words *word_key(cb_suite_case *c, int k)
{
    switch (k) {
    case K_TLS: return &c->tls;
    case K_SERVERS: return &c->servers;
    case K_CLIENTS: return &c->clients;
    case K_ISSUER: return &c->issuer;
    case K_SELECT: return &c->select;
    case K_SOURCE: return &c->source;
    case K_VERIFY: return &c->verify;
    case K_INJECT: return &c->inject;
    case K_PAIRS: return &c->pairs;
    default: return NULL;
    }
}

static void free_words(cb_suite_case *c, int all)
{
    for (int k = 0; k < K_COUNT; k++) {
        cb_suite_words *w = word_key(c, k);
        if (w && (all || (c->set & (1u << k))))
            free(w->v);
        if (w)
            w->v = NULL;
    }
}

void cb_suite_free(cb_suite *s)
{
    for (size_t i = 0; i < s->n_cases; i++) {
        free(s->cases[i].bytes);
        free_words(&s->cases[i], 0);
    }
    free(s->cases);
    free(s->defaults.bytes);
    free_words(&s->defaults, 1);
    memset(s, 0, sizeof(*s));
}

static int parse(const char *name, const char *text, size_t len, cb_suite *out, cb_idset *names_set, char *err,
                 size_t errlen);

int cb_suite_parse(const char *name, const char *text, size_t len, cb_suite *out, char *err, size_t errlen)
{
    /* The case names seen, freed here whichever way parse() returns. */
    cb_idset names = {0};
    int rc = parse(name, text, len, out, &names, err, errlen);
    cb_idset_free(&names);
    return rc;
}

static int parse(const char *name, const char *text, size_t len, cb_suite *out, cb_idset *names_set, char *err,
                 size_t errlen)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->file, sizeof(out->file), "%s", name);
    if (builtin_defaults(&out->defaults) != 0) {
        cb_suite_free(out);
        return cb_fail_at(err, errlen, name, 1, "out of memory");
    }
    size_t cap = 0;
    enum { TOP, IN_DEFAULTS, IN_CASE } state = TOP;
    cb_suite_case *cur = NULL;
    static cb_lex_line l; /* large: not on the stack */
    cb_lex_reader rd;
    const char *why = NULL;
    if (cb_lex_start(&rd, text, len, &why) != 0) {
        cb_suite_free(out);
        cb_idset_free(names_set);
        return cb_fail_at(err, errlen, name, 1, "%s in a suite file", why);
    }
    int got;
    while ((got = cb_lex_next(&rd, &l, &why)) != 0) {
        if (got < 0) {
            cb_suite_free(out);
            cb_idset_free(names_set);
            return cb_fail_at(err, errlen, name, rd.lineno, "%s", why);
        }
        const char *k = l.w[0];
        if (state == TOP) {
            if (strcmp(k, "suite") == 0) {
                if (l.n != 2 || !cb_lex_id(l.w[1]) || strlen(l.w[1]) >= sizeof(out->name) || out->name[0]) {
                    cb_suite_free(out);
                    return cb_fail_at(err, errlen, name, rd.lineno, "suite takes one name ([a-z0-9-]), once");
                }
                snprintf(out->name, sizeof(out->name), "%s", l.w[1]);
                out->name_line = rd.lineno;
            } else if (strcmp(k, "description") == 0 && l.n == 2) {
                snprintf(out->description, sizeof(out->description), "%s", l.w[1]);
            } else if (strcmp(k, "defaults") == 0 && l.n == 1) {
                if (out->n_cases) {
                    cb_suite_free(out);
                    return cb_fail_at(err, errlen, name, rd.lineno, "defaults must come before the first case");
                }
                state = IN_DEFAULTS;
                cur = &out->defaults;
            } else if (strcmp(k, "case") == 0) {
                if (l.n != 2 || !cb_lex_id(l.w[1]) || strlen(l.w[1]) >= sizeof(cur->name)) {
                    cb_suite_free(out);
                    return cb_fail_at(err, errlen, name, rd.lineno, "case takes one name ([a-z0-9._-], up to 95 characters)");
                }
                size_t prev = 0;
                int put = cb_idset_put(names_set, l.w[1], rd.lineno, &prev);
                if (put <= 0) {
                    cb_suite_free(out);
                    cb_idset_free(names_set);
                    if (put < 0)
                        return cb_fail_at(err, errlen, name, rd.lineno, "out of memory");
                    return cb_fail_at(err, errlen, name, rd.lineno, "case \"%s\" already defined at line %zu", l.w[1], prev);
                }
                if (out->n_cases == CB_SUITE_MAX_CASES) {
                    cb_suite_free(out);
                    cb_idset_free(names_set);
                    return cb_fail_at(err, errlen, name, rd.lineno, "more than %d cases in one suite (split it)", CB_SUITE_MAX_CASES);
                }
                if (out->n_cases == cap) {
                    cap = cap ? cap * 2 : 16;
                    cb_suite_case *nc = realloc(out->cases, cap * sizeof(*nc));
                    if (!nc) {
                        cb_suite_free(out);
                        cb_idset_free(names_set);
                        return cb_fail_at(err, errlen, name, rd.lineno, "out of memory");
                    }
                    out->cases = nc;
                }
                cur = &out->cases[out->n_cases++];
                memset(cur, 0, sizeof(*cur));
                snprintf(cur->name, sizeof(cur->name), "%s", l.w[1]);
                cur->line = rd.lineno;
                state = IN_CASE;
            } else {
                cb_suite_free(out);
                return cb_fail_at(err, errlen, name, rd.lineno, "expected suite, description, defaults or case, got \"%s\"", k);
            }
            continue;
        }
        if (strcmp(k, "end") == 0 && l.n == 1) {
            if (state == IN_CASE)
                inherit(cur, &out->defaults);
            state = TOP;
            cur = NULL;
            continue;
        }
        if (strcmp(k, "case") == 0 || strcmp(k, "defaults") == 0 || strcmp(k, "suite") == 0) {
            cb_suite_free(out);
            cb_idset_free(names_set);
            return cb_fail_at(err, errlen, name, rd.lineno, "\"%s\" inside a block: missing \"end\"?", k);
        }
        if (set_key(cur, &l, name, rd.lineno, err, errlen) != 0) {
            cb_suite_free(out);
            cb_idset_free(names_set);
            return -1;
        }
    }
    cb_idset_free(names_set);
    if (state != TOP) {
        cb_suite_free(out);
        cb_idset_free(names_set);
        return cb_fail_at(err, errlen, name, rd.lineno, "file ends inside a block: missing \"end\"");
    }
    if (!out->name[0]) {
        cb_suite_free(out);
        cb_idset_free(names_set);
        return cb_fail_at(err, errlen, name, rd.lineno ? rd.lineno : 1, "no \"suite NAME\" line");
    }
    if (out->n_cases == 0) {
        cb_suite_free(out);
        cb_idset_free(names_set);
        return cb_fail_at(err, errlen, name, rd.lineno, "the suite has no case");
    }
    for (size_t i = 0; i < out->n_cases; i++)
        if (out->cases[i].n_bytes == 0) {
            size_t ln = out->cases[i].line;
            cb_suite_free(out);
            cb_idset_free(names_set);
            return cb_fail_at(err, errlen, name, ln, "case has no list-bytes (here or in defaults)");
        }
    return 0;
}
