/* results_read.c — results.jsonl and boundaries.jsonl, line by line. */
#include "results_read.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const outcome_names[CB_OC_COUNT] = {"pass", "finding", "regression", "xpass", "error", "unsupported", "missing"};

const char *cb_outcome_name(enum cb_outcome o) { return (unsigned)o < CB_OC_COUNT ? outcome_names[o] : "?"; }

/* Remembers one malformed line as "PATH:LINE: why". */
static void bad_add(cb_jsonl_bad *bad, const char *path, size_t line, const char *fmt, ...)
{
    if (bad->count < CB_RESULTS_MAX_ERRORS) {
        char why[400], msg[4600];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        snprintf(msg, sizeof(msg), "%s:%zu: %s", path, line, why);
        bad->msgs[bad->count] = strdup(msg);
    }
    bad->count++;
}

static void bad_free(cb_jsonl_bad *bad)
{
    for (size_t i = 0; i < bad->count && i < CB_RESULTS_MAX_ERRORS; i++)
        free(bad->msgs[i]);
    memset(bad, 0, sizeof(*bad));
}

int cb_jsonl_bad_message(const cb_jsonl_bad *bad, char *err, size_t errlen)
{
    if (!bad->count)
        return 0;
    const char *first = bad->msgs[0] ? bad->msgs[0] : "malformed line (out of memory for its message)";
    if (bad->count == 1)
        snprintf(err, errlen, "%s", first);
    else
        snprintf(err, errlen, "%s (and %zu more malformed line%s)", first, bad->count - 1, bad->count == 2 ? "" : "s");
    return -1;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* Reads one line into |*buf| (NUL-terminated, without the newline and a
 * trailing CR). Returns 1 for a line, 0 at end of file, -1 on a read error.
 * A line longer than CB_RESULTS_MAX_LINE is consumed and |*too_long| set;
 * |*no_newline| is set when the line ended at end of file. */
static int read_line(FILE *f, char **buf, size_t *cap, size_t *len, int *too_long, int *no_newline)
{
    int c;
    *len = 0;
    *too_long = 0;
    *no_newline = 0;
    size_t seen = 0;
    while ((c = getc_unlocked(f)) != EOF && c != '\n') {
        seen++;
        if (*too_long)
            continue;
        if (*len >= CB_RESULTS_MAX_LINE) {
            *too_long = 1;
            continue;
        }
        if (*len + 2 > *cap) {
            size_t ncap = *cap ? *cap * 2 : 4096;
            char *nb = realloc(*buf, ncap);
            if (!nb) {
                errno = ENOMEM;
                return -1;
            }
            *buf = nb;
            *cap = ncap;
        }
        (*buf)[(*len)++] = (char)c;
    }
    if (c == EOF && ferror(f))
        return -1;
    if (c == EOF && seen == 0)
        return 0;
    *no_newline = c == EOF;
    if (*len && (*buf)[*len - 1] == '\r')
        (*len)--;
    if (*buf)
        (*buf)[*len] = 0;
    return 1;
}

/* take() validates one parsed object: 0 keeps it (taking the reference), -1
 * rejects it with a reason in |why|. */
typedef int (*take_fn)(void *ctx, json_t *obj, size_t line, char *why, size_t whylen);

/* Reads every line of |path|, parsing and handing each object to |take|. */
static int jsonl_read(const char *path, take_fn take, void *ctx, cb_jsonl_bad *bad, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    flockfile(f); /* read_line uses getc_unlocked */
    char *buf = NULL;
    size_t cap = 0, len, line = 0;
    int too_long, no_newline, r, rc = 0;
    while ((r = read_line(f, &buf, &cap, &len, &too_long, &no_newline)) == 1) {
        line++;
        if (too_long) {
            bad_add(bad, path, line, "line longer than %zu bytes", CB_RESULTS_MAX_LINE);
            continue;
        }
        size_t i = 0;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t'))
            i++;
        if (i == len)
            continue; /* a blank line holds no result */
        json_error_t je;
        json_t *obj = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
        if (!obj) {
            if (no_newline)
                bad_add(bad, path, line, "not valid JSON (%s at column %d): a truncated last line?", je.text, je.column);
            else
                bad_add(bad, path, line, "not valid JSON: %s at column %d", je.text, je.column);
            continue;
        }
        if (!json_is_object(obj)) {
            bad_add(bad, path, line, "not a JSON object but %s", type_name(obj));
            json_decref(obj);
            continue;
        }
        char why[400];
        if (take(ctx, obj, line, why, sizeof(why)) != 0) {
            bad_add(bad, path, line, "%s", why);
            json_decref(obj);
        }
    }
    if (r < 0) {
        snprintf(err, errlen, "%s: read error after line %zu: %s", path, line, strerror(errno));
        rc = -1;
    }
    free(buf);
    funlockfile(f);
    fclose(f);
    return rc;
}

/* Field checks: |type| 's' string, 'i' integer, 'n' number, 'o' object,
 * 'a' array of strings, 'r' array of rule ids or {"id", "side"} objects,
 * 'h' array of {"rule", "side", "why"} objects (each string, "side" and
 * "why" optional); null is allowed for every optional field. */
static int check_field(const json_t *obj, const char *key, char type, int required, char *why, size_t whylen)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            snprintf(why, whylen, "\"%s\" is %s", key, v ? "null" : "missing");
        return required ? -1 : 0;
    }
    const char *want = NULL;
    switch (type) {
    case 's': want = json_is_string(v) ? NULL : "a string"; break;
    case 'i': want = json_is_integer(v) ? NULL : "an integer"; break;
    case 'n': want = json_is_number(v) ? NULL : "a number"; break;
    case 'o': want = json_is_object(v) ? NULL : "an object"; break;
    case 'a':
        if (!json_is_array(v)) {
            want = "an array of strings";
        } else {
            for (size_t i = 0; i < json_array_size(v); i++)
                if (!json_is_string(json_array_get(v, i))) {
                    snprintf(why, whylen, "\"%s\"[%zu] is %s, expected a string", key, i, type_name(json_array_get(v, i)));
                    return -1;
                }
        }
        break;
    case 'h':
        if (!json_is_array(v)) {
            want = "an array of rule hits";
            break;
        }
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            if (!json_is_object(e) || !json_is_string(json_object_get(e, "rule"))) {
                snprintf(why, whylen, "\"%s\"[%zu] is %s, expected an object with a \"rule\" string", key, i,
                         json_is_object(e) ? "an object without a \"rule\" string" : type_name(e));
                return -1;
            }
            static const char *const strs[] = {"side", "why"};
            for (size_t k = 0; k < 2; k++) {
                const json_t *x = json_object_get(e, strs[k]);
                if (x && !json_is_null(x) && !json_is_string(x)) {
                    snprintf(why, whylen, "\"%s\"[%zu].%s is %s, expected a string", key, i, strs[k], type_name(x));
                    return -1;
                }
            }
        }
        break;
    case 'r':
        if (!json_is_array(v)) {
            want = "an array of rule ids";
            break;
        }
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            if (json_is_string(e))
                continue;
            if (!json_is_object(e) || !json_is_string(json_object_get(e, "id"))) {
                snprintf(why, whylen, "\"%s\"[%zu] is %s, expected a rule id or an object with an \"id\" string", key, i,
                         json_is_object(e) ? "an object without an \"id\" string" : type_name(e));
                return -1;
            }
            const json_t *side = json_object_get(e, "side");
            if (side && !json_is_null(side) && !json_is_string(side)) {
                snprintf(why, whylen, "\"%s\"[%zu].side is %s, expected a string", key, i, type_name(side));
                return -1;
            }
        }
        break;
    }
    if (want) {
        snprintf(why, whylen, "\"%s\" is %s, expected %s", key, type_name(v), want);
        return -1;
    }
    return 0;
}

