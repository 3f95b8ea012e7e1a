#define _GNU_SOURCE
#include "update_expect.h"
#include "stacks.h"

#include <unistd.h>

#include "jsonl.h"
#include "utf8.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct obs {
    const char *id, *suite, *base, *server, *client, *tls;
    json_t *line;
    char verdict[32], rules[160], fault[32];
    int has_err;
    long long err; /* the side's own error code: a reason may name it, so one entry covers one code */
    int role;
    /* A case this run did not cover: the reason its old entry states. Such a
     * case joins only an entry whose reason that old one is, or one whose
     * observed cases that reason does not contradict (an error code it
     * names): without this, cases kept from an entry naming -404 merged
     * with observed ones naming -140 under one reason. */
    const char *kept_reason;
};

static void side(json_t *l, int role, struct obs *o)
{
    o->role = role;
    o->kept_reason = NULL;
    const char *v = json_string_value(json_object_get(l, role ? "client_verdict" : "server_verdict"));
    snprintf(o->verdict, sizeof(o->verdict), "%s", v ? v : "");
    cb_line_side_rules(l, role, o->rules, sizeof(o->rules));
    json_t *f = json_object_get(l, "fault");
    const char *fs = json_is_object(f) ? json_string_value(json_object_get(f, role ? "client" : "server")) : NULL;
    snprintf(o->fault, sizeof(o->fault), "%s", cb_fault_class(fs));
    json_t *e = json_object_get(l, role ? "client_error" : "server_error");
    json_t *code = json_is_object(e) ? json_object_get(e, "code") : NULL;
    o->has_err = json_is_integer(code);
    o->err = o->has_err ? (long long)json_integer_value(code) : 0;
}

/* A harness error, or a shim that failed on its own (a shim-error fault:
 * its setup, its exit status 3, a bad reply), is a fault of cabound, not an
 * observation of the stack: recording it as expected would hide it. Such a
 * case stays without an expectation, so the run keeps failing until it is
 * mended. A crash or a timeout inside the library is an observation. */
static const char *unrecordable_why(json_t *l)
{
    json_t *f = json_object_get(l, "fault");
    for (int role = 0; json_is_object(f) && role < 2; role++) {
        const char *fs = json_string_value(json_object_get(f, role ? "client" : "server"));
        if (fs && strcmp(cb_fault_class(fs), "shim-error") == 0)
            return role ? "the client shim failed: shim-error" : "the server shim failed: shim-error";
    }
    /* A harness error line (cb_error_line) carries no verdicts. */
    if (!json_is_string(json_object_get(l, "server_verdict")))
        return "a harness error";
    return NULL;
}

static int recordable(json_t *l, int role)
{
    (void)role; /* a failed shim makes the whole case unusable, for both sides */
    return unrecordable_why(l) == NULL;
}

/* Each unrecordable case is reported once, not once per stack and role. */
static int reported_unrecordable(json_t *l)
{
    int seen = json_is_true(json_object_get(l, "_reported"));
    json_object_set_new(l, "_reported", json_true());
    return seen;
}

/* The stack whose file is being written: same() asks whether its citations
 * tell two error codes apart. */
static const char *writing_stack;
static int code_cited(const char *stack, int role, const struct obs *o);

static int same(const struct obs *a, const struct obs *b)
{
    if (strcmp(a->verdict, b->verdict) != 0 || strcmp(a->rules, b->rules) != 0 || strcmp(a->fault, b->fault) != 0)
        return 0;
    if (a->kept_reason && b->kept_reason)
        return strcmp(a->kept_reason, b->kept_reason) == 0;
    if (a->kept_reason || b->kept_reason) {
        const struct obs *k = a->kept_reason ? a : b, *seen = a->kept_reason ? b : a;
        char why[200];
        return !seen->line || !cb_line_reason_contradicts(seen->line, seen->role, k->kept_reason, why, sizeof(why));
    }
    if (a->has_err == b->has_err && a->err == b->err)
        return 1;
    /* Other error codes are the same behaviour unless a citation tells them
     * apart (openssl "rejected:167772358", the record layer): otherwise one
     * reason states both, and the grouping does not depend on which case
     * comes first. */
    return writing_stack && !code_cited(writing_stack, a->role, a) && !code_cited(writing_stack, b->role, b);
}

