#include "names.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "lex.h"

void cb_print_stack_names(const cb_stack_info *st, size_t nst)
{
    int first = 1;
    for (size_t i = 0; i < nst; i++)
        if (st[i].installed) {
            fprintf(stderr, "%s%s", first ? "" : ", ", st[i].id);
            first = 0;
        }
    if (first)
        fprintf(stderr, "(none installed)");
}

int cb_stack_known(const char *id, const cb_stack_info *st, size_t nst)
{
    size_t base = strcspn(id, "@");
    for (size_t i = 0; i < nst; i++)
        if (strcmp(st[i].id, id) == 0 || (strlen(st[i].id) == base && strncmp(st[i].id, id, base) == 0))
            return 1;
    return 0;
}

int cb_check_stack(const char *cmd, const char *flag, const char *name, const cb_stack_info *st, size_t nst)
{
    const cb_stack_info *s = cb_stack_find(st, nst, name);
    if (s && s->installed)
        return 0;
    if (s)
        fprintf(stderr, "cabound %s: %s: stack \"%s\" is not installed in this build (%s); installed: ", cmd, flag,
                name, s->why);
    else
        fprintf(stderr, "cabound %s: %s: unknown stack \"%s\"; installed: ", cmd, flag, name);
    cb_print_stack_names(st, nst);
    fprintf(stderr, "\n");
    return CB_EXIT_USAGE;
}

int cb_check_shim(const char *cmd, const char *flag, const char *name, const cb_stack_info *st, size_t nst)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/cabound-shim-%s", cb_shim_dir(), name);
    if (!cb_stack_find(st, nst, name) && cb_lex_id(name) && access(path, X_OK) == 0)
        return 0;
    return cb_check_stack(cmd, flag, name, st, nst);
}

int cb_check_stacks(const char *cmd, const char *flag, const char *const *names, size_t n, const cb_stack_info *st,
                    size_t nst)
{
    for (size_t i = 0; i < n; i++)
        if (cb_check_stack(cmd, flag, names[i], st, nst) != 0)
            return CB_EXIT_USAGE;
    return 0;
}