static const struct {
    const char *key;
    char type;
    int required;
} result_fields[] = {
    {"case", 's', 1}, {"suite", 's', 1}, {"server", 's', 1}, {"client", 's', 1}, {"tls", 's', 1}, {"outcome", 's', 1},
    {"name", 's', 0}, {"server_verdict", 's', 0}, {"client_verdict", 's', 0}, {"server_detail", 's', 0},
    {"list_bytes", 'i', 0}, {"wire_list_bytes", 'i', 0}, {"time_ms", 'n', 0}, {"rules", 'r', 0}, {"rule_hits", 'h', 0},
    {"rule_details", 'o', 0}, {"expected", 'o', 0}, {"fault", 'o', 0}, {"unsupported", 's', 0},
    {"repro", 's', 0}, {"pcap", 's', 0}, {"keylog", 's', 0}, {"server_version", 's', 0},
    {"client_version", 's', 0}, {"inject", 's', 0}, {"model", 's', 0}, {"handshake", 's', 0},
};

static const char *str_or_null(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static long long int_or(const json_t *obj, const char *key, long long dflt)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : dflt;
}

/* Records |side| (a JSON value) for |rule| in |*sides|: a rule hit once
 * about the server and once about the client is about "both". */
static void side_add(json_t **sides, const char *rule, const json_t *side)
{
    if (!json_is_string(side))
        return;
    if (!*sides)
        *sides = json_object();
    if (!*sides)
        return;
    const char *now = json_string_value(json_object_get(*sides, rule)), *add = json_string_value(side);
    if (!now)
        json_object_set_new(*sides, rule, json_string(add));
    else if (strcmp(now, add) != 0)
        json_object_set_new(*sides, rule, json_string("both"));
}

