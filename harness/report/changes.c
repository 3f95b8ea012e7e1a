/* changes.c — pairing a release's cases with the packaged stack's (see
 * changes.h): the verdict changes, and whether a finding still holds. */
#include "changes.h"

#include <stdlib.h>
#include <string.h>

#include "report_common.h"

/* The index key: the five fields joined by U+001F (never inside a stack id,
 * suite or case name the harness writes; JSON keys must be UTF-8). */
static char *case_key(const char *suite, const char *name, const char *server, const char *client, const char *tls)
{
    size_t n = strlen(suite) + strlen(name) + strlen(server) + strlen(client) + strlen(tls) + 5;
    char *k = malloc(n);
    if (k)
        snprintf(k, n, "%s\x1f%s\x1f%s\x1f%s\x1f%s", suite, name, server, client, tls);
    return k;
}

int cb_case_index_build(const cb_results *rs, cb_case_index *ix)
{
    ix->rs = rs;
    ix->map = json_object();
    if (!ix->map)
        return -1;
    for (size_t i = 0; i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        char *k = case_key(r->suite, r->name, r->server, r->client, r->tls);
        if (!k) {
            cb_case_index_free(ix);
            return -1;
        }
        /* A case recorded twice (a merged directory) is looked up by its first line. */
        if (!json_object_get(ix->map, k) && json_object_set_new(ix->map, k, json_integer((json_int_t)i)) != 0) {
            free(k);
            cb_case_index_free(ix);
            return -1;
        }
        free(k);
    }
    return 0;
}

void cb_case_index_free(cb_case_index *ix)
{
    json_decref(ix->map);
    ix->map = NULL;
}

const cb_result *cb_counterpart(const cb_case_index *ix, const cb_result *r, const char *side, const char *stack_now)
{
    int server = strcmp(side, "server") == 0;
    int self = strcmp(r->server, r->client) == 0;
    const char *s = server || self ? stack_now : r->server;
    const char *c = !server || self ? stack_now : r->client;
    char *k = case_key(r->suite, r->name, s, c, r->tls);
    if (!k)
        return NULL;
    const json_t *v = json_object_get(ix->map, k);
    free(k);
    return json_is_integer(v) ? &ix->rs->v[json_integer_value(v)] : NULL;
}

/* A verdict that says what the stack did; unmeasured, error (a harness
 * error line) and a missing verdict say nothing. */
static int measured(const char *v)
{
    return v && strcmp(v, "unmeasured") != 0 && strcmp(v, "error") != 0;
}

static const char *verdict_of(const cb_result *r, int server)
{
    const char *v = server ? r->server_verdict : r->client_verdict;
    return v ? v : "-";
}

static int push(cb_changes *c, const cb_change *ch, size_t *cap)
{
    if (c->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        cb_change *nv = realloc(c->v, ncap * sizeof(*nv));
        if (!nv)
            return -1;
        c->v = nv;
        *cap = ncap;
    }
    c->v[c->n++] = *ch;
    return 0;
}

/* The version and library each stack id reports, from the first line that
 * carries them: {"ID": ["version", "library"]} (strings or null). */
static json_t *stack_facts(const cb_results *rs)
{
    json_t *m = json_object();
    for (size_t i = 0; m && i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        for (int server = 0; server < 2; server++) {
            const char *id = server ? r->server : r->client;
            const char *v = cb_res_str(r, server ? "server_version" : "client_version");
            const char *l = cb_res_str(r, server ? "server_library" : "client_library");
            json_t *e = json_object_get(m, id);
            if (!e) {
                e = json_pack("[nn]");
                if (!e || json_object_set_new(m, id, e) != 0) {
                    json_decref(m);
                    return NULL;
                }
            }
            if (v && json_is_null(json_array_get(e, 0)))
                json_array_set_new(e, 0, json_string(v));
            if (l && json_is_null(json_array_get(e, 1)))
                json_array_set_new(e, 1, json_string(l));
        }
    }
    return m;
}

static const char *fact(const json_t *facts, const char *id, size_t k)
{
    return json_string_value(json_array_get(json_object_get(facts, id), k));
}