/* Citations: DIR/citations.tsv, "stack role key reason" per line. */
struct citation {
    char stack[64], role[8], key[32];
    char reason[1024]; /* an expectation's reason holds up to 1023 bytes */
};
static struct citation *cites;
static size_t n_cites;

static void load_citations(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/citations.tsv", dir);
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    while (f && getline(&line, &cap, f) > 0) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = 0;
        char *save = NULL, *a = strtok_r(line, "\t", &save), *b = strtok_r(NULL, "\t", &save),
             *c = strtok_r(NULL, "\t", &save), *d = strtok_r(NULL, "", &save);
        if (!a || !b || !c || !d)
            continue;
        struct citation *nc = realloc(cites, (n_cites + 1) * sizeof(*nc));
        if (!nc)
            break;
        cites = nc;
        snprintf(cites[n_cites].stack, 64, "%s", a);
        snprintf(cites[n_cites].role, 8, "%s", b);
        snprintf(cites[n_cites].key, 32, "%s", c);
        if (strlen(d) >= sizeof(cites[n_cites].reason))
            fprintf(stderr, "%s: %s %s %s: citation over %zu bytes, cut\n", path, a, b, c,
                    sizeof(cites[n_cites].reason) - 1);
        cb_utf8_copy(cites[n_cites].reason, sizeof(cites[n_cites].reason), d);
        n_cites++;
    }
    free(line);
    if (f)
        fclose(f);
}

static const char *cite(const char *stack, int role, const char *key)
{
    const char *r = role ? "client" : "server", *any = NULL;
    char base[64];
    snprintf(base, sizeof(base), "%s", stack);
    base[strcspn(base, "@")] = 0;
    /* A release's own citation (STACK@BUILD) before its stack's. */
    for (size_t i = 0; i < n_cites; i++)
        if (!strcmp(cites[i].role, r) && !strcmp(cites[i].key, key) && strchr(stack, '@') && !strcmp(cites[i].stack, stack))
            return cites[i].reason;
    for (size_t i = 0; i < n_cites; i++) {
        if (strcmp(cites[i].role, r) || strcmp(cites[i].key, key))
            continue;
        if (!strcmp(cites[i].stack, base))
            return cites[i].reason;
        if (!strcmp(cites[i].stack, "*"))
            any = cites[i].reason;
    }
    return any;
}

/* cite_for finds the citation for |key| as observed in |o|: one keyed by the
 * side's error code ("rejected:-132") before the plain key, and only one
 * that does not contradict the observation. */
static const char *cite_for(const char *stack, int role, const char *key, const struct obs *o)
{
    json_t *e = o->line ? json_object_get(o->line, role ? "client_error" : "server_error") : NULL;
    json_t *code = json_is_object(e) ? json_object_get(e, "code") : NULL;
    const char *c = NULL;
    if (json_is_integer(code)) {
        char k[64];
        snprintf(k, sizeof(k), "%s:%lld", key, (long long)json_integer_value(code));
        c = cite(stack, role, k);
    }
    if (!c)
        c = cite(stack, role, key);
    char why[200];
    if (c && o->line && cb_line_reason_contradicts(o->line, role, c, why, sizeof(why)))
        return NULL;
    return c;
}

/* code_cited reports whether a citation names the error code |o| observed
 * (key "VERDICT:CODE"): that citation says more than a reason borrowed from
 * another case of the suite (a record-layer refusal is not a list refusal). */
static int code_cited(const char *stack, int role, const struct obs *o)
{
    json_t *e = o->line ? json_object_get(o->line, role ? "client_error" : "server_error") : NULL;
    json_t *code = json_is_object(e) ? json_object_get(e, "code") : NULL;
    if (!o->verdict[0] || !json_is_integer(code))
        return 0;
    char k[64];
    snprintf(k, sizeof(k), "%s:%lld", o->verdict, (long long)json_integer_value(code));
    return cite(stack, role, k) != NULL;
}

