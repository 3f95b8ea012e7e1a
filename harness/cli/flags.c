#include "flags.h"

#include "numparse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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
        case CB_FLAG_INT:
            /* Non-negative: a negative timeout or count is a mistake, not a default. */
            if (cb_parse_u64(value, 1000000000u, &v) != 0) {
                fprintf(stderr, "cabound %s: %s: expected a decimal integer 0..%llu, got \"%s\"\n", cmd, f->name,
                        1000000000ull, value);
                return 2;
            }
            *(int *)f->dst = (int)v;
            break;
        case CB_FLAG_SIZE:
        case CB_FLAG_U64: {
            uint64_t max = f->type == CB_FLAG_SIZE ? (1ull << 40) : UINT64_MAX;
            int bad = f->type == CB_FLAG_U64 ? cb_parse_u64_hex(value, max, &v) : cb_parse_u64(value, max, &v);
            if (bad) {
                fprintf(stderr, "cabound %s: %s: expected a decimal integer 0..%llu%s, got \"%s\"\n", cmd,
                        f->name, (unsigned long long)max, f->type == CB_FLAG_U64 ? " (or 0x hex)" : "", value);
                return 2;
            }
            if (f->type == CB_FLAG_SIZE)
                *(size_t *)f->dst = (size_t)v;
            else
                *(uint64_t *)f->dst = v;
            break;
        }
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
