#define _GNU_SOURCE
#include "divergences.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consistency.h"

void cb_write_divergences(const char *dir, const char *results, int quiet)
{
    FILE *f = fopen(results, "r");
    if (!f)
        return;
    json_t *keep = json_array();
    cb_case_summary *v = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        if (!o)
            continue;
        /* Keep only what the rules read, so a large run stays small. */
        json_t *slim = json_pack("{s:O?,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?,s:O?}", "case", json_object_get(o, "case"),
                                 "suite", json_object_get(o, "suite"), "name", json_object_get(o, "name"), "server",
                                 json_object_get(o, "server"), "client", json_object_get(o, "client"), "tls",
                                 json_object_get(o, "tls"), "server_verdict", json_object_get(o, "server_verdict"),
                                 "client_verdict", json_object_get(o, "client_verdict"), "list_bytes",
                                 json_object_get(o, "list_bytes"), "repro", json_object_get(o, "repro"));
        json_decref(o);
        if (!slim)
            continue;
        const char *sv = json_string_value(json_object_get(slim, "server_verdict"));
        const char *fields[8];
        static const char *const keys[8] = {"case", "suite", "name", "server", "client", "tls", "server_verdict", "client_verdict"};
        int ok = sv && strcmp(sv, "unsupported") && strcmp(sv, "error");
        for (int k = 0; ok && k < 8; k++)
            ok = (fields[k] = json_string_value(json_object_get(slim, keys[k]))) != NULL;
        if (!ok) {
            json_decref(slim);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            cb_case_summary *nv = realloc(v, cap * sizeof(*v));
            if (!nv)
                break;
            v = nv;
        }
        json_array_append_new(keep, slim);
        v[n++] = (cb_case_summary){fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], fields[7],
                                   (size_t)json_integer_value(json_object_get(slim, "list_bytes"))};
    }
    free(line);
    fclose(f);
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

