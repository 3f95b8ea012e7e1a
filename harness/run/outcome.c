#define _GNU_SOURCE
#include "outcome.h"

#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "oracle.h"
#include "reason.h"

int cb_expectations_load(const char *dir, cb_expectations *e, char *err, size_t errlen)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->dir, sizeof(e->dir), "%s", dir);
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", dir, strerror(errno)), -1);
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 8 || strcmp(de->d_name + l - 7, ".expect") != 0)
            continue;
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        size_t len;
        char *text = cb_read_file(path, &len, err, errlen);
        cb_expect_file *nf = realloc(e->files, (e->n + 1) * sizeof(*nf));
        if (!text || !nf) {
            if (text)
                snprintf(err, errlen, "%s: out of memory", path);
            free(text);
            if (nf)
                e->files = nf;
            rc = -1;
            break;
        }
        e->files = nf;
        if (cb_expect_parse(path, text, len, &e->files[e->n], err, errlen) != 0)
            rc = -1;
        else
            e->n++;
        free(text);
    }
    closedir(d);
    if (rc != 0)
        cb_expectations_free(e);
    return rc;
}

void cb_expectations_free(cb_expectations *e)
{
    for (size_t i = 0; i < e->n; i++)
        cb_expect_free(&e->files[i]);
    free(e->files);
    e->files = NULL;
    e->n = 0;
}

static cb_expectation *lookup(cb_expectations *e, const char *stack, const char *id, int role)
{
    /* "openssl@local" falls back to openssl's file unless it has its own. */
    char base[64];
    snprintf(base, sizeof(base), "%s", stack);
    char *at = strchr(base, '@');
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < e->n; i++)
            if (strcmp(e->files[i].stack, pass ? base : stack) == 0) {
                cb_expectation *x = cb_expect_match(&e->files[i], id, role);
                if (x)
                    return x;
            }
        if (!at)
            break;
        *at = 0;
    }
    return NULL;
}

/* in_list: |id| is a word of the space-separated |list|. */
static int in_list(const char *list, const char *id)
{
    char pad[40], have[600];
    snprintf(pad, sizeof(pad), " %s ", id);
    snprintf(have, sizeof(have), " %s ", list);
    return strstr(have, pad) != NULL;
}

/* append adds |id| to the space-separated |out|, each rule once. */
static void append(char *out, size_t outlen, const char *id)
{
    if (in_list(out, id))
        return;
    size_t n = strlen(out);
    snprintf(out + n, outlen - n, "%s%s", n ? " " : "", id);
}

void cb_line_side_rules(json_t *line, int role, char *out, size_t outlen)
{
    out[0] = 0;
    size_t i;
    json_t *h;
    json_t *hits = json_object_get(line, "rule_hits");
    if (json_is_array(hits)) {
        json_array_foreach(hits, i, h)
        {
            const char *side = json_string_value(json_object_get(h, "side"));
            const char *id = json_string_value(json_object_get(h, "rule"));
            if (id && side && strcmp(side, role ? "client" : "server") == 0)
                append(out, outlen, id);
        }
        return;
    }
    json_array_foreach(json_object_get(line, "rules"), i, h)
    {
        const char *id = json_string_value(h);
        int r = id ? cb_rule_parse(id) : -1;
        if (id && (r < 0 || cb_rule_fixed_side((enum cb_rule)r) < 0 || cb_rule_fixed_side((enum cb_rule)r) == role))
            append(out, outlen, id);
    }
}

int cb_line_rule_checked(json_t *line, int role, const char *rule)
{
    json_t *c = json_object_get(line, "rules_checked");
    if (json_is_object(c))
        c = json_object_get(c, role ? "client" : "server");
    return cb_json_has_string(c, rule);
}

static int alert_of(json_t *alerts, const char *key)
{
    json_t *v = json_object_get(alerts, key);
    return json_is_integer(v) ? (int)json_integer_value(v) : -1;
}