/* Turns the object shape of "rules" and "rule_details" (checked already)
 * into ids and detail strings, collecting the sides (see results_read.h). */
static json_t *normalize_rules(json_t *obj)
{
    json_t *sides = NULL, *rules = json_object_get(obj, "rules"), *details = json_object_get(obj, "rule_details");
    /* "rule_hits" (each hit with its side) says it first; a rules entry or
     * a detail object speaks only of a rule it leaves without one. */
    const json_t *hits = json_object_get(obj, "rule_hits");
    for (size_t i = 0; i < json_array_size(hits); i++) {
        const json_t *hit = json_array_get(hits, i);
        side_add(&sides, json_string_value(json_object_get(hit, "rule")), json_object_get(hit, "side"));
    }
    json_t *from_hits = sides ? json_deep_copy(sides) : NULL;
    if (json_is_array(rules)) {
        json_t *ids = json_array();
        for (size_t i = 0; ids && i < json_array_size(rules); i++) {
            json_t *e = json_array_get(rules, i);
            if (json_is_object(e)) {
                const char *id = json_string_value(json_object_get(e, "id"));
                if (!from_hits || !json_object_get(from_hits, id))
                    side_add(&sides, id, json_object_get(e, "side"));
                json_array_append_new(ids, json_string(id));
            } else {
                json_array_append(ids, e);
            }
        }
        if (ids)
            json_object_set_new(obj, "rules", ids);
    }
    const char *k;
    json_t *v, *tmp;
    json_object_foreach_safe(details, tmp, k, v)
    {
        if (!json_is_object(v))
            continue;
        if ((!from_hits || !json_object_get(from_hits, k)) && !(sides && json_object_get(sides, k)))
            side_add(&sides, k, json_object_get(v, "side"));
        const char *text = json_string_value(json_object_get(v, "detail"));
        if (!text)
            text = json_string_value(json_object_get(v, "why"));
        if (text)
            json_object_set_new(details, k, json_string(text));
        else
            json_object_del(details, k);
    }
    json_decref(from_hits);
    return sides;
}

