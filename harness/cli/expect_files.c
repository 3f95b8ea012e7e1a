#define _GNU_SOURCE
#include "expect_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "names.h"

int cb_expect_files_load(const char *dir, const cb_stack_info *st, size_t nst, cb_expectations *e, char *err,
                         size_t errlen)
{
    /* Only regular files are read: a FIFO named *.expect would block. */
    DIR *pre = opendir(dir);
    struct dirent *pe;
    while (pre && (pe = readdir(pre)) != NULL) {
        size_t l = strlen(pe->d_name);
        struct stat st;
        char path[4400];
        snprintf(path, sizeof(path), "%s/%s", dir, pe->d_name);
        if (l >= 8 && strcmp(pe->d_name + l - 7, ".expect") == 0 && (stat(path, &st) != 0 || !S_ISREG(st.st_mode))) {
            snprintf(err, errlen, "%s: not a regular file (an expectation file is read whole; a FIFO would block)", path);
            closedir(pre);
            memset(e, 0, sizeof(*e));
            return -1;
        }
    }
    if (pre)
        closedir(pre);
    if (cb_expectations_load(dir, e, err, errlen) != 0)
        return -1;
    /* The file names, in the loader's order (readdir), to name the file a
     * wrong `stack` line is in. */
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t k = 0;
    int rc = 0;
    while (rc == 0 && d && (de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l < 8 || strcmp(de->d_name + l - 7, ".expect") != 0)
            continue;
        if (k >= e->n)
            break;
        const char *stack = e->files[k].stack;
        if (strlen(stack) != l - 7 || strncmp(de->d_name, stack, l - 7) != 0) {
            /* A second file for a stack would shadow or be shadowed by the
             * first depending on the directory's order, and the update would
             * rewrite only STACK.expect. */
            snprintf(err, errlen, "%s/%s:1: says \"stack %s\"; the file for %s must be %s/%s.expect (one file per stack)",
                     dir, de->d_name, stack, stack, dir, stack);
            rc = -1;
        } else if (st && !cb_stack_known(stack, st, nst)) {
            int n = snprintf(err, errlen, "%s/%s:1: unknown stack \"%s\"; this build knows:", dir, de->d_name, stack);
            for (size_t i = 0; i < nst && n > 0 && (size_t)n < errlen; i++)
                n += snprintf(err + n, errlen - (size_t)n, "%s %s", i ? "," : "", st[i].id);
            rc = -1;
        }
        k++;
    }
    if (d)
        closedir(d);
    if (rc != 0)
        cb_expectations_free(e);
    return rc;
}

/* real_file names the file holding the entry at |line| with |pattern| that
 * |stack| (or its base build) matched. */
static void real_file(const cb_expectations *e, const char *stack, json_t *x)
{
    if (!json_is_object(x))
        return;
    const char *pattern = json_string_value(json_object_get(x, "pattern"));
    json_int_t line = json_integer_value(json_object_get(x, "line"));
    char base[64];
    snprintf(base, sizeof(base), "%s", stack);
    base[strcspn(base, "@")] = 0;
    for (int pass = 0; pass < 2 && pattern; pass++)
        for (size_t i = 0; i < e->n; i++) {
            if (strcmp(e->files[i].stack, pass ? base : stack) != 0)
                continue;
            for (size_t j = 0; j < e->files[i].n; j++)
                if ((json_int_t)e->files[i].e[j].line == line && strcmp(e->files[i].e[j].pattern, pattern) == 0) {
                    char path[4400];
                    snprintf(path, sizeof(path), "%s/%s.expect", e->dir, e->files[i].stack);
                    json_object_set_new(x, "file", json_string(path));
                    return;
                }
        }
}

int cb_expect_files_apply(cb_expectations *e, json_t *line)
{
    int missing = cb_outcome_apply(e, line);
    json_t *exp = json_object_get(line, "expected");
    const char *server = json_string_value(json_object_get(line, "server"));
    const char *client = json_string_value(json_object_get(line, "client"));
    if (server)
        real_file(e, server, json_object_get(exp, "server"));
    if (client)
        real_file(e, client, json_object_get(exp, "client"));
    const char *oc = json_string_value(json_object_get(line, "outcome"));
    if (missing && oc && strcmp(oc, "pass") == 0) {
        int ns = json_is_null(json_object_get(exp, "server")), nc = json_is_null(json_object_get(exp, "client"));
        char why[512];
        snprintf(why, sizeof(why), "no expectation for %s%s%s%s%s in %s (record one: cabound run --update-expectations)",
                 ns ? "the server " : "", ns ? server : "", ns && nc ? " and " : "", nc ? "the client " : "",
                 nc ? client : "", e->dir);
        json_object_set_new(line, "outcome", json_string("missing"));
        json_object_set_new(line, "outcome_why", json_string(why));
    }
    return missing;
}