int cb_line_reason_contradicts(json_t *line, int role, const char *reason, char *why, size_t whylen)
{
    cb_reason_facts f;
    memset(&f, 0, sizeof(f));
    for (int s = 0; s < 2; s++) {
        int r = s ? !role : role;
        json_t *e = json_object_get(line, r ? "client_error" : "server_error");
        json_t *c = json_is_object(e) ? json_object_get(e, "code") : NULL;
        f.has_error[s] = json_is_integer(c);
        f.error[s] = f.has_error[s] ? (long long)json_integer_value(c) : 0;
    }
    json_t *al = json_object_get(line, "alerts");
    static const char *const keys[] = {"server_sent", "client_sent", "wire_from_server", "wire_from_client"};
    for (size_t i = 0; i < 4; i++) {
        int a = alert_of(al, keys[i]);
        if (a >= 0 && f.n_alerts < CB_REASON_MAX_ALERTS)
            f.alerts[f.n_alerts++] = a;
    }
    int own = alert_of(al, role ? "client_sent" : "server_sent");
    if (own <= 0)
        own = alert_of(al, role ? "wire_from_client" : "wire_from_server");
    json_t *wire_own = json_object_get(al, role ? "wire_from_client" : "wire_from_server");
    f.own_alert = own > 0 ? own : json_is_string(wire_own) ? -2 : -1;
    return cb_reason_contradicts(reason, &f, why, whylen);
}

static int has_rule(const cb_expectation *x, const char *rule)
{
    for (size_t i = 0; x && i < x->n_rules; i++)
        if (strcmp(x->rules[i], rule) == 0)
            return 1;
    return 0;
}

const char *cb_fault_class(const char *f)
{
    if (!f)
        return "";
    if (strncmp(f, "crash", 5) == 0)
        return "crash";
    if (strncmp(f, "timeout", 7) == 0)
        return "timeout";
    return "shim-error";
}

int cb_outcome_is_failure(const char *o)
{
    return strcmp(o, "finding") == 0 || strcmp(o, "regression") == 0 || strcmp(o, "xpass") == 0 || strcmp(o, "error") == 0;
}

static json_t *exp_json(const cb_expectation *x, const char *file)
{
    if (!x)
        return json_null();
    json_t *o = json_object();
    json_object_set_new(o, "pattern", json_string(x->pattern));
    json_object_set_new(o, "file", json_string(file));
    json_object_set_new(o, "line", json_integer((json_int_t)x->line));
    if (x->verdict[0])
        json_object_set_new(o, x->role ? "client_verdict" : "server_verdict", json_string(x->verdict));
    json_t *r = json_array();
    for (size_t i = 0; i < x->n_rules; i++)
        json_array_append_new(r, json_string(x->rules[i]));
    json_object_set_new(o, "rules", r);
    if (x->fault[0])
        json_object_set_new(o, "fault", json_string(x->fault));
    json_object_set_new(o, "reason", json_string(x->reason));
    return o;
}

