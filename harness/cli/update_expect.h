/* update_expect.h — rewrite expectation files from a run's results. */
#ifndef CABOUND_UPDATE_EXPECT_H
#define CABOUND_UPDATE_EXPECT_H

#include <stddef.h>

#include "outcome.h"
#include "plan.h"

/* cb_update_expectations writes DIR/STACK.expect for every stack in the
 * results: one entry per (role, suite, case, TLS version) whose results
 * agree, split by peer and then by case id where they do not. Reasons of
 * existing entries that covered the same cases are kept.
 *
 * Only what the run covered changes: every case id of |universe| (the full,
 * unnarrowed plan; NULL: the results alone) that the results do not hold
 * keeps the observation its old entry stated, and so does a case whose line
 * is an error (an error never becomes an expectation). |unrecorded| counts
 * the lines that could not be recorded. Returns 0, or -1 with a message in
 * |err|. */
int cb_update_expectations(const char *results_path, const char *dir, cb_expectations *old, const cb_plan *universe,
                           size_t *unrecorded, char *err, size_t errlen);

#endif
