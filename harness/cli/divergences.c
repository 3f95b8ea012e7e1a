#include "divergences.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consistency.h"
#include "jsonl.h"

static const char *const keys[8] = {"case", "suite", "name", "server", "client", "tls", "server_verdict", "client_verdict"};

/* keep_slim keeps what the rules read of a judged line, so a large run stays
 * small; unsupported and error lines have nothing to compare. */
static int keep_slim(json_t *o, void *keep)
{
    const char *sv = json_string_value(json_object_get(o, "server_verdict"));
    if (!sv || !strcmp(sv, "unsupported") || !strcmp(sv, "error"))
        return 0;
    json_t *slim = json_object();
    for (int k = 0; k < 8; k++) {
        if (!json_is_string(json_object_get(o, keys[k]))) {
            json_decref(slim);
            return 0;
        }
        json_object_set(slim, keys[k], json_object_get(o, keys[k]));
    }
    json_object_set(slim, "list_bytes", json_object_get(o, "list_bytes"));
    json_object_set(slim, "repro", json_object_get(o, "repro"));
    json_array_append_new(keep, slim);
    return 0;
}

void cb_write_divergences(const char *dir, const char *results, int quiet)
{
    json_t *keep = json_array();
    if (cb_jsonl_each(results, keep_slim, keep) < 0) {
        json_decref(keep);
        return;
    }
    size_t n = json_array_size(keep);
    cb_case_summary *v = calloc(n + 1, sizeof(*v));
    if (!v)
        n = 0;
    for (size_t i = 0; v && i < n; i++) {
        json_t *o = json_array_get(keep, i);
        const char *f[8];
        for (int k = 0; k < 8; k++)
            f[k] = json_string_value(json_object_get(o, keys[k]));
        v[i] = (cb_case_summary){f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7],
                                 (size_t)json_integer_value(json_object_get(o, "list_bytes"))};
    }
    cb_divergence *d = NULL;
    size_t nd = 0;
    if (cb_consistency_check(v, n, &d, &nd) == 0) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/divergences.jsonl", dir);
        FILE *o = fopen(path, "w");
        size_t by[2] = {0, 0};
        for (size_t i = 0; o && i < nd; i++) {
            json_t *x = json_pack("{s:s,s:s,s:s,s:s}", "rule", d[i].rule, "group", d[i].group, "detail", d[i].detail,
                                  "smallest_case", d[i].smallest->id);
            for (size_t k = 0; k < n; k++)
                if (&v[k] == d[i].smallest)
                    json_object_set(x, "repro", json_object_get(json_array_get(keep, k), "repro"));
            char *s = json_dumps(x, JSON_COMPACT);
            fprintf(o, "%s\n", s);
            free(s);
            json_decref(x);
            by[strcmp(d[i].rule, "XSTACK") != 0]++;
        }
        if (o)
            fclose(o);
        if (!quiet || nd)
            printf("%zu divergences across cases (XSTACK %zu, XVER %zu): %s\n", nd, by[0], by[1], path);
    }
    free(d);
    free(v);
    json_decref(keep);
}