int cb_outcome_apply(cb_expectations *e, json_t *line)
{
    const char *id = json_string_value(json_object_get(line, "case"));
    const char *server = json_string_value(json_object_get(line, "server"));
    const char *client = json_string_value(json_object_get(line, "client"));
    if (!id || !server || !client)
        return 0;
    cb_expectation *xs = lookup(e, server, id, 0), *xc = lookup(e, client, id, 1);
    if (xs)
        xs->hits++;
    if (xc)
        xc->hits++;
    json_t *exp = json_object();
    char file[300];
    snprintf(file, sizeof(file), "suites/expect/%s.expect", server);
    json_object_set_new(exp, "server", exp_json(xs, file));
    snprintf(file, sizeof(file), "suites/expect/%s.expect", client);
    json_object_set_new(exp, "client", exp_json(xc, file));
    json_object_set_new(line, "expected", exp);
    int incomplete = !xs || !xc;

    const char *outcome = "pass";
    char why[512] = "";
    const char *sv = json_string_value(json_object_get(line, "server_verdict"));
    const char *cv = json_string_value(json_object_get(line, "client_verdict"));
    json_t *fault = json_object_get(line, "fault");
    if (json_is_string(json_object_get(line, "unsupported"))) {
        outcome = "unsupported";
    } else if (json_is_object(fault)) {
        const char *sf = json_string_value(json_object_get(fault, "server"));
        const char *cf = json_string_value(json_object_get(fault, "client"));
        int ok = (!sf || (xs && strcmp(xs->fault, cb_fault_class(sf)) == 0)) && (!cf || (xc && strcmp(xc->fault, cb_fault_class(cf)) == 0));
        if (!ok) {
            outcome = "error";
            snprintf(why, sizeof(why), "fault: server %s, client %s", sf ? sf : "-", cf ? cf : "-");
        }
    }
    /* A reason that names what this case did not show describes another
     * behaviour: the recorded behaviour changed. */
    const cb_expectation *xr[2] = {xs, xc};
    for (int k = 0; k < 2 && strcmp(outcome, "pass") == 0; k++) {
        char rwhy[200];
        if (xr[k] && cb_line_reason_contradicts(line, k, xr[k]->reason, rwhy, sizeof(rwhy))) {
            outcome = "regression";
            snprintf(why, sizeof(why), "the %s's recorded reason (%s:%zu) %s", k ? "client" : "server",
                     json_string_value(json_object_get(json_object_get(exp, k ? "client" : "server"), "file")),
                     xr[k]->line, rwhy);
        }
    }
    if (strcmp(outcome, "pass") == 0) {
        /* Verdicts that changed are regressions; rules that fail without an
         * expectation saying so are findings; expected failures that no
         * longer happen are xpasses (a fix, to be recorded). */
        /* "unmeasured" is no evidence either way (the bytes could not be
         * read this time, or could not be when the expectation was
         * recorded): it never makes a regression; the line says so. */
        int s_um = sv && xs && xs->verdict[0] && strcmp(xs->verdict, sv) != 0 &&
                   (strcmp(sv, "unmeasured") == 0 || strcmp(xs->verdict, "unmeasured") == 0);
        int c_um = cv && xc && xc->verdict[0] && strcmp(xc->verdict, cv) != 0 &&
                   (strcmp(cv, "unmeasured") == 0 || strcmp(xc->verdict, "unmeasured") == 0);
        if (s_um || c_um)
            json_object_set_new(line, "verdict_not_compared",
                                json_string(s_um ? "server: unmeasured on one side of the comparison"
                                                 : "client: unmeasured on one side of the comparison"));
        if (!s_um && xs && xs->verdict[0] && sv && strcmp(xs->verdict, sv) != 0) {
            outcome = "regression";
            snprintf(why, sizeof(why), "server verdict %s, expected %s (%s)", sv, xs->verdict, xs->pattern);
        } else if (!c_um && xc && xc->verdict[0] && cv && strcmp(xc->verdict, cv) != 0) {
            outcome = "regression";
            snprintf(why, sizeof(why), "client verdict %s, expected %s (%s)", cv, xc->verdict, xc->pattern);
        }
        /* Each hit is held against the expectation of the side it is about. */
        const cb_expectation *both[2] = {xs, xc};
        char hit[2][512];
        for (int k = 0; k < 2; k++)
            cb_line_side_rules(line, k, hit[k], sizeof(hit[k]));
        for (int k = 0; k < 2 && strcmp(outcome, "pass") == 0; k++) {
            char list[512], *save = NULL;
            snprintf(list, sizeof(list), "%s", hit[k]);
            for (char *t = strtok_r(list, " ", &save); t; t = strtok_r(NULL, " ", &save))
                if (!has_rule(both[k], t)) {
                    outcome = "finding";
                    snprintf(why, sizeof(why), "rule %s failed (about the %s)", t, k ? "client" : "server");
                    break;
                }
        }
        for (int k = 0; k < 2 && strcmp(outcome, "pass") == 0; k++)
            for (size_t j = 0; both[k] && j < both[k]->n_rules; j++) {
                const char *rid = both[k]->rules[j];
                if (!in_list(hit[k], rid) && cb_line_rule_checked(line, k, rid)) {
                    outcome = "xpass";
                    snprintf(why, sizeof(why), "expected %s to fail (%s), it passed", rid, both[k]->pattern);
                    break;
                }
            }
    }
    json_object_set_new(line, "outcome", json_string(outcome));
    if (why[0])
        json_object_set_new(line, "outcome_why", json_string(why));
    return incomplete;
}
