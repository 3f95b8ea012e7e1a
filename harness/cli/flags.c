#include "flags.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int list_add(const char *cmd, cb_strlist *l, char *value)
{
    for (char *save = NULL, *tok = strtok_r(value, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (l->count == sizeof(l->items) / sizeof(l->items[0])) {
            fprintf(stderr, "cabound %s: too many values\n", cmd);
            return 2;
        }
        l->items[l->count++] = tok;
    }
    return 0;
}

int cb_flags_parse(const char *cmd, int argc, char **argv, int first, const cb_flag *flags,
                   cb_strlist *positional)
{
    for (int i = first; i < argc; i++) {
        char *a = argv[i];
        if (a[0] != '-' || a[1] == 0) {
            if (!positional) {
                fprintf(stderr, "cabound %s: unexpected argument: %s\n", cmd, a);
                return 2;
            }
            if (list_add(cmd, positional, a) != 0)
                return 2;
            continue;
        }
        char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        const cb_flag *f = flags;
        while (f->name && (strlen(f->name) != nlen || strncmp(f->name, a, nlen) != 0))
            f++;
        if (!f->name) {
            fprintf(stderr, "Unrecognized flag: %s (see cabound %s --help)\n", a, cmd);
            return 2;
        }
        if (f->type == CB_FLAG_BOOL) {
            if (eq) {
                fprintf(stderr, "cabound %s: %s takes no value\n", cmd, f->name);
                return 2;
            }
            *(int *)f->dst = 1;
            continue;
        }
        char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            fprintf(stderr, "cabound %s: %s needs a value (%s)\n", cmd, f->name, f->arg);
            return 2;
        }
        uint64_t v;
        switch (f->type) {
        case CB_FLAG_STR:
            *(const char **)f->dst = value;
            break;
        case CB_FLAG_LIST:
            if (list_add(cmd, f->dst, value) != 0)
                return 2;
            break;
        case CB_FLAG_INT: {
            char *end;
            errno = 0;
            long n = strtol(value, &end, 10);
            if (errno || *end || !*value || n < -1000000000L || n > 1000000000L) {
                fprintf(stderr, "cabound %s: %s: not an integer: %s\n", cmd, f->name, value);
                return 2;
            }
            *(int *)f->dst = (int)n;
            break;
        }
        case CB_FLAG_SIZE:
        case CB_FLAG_U64:
            if (parse_u64(value, &v) != 0 || (f->type == CB_FLAG_SIZE && v > (1ull << 40))) {
                fprintf(stderr, "cabound %s: %s: not a non-negative number in range: %s\n", cmd,
                        f->name, value);
                return 2;
            }
            if (f->type == CB_FLAG_SIZE)
                *(size_t *)f->dst = (size_t)v;
            else
                *(uint64_t *)f->dst = v;
            break;
        case CB_FLAG_BOOL:
            break;
        }
    }
    return 0;
}

void cb_flags_help(const cb_flag *flags)
{
    for (const cb_flag *f = flags; f->name; f++) {
        char left[64];
        snprintf(left, sizeof(left), "%s%s%s", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
        fprintf(stdout, "  %-28s %s\n", left, f->help);
    }
}

int cb_strlist_has(const cb_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return 1;
    return 0;
}