static int take_result(void *ctx, json_t *obj, size_t line, char *why, size_t whylen)
{
    cb_results *rs = ctx;
    for (size_t i = 0; i < sizeof(result_fields) / sizeof(result_fields[0]); i++)
        if (check_field(obj, result_fields[i].key, result_fields[i].type, result_fields[i].required, why, whylen) != 0)
            return -1;
    const char *oc = str_or_null(obj, "outcome");
    int o = -1;
    for (int i = 0; i < CB_OC_COUNT; i++)
        if (strcmp(oc, outcome_names[i]) == 0)
            o = i;
    if (o < 0) {
        snprintf(why, whylen, "\"outcome\" is \"%.60s\", not one of pass, finding, regression, xpass, error, unsupported, missing", oc);
        return -1;
    }
    long long lb = int_or(obj, "list_bytes", -1), wb = int_or(obj, "wire_list_bytes", -1);
    if (json_is_integer(json_object_get(obj, "list_bytes")) && lb < 0) {
        snprintf(why, whylen, "\"list_bytes\" is negative (%lld)", lb);
        return -1;
    }
    if (json_is_integer(json_object_get(obj, "wire_list_bytes")) && wb < 0) {
        snprintf(why, whylen, "\"wire_list_bytes\" is negative (%lld)", wb);
        return -1;
    }
    if (rs->n % 256 == 0) {
        cb_result *nv = realloc(rs->v, (rs->n + 256) * sizeof(*nv));
        if (!nv) {
            snprintf(why, whylen, "out of memory");
            return -1;
        }
        rs->v = nv;
    }
    cb_result *r = &rs->v[rs->n++];
    memset(r, 0, sizeof(*r));
    r->obj = obj;
    r->line = line;
    r->outcome = (enum cb_outcome)o;
    r->case_id = str_or_null(obj, "case");
    r->suite = str_or_null(obj, "suite");
    r->name = str_or_null(obj, "name") ? str_or_null(obj, "name") : r->case_id;
    r->server = str_or_null(obj, "server");
    r->client = str_or_null(obj, "client");
    r->tls = str_or_null(obj, "tls");
    r->server_verdict = str_or_null(obj, "server_verdict");
    r->client_verdict = str_or_null(obj, "client_verdict");
    r->list_bytes = lb;
    r->wire_list_bytes = wb;
    const json_t *t = json_object_get(obj, "time_ms");
    r->time_ms = json_is_number(t) ? json_number_value(t) : 0;
    r->rule_sides = normalize_rules(obj);
    return 0;
}

int cb_results_load(const char *path, cb_results *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (jsonl_read(path, take_result, out, &out->bad, err, errlen) != 0) {
        cb_results_free(out);
        return -1;
    }
    return 0;
}

void cb_results_free(cb_results *r)
{
    for (size_t i = 0; i < r->n; i++) {
        json_decref(r->v[i].obj);
        json_decref(r->v[i].rule_sides);
    }
    free(r->v);
    bad_free(&r->bad);
    memset(r, 0, sizeof(*r));
}

static int take_boundary(void *ctx, json_t *obj, size_t line, char *why, size_t whylen)
{
    cb_boundaries *b = ctx;
    static const struct {
        const char *key;
        char type;
        int required;
    } fields[] = {
        {"stack", 's', 1}, {"side", 's', 0}, {"tls", 's', 0}, {"largest_ok_list_bytes", 'i', 0},
        {"largest_ok_message_bytes", 'i', 0}, {"model", 's', 0},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (check_field(obj, fields[i].key, fields[i].type, fields[i].required, why, whylen) != 0)
            return -1;
    if (b->n % 64 == 0) {
        json_t **nr = realloc(b->rows, (b->n + 64) * sizeof(*nr));
        size_t *nl = nr ? realloc(b->lines, (b->n + 64) * sizeof(*nl)) : NULL;
        if (nr)
            b->rows = nr;
        if (!nr || !nl) {
            snprintf(why, whylen, "out of memory");
            return -1;
        }
        b->lines = nl;
    }
    b->rows[b->n] = obj;
    b->lines[b->n++] = line;
    return 0;
}

int cb_boundaries_load(const char *path, cb_boundaries *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    FILE *probe = fopen(path, "rb");
    if (!probe && errno == ENOENT)
        return 0;
    if (probe)
        fclose(probe);
    out->present = 1;
    if (jsonl_read(path, take_boundary, out, &out->bad, err, errlen) != 0) {
        cb_boundaries_free(out);
        return -1;
    }
    return 0;
}

void cb_boundaries_free(cb_boundaries *b)
{
    for (size_t i = 0; i < b->n; i++)
        json_decref(b->rows[i]);
    free(b->rows);
    free(b->lines);
    bad_free(&b->bad);
    memset(b, 0, sizeof(*b));
}

const char *cb_res_str(const cb_result *r, const char *key) { return str_or_null(r->obj, key); }

long long cb_res_int(const cb_result *r, const char *key, long long dflt) { return int_or(r->obj, key, dflt); }

const char *cb_res_rule_side(const cb_result *r, const char *rule)
{
    return r->rule_sides && rule ? json_string_value(json_object_get(r->rule_sides, rule)) : NULL;
}
