/* cabound stacks — the installed shims, their versions and modes. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "flags.h"
#include "stacks.h"

int cmd_stacks(int argc, char **argv)
{
    int json = 0, help = 0;
    const cb_flag flags[] = {
        {"--json", CB_FLAG_BOOL, &json, NULL, "one JSON object per stack"},
        {"--help", CB_FLAG_BOOL, &help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    if (cb_flags_parse("stacks", argc, argv, 2, flags, NULL) != 0)
        return CB_EXIT_USAGE;
    if (help) {
        printf("usage: cabound stacks [--json]\n\n");
        cb_flags_help(flags);
        printf("\nLists every stack cabound knows, whether its shim is installed, the library\n"
               "version and shared object it loads (and the runtime of a shim on a managed\n"
               "runtime), and the TLS versions, list sources and\n"
               "selection modes it supports. A missing stack says why.\n\n"
               "examples:\n  cabound stacks\n  cabound stacks --json | grep openssl@\n");
        return CB_EXIT_OK;
    }
    cb_stack_info stacks[CB_MAX_STACKS];
    size_t n = cb_stacks_discover(cb_shim_dir(), stacks, CB_MAX_STACKS);
    for (size_t i = 0; i < n; i++) {
        cb_stack_info *s = &stacks[i];
        if (json) {
            json_t *o = json_pack("{s:s,s:b}", "stack", s->id, "installed", s->installed);
            if (s->installed && s->describe)
                json_object_update(o, s->describe);
            else
                json_object_set_new(o, "why", json_string(s->why));
            json_object_set_new(o, "stack", json_string(s->id));
            char *line = json_dumps(o, JSON_COMPACT);
            puts(line);
            free(line);
            json_decref(o);
        } else if (s->installed) {
            printf("%-18s %s\n", s->id, s->version);
            printf("%-18s   library: %s\n", "", s->library);
            /* A managed runtime's own release (JDK, OTP, Go, rustc): the
             * library version alone does not say which runtime ran it. */
            const char *rt = s->describe ? json_string_value(json_object_get(s->describe, "runtime")) : NULL;
            if (rt)
                printf("%-18s   runtime: %s\n", "", rt);
            printf("%-18s   tls: %s  sources: %s  select: %s\n", "", s->tls, s->sources, s->selects);
        } else {
            printf("%-18s MISSING: %s\n", s->id, s->why);
        }
    }
    cb_stacks_free(stacks, n);
    return CB_EXIT_OK;
}
