#define _GNU_SOURCE
#include "outcome.h"

#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"

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

/* Which side owns a rule, for matching against that side's expectation. */
static int rule_role(const char *rule)
{
    return strcmp(rule, "CA-PREFIX") == 0 || strcmp(rule, "REC-2E14") == 0 ? 0
           : strcmp(rule, "ALERT-ON-FAIL") == 0                          ? 2
                                                                          : 1;
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
    if (strcmp(outcome, "pass") == 0) {
        /* Verdicts that changed are regressions; rules that fail without an
         * expectation saying so are findings; expected failures that no
         * longer happen are xpasses (a fix, to be recorded). */
        if (xs && xs->verdict[0] && sv && strcmp(xs->verdict, sv) != 0) {
            outcome = "regression";
            snprintf(why, sizeof(why), "server verdict %s, expected %s (%s)", sv, xs->verdict, xs->pattern);
        } else if (xc && xc->verdict[0] && cv && strcmp(xc->verdict, cv) != 0) {
            outcome = "regression";
            snprintf(why, sizeof(why), "client verdict %s, expected %s (%s)", cv, xc->verdict, xc->pattern);
        }
        json_t *rules = json_object_get(line, "rules");
        size_t i;
        json_t *r;
        json_array_foreach(rules, i, r)
        {
            const char *rid = json_string_value(r);
            int role = rule_role(rid);
            int expected = (role != 1 && has_rule(xs, rid)) || (role != 0 && has_rule(xc, rid));
            if (!expected && strcmp(outcome, "pass") == 0) {
                outcome = "finding";
                snprintf(why, sizeof(why), "rule %s failed", rid);
            }
        }
        if (strcmp(outcome, "pass") == 0) {
            const cb_expectation *both[2] = {xs, xc};
            json_t *checked = json_object_get(line, "rules_checked");
            for (int k = 0; k < 2 && strcmp(outcome, "pass") == 0; k++)
                for (size_t j = 0; both[k] && j < both[k]->n_rules; j++) {
                    int seen = 0, applied = 0;
                    json_array_foreach(rules, i, r) seen |= strcmp(json_string_value(r), both[k]->rules[j]) == 0;
                    json_array_foreach(checked, i, r) applied |= strcmp(json_string_value(r), both[k]->rules[j]) == 0;
                    if (!seen && applied) {
                        outcome = "xpass";
                        snprintf(why, sizeof(why), "expected %s to fail (%s), it passed", both[k]->rules[j], both[k]->pattern);
                        break;
                    }
                }
        }
    }
    json_object_set_new(line, "outcome", json_string(outcome));
    if (why[0])
        json_object_set_new(line, "outcome_why", json_string(why));
    return incomplete;
}
