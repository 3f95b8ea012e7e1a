#define _GNU_SOURCE
#include "update_expect.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct obs {
    const char *id, *suite, *base, *server, *client, *tls;
    char verdict[32], rules[160], fault[32];
};

static const char *fault_class(const char *f)
{
    if (!f)
        return "";
    if (strncmp(f, "crash", 5) == 0)
        return "crash";
    if (strncmp(f, "timeout", 7) == 0)
        return "timeout";
    return "shim-error";
}

static void side(json_t *l, int role, struct obs *o)
{
    const char *v = json_string_value(json_object_get(l, role ? "client_verdict" : "server_verdict"));
    snprintf(o->verdict, sizeof(o->verdict), "%s", v ? v : "");
    o->rules[0] = 0;
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(l, "rules"), i, r)
    {
        const char *id = json_string_value(r);
        int owner = strcmp(id, "CA-PREFIX") == 0 || strcmp(id, "REC-2E14") == 0 ? 0 : strcmp(id, "ALERT-ON-FAIL") == 0 ? 2 : 1;
        if (owner == 2 || owner == role) {
            size_t n = strlen(o->rules);
            snprintf(o->rules + n, sizeof(o->rules) - n, "%s%s", n ? " " : "", id);
        }
    }
    json_t *f = json_object_get(l, "fault");
    const char *fs = json_is_object(f) ? json_string_value(json_object_get(f, role ? "client" : "server")) : NULL;
    snprintf(o->fault, sizeof(o->fault), "%s", fault_class(fs));
}

static int same(const struct obs *a, const struct obs *b)
{
    return strcmp(a->verdict, b->verdict) == 0 && strcmp(a->rules, b->rules) == 0 && strcmp(a->fault, b->fault) == 0;
}

static const char *keep_reason(cb_expectations *old, const char *stack, const char *id, int role)
{
    for (size_t i = 0; old && i < old->n; i++)
        if (strcmp(old->files[i].stack, stack) == 0) {
            cb_expectation *x = cb_expect_match(&old->files[i], id, role);
            if (x)
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

int cb_update_expectations(const char *results_path, const char *dir, cb_expectations *old, char *err, size_t errlen)
{
    FILE *in = fopen(results_path, "r");
    if (!in) {
        snprintf(err, errlen, "%s: %s", results_path, strerror(errno));
        return -1;
    }
    json_t *lines = json_array();
    char *buf = NULL;
    size_t cap = 0;
    while (getline(&buf, &cap, in) > 0) {
        json_error_t je;
        json_t *l = json_loads(buf, 0, &je);
        if (l)
            json_array_append_new(lines, l);
    }
    free(buf);
    fclose(in);
    mkdir(dir, 0755);
    char stacks[64][64];
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
            if (!seen && ns < 64)
                snprintf(stacks[ns++], 64, "%s", s[k]);
        }
    }
    char date[32];
    time_t t = time(NULL);
    strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&t));
    for (size_t si = 0; si < ns; si++) {
        const char *stack = stacks[si];
        char path[4300], tmp[4400];
        snprintf(path, sizeof(path), "%s/%s.expect", dir, stack);
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        FILE *f = fopen(tmp, "w");
        if (!f) {
            snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
            json_decref(lines);
            return -1;
        }
        fprintf(f, "# %s.expect — recorded behaviour of %s in cabound's suites.\n"
                   "# Rewritten by `cabound run --update-expectations` on %s; reasons are kept.\n"
                   "# A reason cites the stack's source (file and function) or a public issue.\n\nstack %s\n\n",
                stack, stack, date, stack);
        size_t n = json_array_size(lines);
        unsigned char *done = calloc(n + 1, 1);
        for (int role = 0; role < 2; role++) {
            for (size_t a = 0; a < n; a++) {
                json_t *la = json_array_get(lines, a);
                const char *me = json_string_value(json_object_get(la, role ? "client" : "server"));
                if (done[a] == role + 1 || !me || strcmp(me, stack) != 0)
                    continue;
                /* The group: same suite, case base name, TLS version. */
                const char *suite = json_string_value(json_object_get(la, "suite"));
                const char *name = json_string_value(json_object_get(la, "name"));
                const char *tls = json_string_value(json_object_get(la, "tls"));
                if (!suite || !name || !tls)
                    continue;
                size_t blen = strcspn(name, "@");
                struct obs first;
                side(la, role, &first);
                int uniform = 1, peer_uniform = 1;
                const char *peer0 = json_string_value(json_object_get(la, role ? "server" : "client"));
                for (size_t b = a; b < n; b++) {
                    json_t *lb = json_array_get(lines, b);
                    const char *mb = json_string_value(json_object_get(lb, role ? "client" : "server"));
                    const char *nb = json_string_value(json_object_get(lb, "name"));
                    if (!mb || strcmp(mb, stack) || strcmp(json_string_value(json_object_get(lb, "suite")), suite) ||
                        strcmp(json_string_value(json_object_get(lb, "tls")), tls) || !nb || strncmp(nb, name, blen) ||
                        (nb[blen] != '@' && nb[blen] != 0))
                        continue;
                    struct obs ob;
                    side(lb, role, &ob);
                    if (!same(&first, &ob)) {
                        uniform = 0;
                        if (strcmp(json_string_value(json_object_get(lb, role ? "server" : "client")), peer0) == 0)
                            peer_uniform = 0;
                    }
                }
                char pattern[512];
                if (uniform) {
                    snprintf(pattern, sizeof(pattern), role ? "%s/%.*s@*/*>%s/%s" : "%s/%.*s@*/%s>*/%s", suite, (int)blen,
                             name, stack, tls);
                    for (size_t b = a; b < n; b++) {
                        json_t *lb = json_array_get(lines, b);
                        const char *mb = json_string_value(json_object_get(lb, role ? "client" : "server"));
                        const char *nb = json_string_value(json_object_get(lb, "name"));
                        if (mb && !strcmp(mb, stack) && !strcmp(json_string_value(json_object_get(lb, "suite")), suite) &&
                            !strcmp(json_string_value(json_object_get(lb, "tls")), tls) && nb && !strncmp(nb, name, blen) &&
                            (nb[blen] == '@' || nb[blen] == 0))
                            done[b] = (unsigned char)(role + 1);
                    }
                } else {
                    (void)peer_uniform;
                    snprintf(pattern, sizeof(pattern), "%s", json_string_value(json_object_get(la, "case")));
                    done[a] = (unsigned char)(role + 1);
                }
                const char *reason = keep_reason(old, stack, json_string_value(json_object_get(la, "case")), role);
                char fresh[200];
                snprintf(fresh, sizeof(fresh), "observed in the run of %s; TODO: cite the source", date);
                entry(f, pattern, role, &first, reason ? reason : fresh);
            }
        }
        free(done);
        if (fclose(f) != 0 || rename(tmp, path) != 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            json_decref(lines);
            return -1;
        }
    }
    json_decref(lines);
    return 0;
}
