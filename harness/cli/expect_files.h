/* expect_files.h — the expectation directory as the commands use it: loaded
 * with the checks outcome.c leaves to its callers (every file is named
 * STACK.expect after its `stack` line, so one stack has one file, and names a
 * stack this build knows), and applied so that a case without an expectation
 * is its own outcome, `missing`, and `expected.*.file` names the file that
 * really matched. */
#ifndef CABOUND_EXPECT_FILES_H
#define CABOUND_EXPECT_FILES_H

#include <jansson.h>
#include <stddef.h>

#include "outcome.h"
#include "stacks.h"

/* cb_expect_files_load loads every DIR/STACK.expect; returns 0, or -1 with "FILE:LINE:
 * why" in |err| (a missing directory is no expectations). |st| are the
 * build's stacks (cb_stacks_discover). */
int cb_expect_files_load(const char *dir, const cb_stack_info *st, size_t nst, cb_expectations *e, char *err,
                         size_t errlen);

/* cb_expect_files_apply judges |line| (cb_outcome_apply), turns a `pass` that
 * lacks an expectation for one of its stacks into `missing` (with
 * outcome_why), and sets expected.server.file / expected.client.file to the
 * file that matched. Returns 1 when an expectation was missing. */
int cb_expect_files_apply(cb_expectations *e, json_t *line);

#endif