/* observed states what |o| showed, for a reason no citation covers. */
static void observed(char *out, size_t outlen, int role, const struct obs *o)
{
    json_t *e = o->line ? json_object_get(o->line, role ? "client_error" : "server_error") : NULL;
    json_t *code = json_is_object(e) ? json_object_get(e, "code") : NULL;
    const char *text = json_is_object(e) ? json_string_value(json_object_get(e, "text")) : NULL;
    if (json_is_integer(code))
        snprintf(out, outlen, "observed error %lld (%s)", (long long)json_integer_value(code), text ? text : "");
    else
        snprintf(out, outlen, "observed");
}

/* compose writes the reason for |o| from the citations. */
static void compose(char *out, size_t outlen, const char *stack, int role, const struct obs *o, const char *date)
{
    out[0] = 0;
    char seen[400];
    observed(seen, sizeof(seen), role, o);
    const char *c = o->verdict[0] ? cite_for(stack, role, o->verdict, o) : NULL;
    if (c)
        snprintf(out, outlen, "%s", c);
    char rules[160];
    snprintf(rules, sizeof(rules), "%s", o->rules);
    for (char *save = NULL, *t = strtok_r(rules, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        const char *rc = cite_for(stack, role, t, o);
        if (rc && c && strcmp(rc, c) == 0)
            continue; /* the verdict's citation already says it (nss@3.110 malformed and CA-PREFIX) */
        size_t n = strlen(out);
        snprintf(out + n, outlen - n, "%s%s: %s", n ? "; " : "", t, rc ? rc : "UNCITED: add the source");
    }
    if (!out[0])
        snprintf(out, outlen, "%s in the run of %s; UNCITED: add the source", seen, date);
    /* An expectation's reason holds up to 1023 bytes: cut whole characters. */
    cb_utf8_copy(out, outlen < 1024 ? outlen : 1024, out);
}

/* old_says reports whether the old expectation |x| states what |o| observed
 * (same verdict, rules and fault): only then is its reason about |o|. */
static int old_says(const cb_expectation *x, const struct obs *o)
{
    char rules[160] = "";
    for (size_t i = 0; i < x->n_rules; i++) {
        size_t n = strlen(rules);
        snprintf(rules + n, sizeof(rules) - n, "%s%s", n ? " " : "", x->rules[i]);
    }
    return strcmp(x->verdict, o->verdict) == 0 && strcmp(rules, o->rules) == 0 && strcmp(x->fault, o->fault) == 0;
}

/* keep_reason returns the reason of the old expectation that case |id| met
 * when that expectation states the same observation |o|; NULL otherwise (a
 * reason written for another behaviour must not follow a changed one). */
static const char *keep_reason(cb_expectations *old, const char *stack, const char *id, int role, const struct obs *o)
{
    for (size_t i = 0; old && i < old->n; i++)
        if (strcmp(old->files[i].stack, stack) == 0) {
            cb_expectation *x = cb_expect_match(&old->files[i], id, role);
            if (x && !strstr(x->reason, "UNCITED") && old_says(x, o))
                return x->reason;
        }
    return NULL;
}

static void entry(FILE *f, const char *pattern, int role, const struct obs *o, const char *reason)
{
    fprintf(f, "expect %s %s\n", pattern, role ? "client" : "server");
    if (o->verdict[0])
        fprintf(f, "  %s-verdict %s\n", role ? "client" : "server", o->verdict);
    fprintf(f, "  rules %s\n", o->rules[0] ? o->rules : "none");
    if (o->fault[0])
        fprintf(f, "  fault %s\n", o->fault);
    fprintf(f, "  reason \"");
    for (const char *p = reason; *p; p++)
        fprintf(f, *p == '"' || *p == '\\' ? "\\%c" : "%c", *p);
    fprintf(f, "\"\nend\n\n");
}

struct item {
    const char *id, *suite, *tls, *peer;
    char base[160];
    struct obs o;
    int done;
    size_t ord; /* the case's place in the full plan: entries come out in plan order */
};

/* Items in plan order, whatever order the run finished its cases in (the
 * lines of results.jsonl come as workers finish), so that recording a few
 * cases changes only their entries, not the order of the whole file. */
static int by_plan_order(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* uniform reports whether every not-yet-emitted item matching the filter
 * (NULL fields match anything) has the observation of the first. */
static int uniform(struct item *v, size_t n, const char *suite, const char *base, const char *tls, const char *peer,
                   const struct obs **first)
{
    *first = NULL;
    for (size_t i = 0; i < n; i++) {
        struct item *x = &v[i];
        if (x->done || strcmp(x->suite, suite) || strcmp(x->base, base) || (tls && strcmp(x->tls, tls)) ||
            (peer && strcmp(x->peer, peer)))
            continue;
        if (!*first)
            *first = &x->o;
        else if (!same(*first, &x->o))
            return 0;
    }
    return 1;
}

/* group_reason keeps the reason of any not-yet-emitted item of the group
 * (filter as in uniform) that observed |o| and whose old expectation said so. */
/* covers_ok: no case of the group contradicts |r|. */
static int covers_ok(const char *r, int role, struct item *v, size_t n, const char *suite, const char *base,
                     const char *tls, const char *peer, const struct obs *o)
{
    for (size_t j = 0; j < n; j++) {
        struct item *y = &v[j];
        char why[200];
        if (y->done || strcmp(y->suite, suite) || strcmp(y->base, base) || (tls && strcmp(y->tls, tls)) ||
            (peer && strcmp(y->peer, peer)) || !same(&y->o, o))
            continue;
        if (y->o.line && cb_line_reason_contradicts(y->o.line, role, r, why, sizeof(why)))
            return 0;
    }
    return 1;
}

/* like_reason: for cases no old entry covered (a new peer), the reason of an
 * old entry of the same stack and role in the same case family (SUITE/NAME
 * with its size as '*'), else the same suite, that states the same
 * observation: the stack's own behaviour there, whoever the peer. */
static const char *like_reason(cb_expectations *old, const char *stack, int role, const char *suite, const char *base,
                               const struct obs *o, int family)
{
    char prefix[400];
    snprintf(prefix, sizeof(prefix), "%s/%s/", suite, family ? base : "");
    size_t pl = family ? strlen(prefix) : strlen(suite) + 1;
    for (size_t i = 0; old && i < old->n; i++) {
        if (strcmp(old->files[i].stack, stack) != 0)
            continue;
        for (size_t k = 0; k < old->files[i].n; k++) {
            const cb_expectation *x = &old->files[i].e[k];
            if (x->role == role && strncmp(x->pattern, prefix, pl) == 0 && !strstr(x->reason, "UNCITED") && old_says(x, o))
                return x->reason;
        }
    }
    return NULL;
}

static const char *group_reason(cb_expectations *old, const char *stack, int role, struct item *v, size_t n,
                                const char *suite, const char *base, const char *tls, const char *peer,
                                const struct obs *o)
{
    for (size_t i = 0; i < n; i++) {
        struct item *x = &v[i];
        if (x->done || strcmp(x->suite, suite) || strcmp(x->base, base) || (tls && strcmp(x->tls, tls)) ||
            (peer && strcmp(x->peer, peer)) || !same(&x->o, o))
            continue;
        const char *r = keep_reason(old, stack, x->id, role, o);
        /* Kept only when no case the entry will cover contradicts it. */
        if (r && covers_ok(r, role, v, n, suite, base, tls, peer, o))
            return r;
    }
    if (code_cited(stack, role, o))
        return NULL; /* compose() cites the code */
    for (int family = 1; family >= 0; family--) {
        const char *r = like_reason(old, stack, role, suite, base, o, family);
        if (r && covers_ok(r, role, v, n, suite, base, tls, peer, o))
            return r;
    }
    return NULL;
}

static void mark(struct item *v, size_t n, const char *suite, const char *base, const char *tls, const char *peer)
{
    for (size_t i = 0; i < n; i++)
        if (!v[i].done && !strcmp(v[i].suite, suite) && !strcmp(v[i].base, base) && (!tls || !strcmp(v[i].tls, tls)) &&
            (!peer || !strcmp(v[i].peer, peer)))
            v[i].done = 1;
}

/* emit_groups writes the fewest entries that state every item: one per case
 * family when the family agrees, else per TLS version, else per peer, else
 * per case. The patterns of one level never overlap. */
static void emit_groups(FILE *f, struct item *v, size_t n, const char *stack, int role, cb_expectations *old,
                        const char *date)
{
    char fresh[1200];
    for (size_t i = 0; i < n; i++) {
        if (v[i].done)
            continue;
        const char *suite = v[i].suite, *base = v[i].base;
        const struct obs *o;
        char pattern[512];
        const char *reason;
#define PATTERN(tls, peer)                                                                                       \
    snprintf(pattern, sizeof(pattern), "%s/%s/%s>%s/%s", suite, base,                                          \
             role ? (peer ? peer : "*") : stack, role ? stack : (peer ? peer : "*"), tls ? tls : "*")
        if (uniform(v, n, suite, base, NULL, NULL, &o)) {
            PATTERN(NULL, NULL);
            reason = group_reason(old, stack, role, v, n, suite, base, NULL, NULL, o);
            entry(f, pattern, role, o, reason ? reason : (compose(fresh, sizeof(fresh), stack, role, o, date), fresh));
            mark(v, n, suite, base, NULL, NULL);
            continue;
        }
        for (size_t j = i; j < n; j++) {
            if (v[j].done || strcmp(v[j].suite, suite) || strcmp(v[j].base, base))
                continue;
            const char *tls = v[j].tls;
            if (uniform(v, n, suite, base, tls, NULL, &o)) {
                PATTERN(tls, NULL);
                reason = group_reason(old, stack, role, v, n, suite, base, tls, NULL, o);
                entry(f, pattern, role, o, reason ? reason : (compose(fresh, sizeof(fresh), stack, role, o, date), fresh));
                mark(v, n, suite, base, tls, NULL);
                continue;
            }
            for (size_t k = j; k < n; k++) {
                if (v[k].done || strcmp(v[k].suite, suite) || strcmp(v[k].base, base) || strcmp(v[k].tls, tls))
                    continue;
                const char *peer = v[k].peer;
                if (uniform(v, n, suite, base, tls, peer, &o)) {
                    PATTERN(tls, peer);
                    reason = group_reason(old, stack, role, v, n, suite, base, tls, peer, o);
                    entry(f, pattern, role, o, reason ? reason : (compose(fresh, sizeof(fresh), stack, role, o, date), fresh));
                    mark(v, n, suite, base, tls, peer);
                    continue;
                }
                /* Mostly one behaviour with exceptions (a sweep that crosses a
                 * limit): the exceptions first, as cases, then the rule, since
                 * the first matching entry wins. */
                const struct obs *major = NULL;
                size_t best = 0;
                for (size_t q = k; q < n; q++) {
                    if (v[q].done || strcmp(v[q].suite, suite) || strcmp(v[q].base, base) || strcmp(v[q].tls, tls) ||
                        strcmp(v[q].peer, peer))
                        continue;
                    size_t cnt = 0;
                    for (size_t r = k; r < n; r++)
                        cnt += !v[r].done && !strcmp(v[r].suite, suite) && !strcmp(v[r].base, base) &&
                               !strcmp(v[r].tls, tls) && !strcmp(v[r].peer, peer) && same(&v[r].o, &v[q].o);
                    if (cnt > best) {
                        best = cnt;
                        major = &v[q].o;
                    }
                }
                struct obs maj = *major;
                for (size_t q = k; q < n; q++) {
                    if (v[q].done || strcmp(v[q].suite, suite) || strcmp(v[q].base, base) || strcmp(v[q].tls, tls) ||
                        strcmp(v[q].peer, peer) || same(&v[q].o, &maj))
                        continue;
                    reason = keep_reason(old, stack, v[q].id, role, &v[q].o);
                    for (int family = 1; !reason && !code_cited(stack, role, &v[q].o) && family >= 0; family--)
                        reason = like_reason(old, stack, role, v[q].suite, v[q].base, &v[q].o, family);
                    char rwhy[200];
                    if (reason && v[q].o.line && cb_line_reason_contradicts(v[q].o.line, role, reason, rwhy, sizeof(rwhy)))
                        reason = NULL;
                    entry(f, v[q].id, role, &v[q].o, reason ? reason : (compose(fresh, sizeof(fresh), stack, role, &v[q].o, date), fresh));
                    v[q].done = 1;
                }
                PATTERN(tls, peer);
                reason = group_reason(old, stack, role, v, n, suite, base, tls, peer, &maj);
                entry(f, pattern, role, &maj, reason ? reason : (compose(fresh, sizeof(fresh), stack, role, &maj, date), fresh));
                mark(v, n, suite, base, tls, peer);
            }
        }
#undef PATTERN
    }
}

/* old_obs fills |o| from the entry of |stack|'s own file that case |id|
 * matches for |role|; returns 0, or -1 when there is none. */
static int old_obs(cb_expectations *old, const char *stack, const char *id, int role, struct obs *o)
{
    for (size_t i = 0; old && i < old->n; i++)
        if (strcmp(old->files[i].stack, stack) == 0) {
            cb_expectation *x = cb_expect_match(&old->files[i], id, role);
            if (!x)
                return -1;
            snprintf(o->verdict, sizeof(o->verdict), "%s", x->verdict);
            o->rules[0] = 0;
            for (size_t r = 0; r < x->n_rules; r++) {
                size_t n = strlen(o->rules);
                snprintf(o->rules + n, sizeof(o->rules) - n, "%s%s", n ? " " : "", x->rules[r]);
            }
            snprintf(o->fault, sizeof(o->fault), "%s", x->fault);
            o->role = role;
            o->kept_reason = x->reason;
            return 0;
        }
    return -1;
}

int cb_update_expectations(const char *results_path, const char *dir, cb_expectations *old, const cb_plan *universe,
                           size_t *unrecorded, char *err, size_t errlen)
{
    *unrecorded = 0;
    if (access(results_path, R_OK) != 0) {
        snprintf(err, errlen, "%s: %s", results_path, strerror(errno));
        return -1;
    }
    json_t *lines = cb_jsonl_load(results_path);
    mkdir(dir, 0755);
    load_citations(dir);
    char stacks[CB_MAX_STACKS][64];
    size_t ns = 0;
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l)
    {
        const char *s[2] = {json_string_value(json_object_get(l, "server")), json_string_value(json_object_get(l, "client"))};
        for (int k = 0; k < 2; k++) {
            int seen = !s[k];
            for (size_t j = 0; j < ns && !seen; j++)
                seen = strcmp(stacks[j], s[k]) == 0;
            if (!seen && ns == CB_MAX_STACKS) {
                snprintf(err, errlen, "%s: more than %d stacks", results_path, CB_MAX_STACKS);
                json_decref(lines);
                return -1;
            }
            if (!seen)
                snprintf(stacks[ns++], 64, "%s", s[k]);
        }
    }
    /* The cases of the full plan this run did not cover keep what their old
     * entries state: they join as lines marked _kept. */
    json_t *covered = json_object();
    json_array_foreach(lines, i, l)
    {
        const char *id = json_string_value(json_object_get(l, "case"));
        if (id)
            json_object_set_new(covered, id, json_true());
    }
    for (size_t p = 0; universe && p < universe->n; p++) {
        const cb_case *c = &universe->v[p].c;
        char id[512];
        cb_case_id(c, id, sizeof(id));
        if (json_object_get(covered, id))
            continue;
        json_object_set_new(covered, id, json_true());
        json_array_append_new(lines, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "case", id, "suite", c->suite, "name",
                                               c->name, "server", c->server, "client", c->client, "tls",
                                               c->tls13 ? "1.3" : "1.2", "_kept", 1));
    }
    json_decref(covered);
    /* Each case's place: its index in the full plan, else (a case of no
     * suite of the plan) after every planned one, in the order of the lines. */
    json_t *order = json_object();
    for (size_t p = 0; universe && p < universe->n; p++) {
        char id[512];
        cb_case_id(&universe->v[p].c, id, sizeof(id));
        if (!json_object_get(order, id))
            json_object_set_new(order, id, json_integer((json_int_t)p));
    }
    char date[32];
    time_t t = time(NULL);
    strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&t));
    for (size_t si = 0; si < ns; si++) {
        const char *stack = stacks[si];
        writing_stack = stack;
        char path[4300], tmp[4400];
        snprintf(path, sizeof(path), "%s/%s.expect", dir, stack);
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        FILE *f = fopen(tmp, "w");
        if (!f) {
            snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
            json_decref(lines);
            json_decref(order);
            return -1;
        }
        fprintf(f, "# %s.expect — recorded behaviour of %s in cabound's suites.\n"
                   "# Rewritten by `cabound run --update-expectations` on %s; reasons are kept.\n"
                   "# A reason cites the stack's source (file and function) or a public issue.\n\nstack %s\n\n",
                stack, stack, date, stack);
        size_t n = json_array_size(lines);
        struct item *items = calloc(n + 1, sizeof(*items));
        for (int role = 0; role < 2; role++) {
            size_t m = 0;
            for (size_t a = 0; a < n; a++) {
                json_t *la = json_array_get(lines, a);
                const char *me = json_string_value(json_object_get(la, role ? "client" : "server"));
                const char *suite = json_string_value(json_object_get(la, "suite"));
                const char *name = json_string_value(json_object_get(la, "name"));
                const char *tls = json_string_value(json_object_get(la, "tls"));
                const char *peer = json_string_value(json_object_get(la, role ? "server" : "client"));
                const char *id = json_string_value(json_object_get(la, "case"));
                if (!me || strcmp(me, stack) != 0 || !suite || !name || !tls || !peer || !id)
                    continue;
                struct obs kept = {0};
                int keep = json_is_true(json_object_get(la, "_kept"));
                if (!keep && !recordable(la, role)) {
                    if (!reported_unrecordable(la)) {
                        fprintf(stderr, "cabound: not recorded: %s (%s)\n", id, unrecordable_why(la));
                        (*unrecorded)++;
                    }
                    keep = 1;
                }
                if (keep && old_obs(old, stack, id, role, &kept) != 0)
                    continue;
                struct item *it = &items[m++];
                it->id = id;
                it->suite = suite;
                it->tls = tls;
                it->peer = peer;
                /* The family: the name with its list size as a wildcard
                 * ("places@*,issuer=first,last"); variants stay apart. */
                size_t at = strcspn(name, "@");
                const char *rest = name + at + (name[at] ? 1 : 0);
                while (*rest >= '0' && *rest <= '9')
                    rest++;
                snprintf(it->base, sizeof(it->base), "%.*s@*%s", (int)at, name, rest);
                if (keep) {
                    it->o = kept;
                    it->o.line = NULL; /* not observed in this run: the old entry states it */
                } else {
                    side(la, role, &it->o);
                    it->o.line = la;
                }
                it->done = 0;
                json_t *at_plan = json_object_get(order, id);
                it->ord = at_plan ? (size_t)json_integer_value(at_plan) : (universe ? universe->n : 0) + a;
            }
            qsort(items, m, sizeof(*items), by_plan_order);
            emit_groups(f, items, m, stack, role, old, date);
        }
        free(items);
        if (fclose(f) != 0 || rename(tmp, path) != 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            json_decref(lines);
            json_decref(order);
            return -1;
        }
    }
    json_decref(lines);
    json_decref(order);
    free(cites);
    cites = NULL;
    n_cites = 0;
    return 0;
}
