/* names.h — every name a user gives (a stack, a suite, a --match glob, an
 * expectation file's `stack`) must name something: one that matches nothing
 * is a usage error that lists the valid names, never an empty green run.
 * The valid stacks come from the build (cb_stacks_discover: CMake's known
 * list and the STACK@BUILD shims beside cabound), never a list written here. */
#ifndef CABOUND_NAMES_H
#define CABOUND_NAMES_H

#include <stddef.h>

#include "stacks.h"

/* cb_check_stack prints "cabound CMD: FLAG: ..." and returns 2 when |name| is
 * not an installed stack of |st| (saying why a known one is missing, and
 * which stacks are installed); 0 otherwise. */
int cb_check_stack(const char *cmd, const char *flag, const char *name, const cb_stack_info *st, size_t nst);

/* cb_check_shim is cb_check_stack that also accepts a shim the build made
 * beside the stacks (the fault tests' misbehaving one), for `pair`, which
 * runs one shim by name; a run plans only the build's stacks. */
int cb_check_shim(const char *cmd, const char *flag, const char *name, const cb_stack_info *st, size_t nst);

/* cb_check_stacks checks each of |names|. */
int cb_check_stacks(const char *cmd, const char *flag, const char *const *names, size_t n, const cb_stack_info *st,
                    size_t nst);

/* cb_print_stack_names prints the installed stack ids, comma-separated. */
void cb_print_stack_names(const cb_stack_info *st, size_t nst);

/* cb_stack_known reports whether |id| (or its base before '@') is a stack
 * this build knows. */
int cb_stack_known(const char *id, const cb_stack_info *st, size_t nst);

#endif
