#define _GNU_SOURCE
#include "jsonl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long cb_jsonl_each(const char *path, int (*fn)(json_t *obj, void *arg), void *arg)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long count = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] != '\n')
            break;
        json_error_t e;
        json_t *o = json_loads(line, 0, &e);
        if (!o || !json_is_object(o)) {
            json_decref(o);
            continue;
        }
        count++;
        int stop = fn(o, arg);
        json_decref(o);
        if (stop)
            break;
    }
    free(line);
    fclose(f);
    return count;
}

static int append(json_t *obj, void *arr)
{
    json_array_append(arr, obj);
    return 0;
}

json_t *cb_jsonl_load(const char *path)
{
    json_t *arr = json_array();
    cb_jsonl_each(path, append, arr);
    return arr;
}

int cb_json_has_string(const json_t *arr, const char *s)
{
    for (size_t i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
        const json_t *v = json_array_get(arr, i);
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return 1;
    }
    return 0;
}