int cb_changes_find(const cb_case_index *ix, cb_changes *out)
{
    memset(out, 0, sizeof(*out));
    size_t cap = 0;
    const cb_results *rs = ix->rs;
    json_t *facts = stack_facts(rs);
    if (!facts)
        return -1;
    out->facts = facts;
    for (size_t i = 0; i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        for (int server = 1; server >= 0; server--) {
            const char *id = server ? r->server : r->client;
            const char *at = strchr(id, '@');
            if (!at || at == id)
                continue;
            out->releases++;
            cb_change ch;
            memset(&ch, 0, sizeof(ch));
            size_t blen = (size_t)(at - id);
            if (blen >= sizeof(ch.stack))
                blen = sizeof(ch.stack) - 1;
            memcpy(ch.stack, id, blen);
            ch.stack[blen] = 0;
            ch.role = server ? "server" : "client";
            const cb_result *p = cb_counterpart(ix, r, ch.role, ch.stack);
            if (!p) {
                out->unpaired++;
                continue;
            }
            out->compared++;
            ch.packaged = p;
            ch.current = r;
            ch.release = id;
            ch.peer = server ? r->client : r->server;
            ch.packaged_verdict = verdict_of(p, server);
            ch.current_verdict = verdict_of(r, server);
            int both = measured(server ? p->server_verdict : p->client_verdict) &&
                       measured(server ? r->server_verdict : r->client_verdict);
            if (both && strcmp(ch.packaged_verdict, ch.current_verdict) == 0)
                continue;
            ch.kind = both ? CB_CHANGE_CHANGED : CB_CHANGE_UNMEASURED;
            ch.packaged_version = fact(facts, ch.stack, 0);
            ch.packaged_library = fact(facts, ch.stack, 1);
            ch.current_version = fact(facts, id, 0);
            ch.current_library = fact(facts, id, 1);
            if (push(out, &ch, &cap) != 0) {
                cb_changes_free(out);
                return -1;
            }
        }
    }
    return 0;
}

void cb_changes_free(cb_changes *c)
{
    free(c->v);
    json_decref(c->facts);
    memset(c, 0, sizeof(*c));
}

