/* cabound merge — join the outputs of shards into one results directory and
 * write its reports. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "flags.h"
#include "jsonl.h"
#include "outcome.h"
#include "report.h"

struct merge {
    const char *name, *key;
    FILE *out;
    json_t *seen;
    size_t written, failures;
    int allow_missing;
};

/* add writes one line unless a line with the same key was written already
 * (a case run by two shards is kept once). */
static int add(json_t *o, void *arg)
{
    struct merge *m = arg;
    char k[1024];
    const char *kv = json_string_value(json_object_get(o, m->key));
    const char *side = json_string_value(json_object_get(o, "side")), *tls = json_string_value(json_object_get(o, "tls"));
    snprintf(k, sizeof(k), "%s|%s|%s", kv ? kv : "", side ? side : "", tls ? tls : "");
    if (json_object_get(m->seen, k))
        return 0;
    json_object_set_new(m->seen, k, json_true());
    char *s = json_dumps(o, JSON_COMPACT);
    fprintf(m->out, "%s\n", s);
    free(s);
    m->written++;
    const char *oc = json_string_value(json_object_get(o, "outcome"));
    m->failures += cb_report_outcome_fails(oc, m->allow_missing);
    return 0;
}

int cmd_merge(int argc, char **argv)
{
    const char *out = "results";
    int help = 0, allow_missing = 0;
    cb_strlist dirs = {0};
    const cb_flag flags[] = {
        {"--out", CB_FLAG_STR, &out, "DIR", "merged results directory (default results/; may be one of the shards)"},
        {"--allow-missing", CB_FLAG_BOOL, &allow_missing, NULL, "cases without an expectation do not fail the merge"},
        {"--help", CB_FLAG_BOOL, &help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    if (cb_flags_parse("merge", argc, argv, 2, flags, &dirs) != 0)
        return CB_EXIT_USAGE;
    if (help || dirs.count == 0) {
        printf("usage: cabound merge [--out DIR] SHARD_DIR...\n\n");
        cb_flags_help(flags);
        printf("\nJoins results.jsonl, boundaries.jsonl and stacks.jsonl of each shard (a case\n"
               "recorded twice is kept once) and writes junit.xml and report.html.\n\n"
               "Exit 0 when every case met its expectation, 1 on a finding, regression, xpass,\n"
               "error or missing expectation (unless --allow-missing), 2 when a shard directory or\n"
               "its results.jsonl is missing, or the output cannot be written.\n\n"
               "example:\n  cabound merge --out results shard-1 shard-2 shard-3\n");
        return help ? CB_EXIT_OK : CB_EXIT_USAGE;
    }
    /* A shard that is not there is a failed shard, never a smaller green merge. */
    for (size_t d = 0; d < dirs.count; d++) {
        char in[4200];
        snprintf(in, sizeof(in), "%s/results.jsonl", dirs.items[d]);
        struct stat ds;
        if (stat(dirs.items[d], &ds) != 0 || !S_ISDIR(ds.st_mode) || access(in, R_OK) != 0) {
            fprintf(stderr, "cabound merge: %s: %s\n", dirs.items[d],
                    stat(dirs.items[d], &ds) != 0 ? "no such shard directory" : "no results.jsonl in it (did that shard run?)");
            return CB_EXIT_USAGE;
        }
    }
    mkdir(out, 0755);
    static const char *const files[][2] = {{"results.jsonl", "case"}, {"boundaries.jsonl", "stack"}, {"stacks.jsonl", "stack"}};
    size_t failures = 0;
    /* Each merged file is written beside its final name and renamed once
     * every shard was read: --out may be one of the shards. */
    char tmp[3][4300];
    for (int i = 0; i < 3; i++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", out, files[i][0]);
        snprintf(tmp[i], sizeof(tmp[i]), "%s.merging", path);
        FILE *f = fopen(tmp[i], "w");
        if (!f) {
            fprintf(stderr, "cabound merge: %s: cannot write\n", tmp[i]);
            for (int j = 0; j < i; j++)
                unlink(tmp[j]);
            return CB_EXIT_USAGE;
        }
        struct merge m = {files[i][0], files[i][1], f, json_object(), 0, 0, allow_missing};
        for (size_t d = 0; d < dirs.count; d++) {
            char in[4200];
            snprintf(in, sizeof(in), "%s/%s", dirs.items[d], files[i][0]);
            cb_jsonl_each(in, add, &m);
        }
        json_decref(m.seen);
        if (fclose(f) != 0) {
            fprintf(stderr, "cabound merge: %s: cannot write\n", tmp[i]);
            for (int j = 0; j <= i; j++)
                unlink(tmp[j]);
            return CB_EXIT_USAGE;
        }
        if (i == 0) {
            printf("%s: %zu results from %zu shards\n", path, m.written, dirs.count);
            failures = m.failures;
        }
    }
    for (int i = 0; i < 3; i++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", out, files[i][0]);
        if (rename(tmp[i], path) != 0) {
            fprintf(stderr, "cabound merge: %s: cannot write\n", path);
            return CB_EXIT_USAGE;
        }
    }
    char err[512];
    if (cb_report_write_all(out, err, sizeof(err)) != 0) {
        fprintf(stderr, "cabound merge: %s\n", err);
        return CB_EXIT_USAGE;
    }
    return failures ? CB_EXIT_FINDINGS : CB_EXIT_OK;
}