const char *cb_stack_version(const cb_results *rs, const char *stack)
{
    for (size_t i = 0; i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        if (strcmp(r->server, stack) == 0 && cb_res_str(r, "server_version"))
            return cb_res_str(r, "server_version");
        if (strcmp(r->client, stack) == 0 && cb_res_str(r, "client_version"))
            return cb_res_str(r, "client_version");
    }
    return NULL;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

char *cb_changes_line(const cb_change *c)
{
    int server = strcmp(c->role, "server") == 0;
    const char *why = NULL;
    char whybuf[256];
    if (c->kind == CB_CHANGE_UNMEASURED) {
        int pm = measured(server ? c->packaged->server_verdict : c->packaged->client_verdict);
        if (!pm && !measured(server ? c->current->server_verdict : c->current->client_verdict))
            snprintf(whybuf, sizeof(whybuf), "neither %s verdict was measured (packaged %s, current %s)", c->role,
                     c->packaged_verdict, c->current_verdict);
        else
            snprintf(whybuf, sizeof(whybuf), "the %s %s verdict is %s: no evidence of a change", pm ? "current" : "packaged",
                     c->role, pm ? c->current_verdict : c->packaged_verdict);
        why = whybuf;
    }
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "kind",
                          c->kind == CB_CHANGE_CHANGED ? "changed" : "unmeasured", "stack", c->stack, "release",
                          c->release, "role", c->role, "tls", c->current->tls, "suite", c->current->suite, "name",
                          c->current->name, "peer", c->peer, "packaged_verdict", c->packaged_verdict, "current_verdict",
                          c->current_verdict, "packaged_case", c->packaged->case_id, "current_case", c->current->case_id);
    if (!o)
        return NULL;
    json_object_set_new(o, "packaged_version", str_or_null(c->packaged_version));
    json_object_set_new(o, "current_version", str_or_null(c->current_version));
    json_object_set_new(o, "packaged_library", str_or_null(c->packaged_library));
    json_object_set_new(o, "current_library", str_or_null(c->current_library));
    json_object_set_new(o, "packaged_line", json_integer((json_int_t)c->packaged->line));
    json_object_set_new(o, "current_line", json_integer((json_int_t)c->current->line));
    json_object_set_new(o, "list_bytes",
                        c->current->list_bytes >= 0 ? json_integer(c->current->list_bytes) : json_null());
    if (why)
        json_object_set_new(o, "why", json_string(why));
    json_object_set_new(o, "packaged_repro", str_or_null(cb_res_str(c->packaged, "repro")));
    json_object_set_new(o, "repro", str_or_null(cb_res_str(c->current, "repro")));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

static int group_cmp(const cb_change *a, const cb_change *b)
{
    int c = cb_stack_cmp(a->release, b->release);
    if (!c)
        c = strcmp(a->role, b->role);
    if (!c)
        c = strcmp(a->current->tls, b->current->tls);
    if (!c)
        c = (int)a->kind - (int)b->kind;
    if (!c)
        c = strcmp(a->packaged_verdict, b->packaged_verdict);
    if (!c)
        c = strcmp(a->current_verdict, b->current_verdict);
    return c;
}

/* The smaller example: fewer list bytes (unknown last), then earlier in the file. */
static int smaller(const cb_change *a, const cb_change *b)
{
    long long x = a->current->list_bytes, y = b->current->list_bytes;
    if (x != y)
        return x < 0 ? 0 : y < 0 ? 1 : x < y;
    return a->current->line < b->current->line;
}

static int cmp_change_p(const void *a, const void *b)
{
    const cb_change *x = *(const cb_change *const *)a, *y = *(const cb_change *const *)b;
    int c = group_cmp(x, y);
    return c ? c : smaller(x, y) ? -1 : smaller(y, x) ? 1 : 0;
}

int cb_changes_group(const cb_changes *c, cb_change_group **groups, size_t *n)
{
    *groups = NULL;
    *n = 0;
    if (!c->n)
        return 0;
    const cb_change **p = malloc(c->n * sizeof(*p));
    cb_change_group *g = malloc(c->n * sizeof(*g));
    if (!p || !g) {
        free(p);
        free(g);
        return -1;
    }
    for (size_t i = 0; i < c->n; i++)
        p[i] = &c->v[i];
    qsort(p, c->n, sizeof(*p), cmp_change_p);
    for (size_t i = 0; i < c->n;) {
        size_t j = i + 1;
        while (j < c->n && group_cmp(p[i], p[j]) == 0)
            j++;
        g[(*n)++] = (cb_change_group){p[i], j - i};
        i = j;
    }
    free(p);
    *groups = g;
    return 0;
}

int cb_line_has_hit(const cb_result *r, const char *side, const char *rule)
{
    const json_t *hits = json_object_get(r->obj, "rule_hits");
    if (json_is_array(hits)) {
        for (size_t i = 0; i < json_array_size(hits); i++) {
            const json_t *h = json_array_get(hits, i);
            const char *id = json_string_value(json_object_get(h, "rule"));
            const char *s = json_string_value(json_object_get(h, "side"));
            if (id && strcmp(id, rule) == 0 && (!s || strcmp(s, side) == 0))
                return 1;
        }
        return 0;
    }
    /* Older lines: "rules" and the side the report infers. */
    if (!cb_rules_have(json_object_get(r->obj, "rules"), rule))
        return 0;
    const char *s = cb_rule_side(rule, r);
    return strcmp(s, side) == 0 || strcmp(s, "both") == 0;
}

const char *cb_holds_word(const cb_holds *h)
{
    if (!h->of)
        return "unmeasured";
    return h->held == h->of ? "yes" : h->held == 0 ? "no" : "partly";
}

static int smaller_case(const cb_result *a, const cb_result *b)
{
    if (!b)
        return 1;
    long long x = a->list_bytes, y = b->list_bytes;
    if (x != y)
        return x < 0 ? 0 : y < 0 ? 1 : x < y;
    return a->line < b->line;
}

int cb_finding_holds(const cb_case_index *ix, const char *stack, const char *side, const char *rule, cb_holds *out,
                     size_t max)
{
    const cb_results *rs = ix->rs;
    int server = strcmp(side, "server") == 0;
    size_t blen = strlen(stack), n = 0;
    /* The releases of |stack| that ran, in either role. */
    cb_strset rel = {0};
    for (size_t i = 0; i < rs->n; i++) {
        const char *ids[2] = {rs->v[i].server, rs->v[i].client};
        for (int k = 0; k < 2; k++)
            if (strncmp(ids[k], stack, blen) == 0 && ids[k][blen] == '@' && cb_strset_add(&rel, ids[k]) < 0) {
                cb_strset_free(&rel);
                return -1;
            }
    }
    cb_strset_sort_stacks(&rel);
    for (size_t k = 0; k < rel.n && n < max; k++, n++) {
        cb_holds *h = &out[n];
        memset(h, 0, sizeof(*h));
        snprintf(h->release, sizeof(h->release), "%s", rel.v[k]);
        for (size_t i = 0; i < rs->n; i++) {
            const cb_result *r = &rs->v[i];
            if (strcmp(server ? r->server : r->client, stack) != 0 || !cb_line_has_hit(r, side, rule))
                continue;
            h->packaged_cases++;
            const cb_result *now = cb_counterpart(ix, r, side, rel.v[k]);
            const char *v = now ? (server ? now->server_verdict : now->client_verdict) : NULL;
            if (!now || !measured(v) || strcmp(v, "unsupported") == 0)
                continue;
            h->of++;
            if (cb_line_has_hit(now, side, rule)) {
                h->held++;
                if (smaller_case(now, h->held_case)) {
                    h->held_case = now;
                    h->held_packaged = r;
                }
            } else if (smaller_case(now, h->gone_case)) {
                h->gone_case = now;
            }
        }
    }
    cb_strset_free(&rel);
    return (int)n;
}
