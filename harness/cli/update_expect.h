/* update_expect.h — rewrite expectation files from a run's results. */
#ifndef CABOUND_UPDATE_EXPECT_H
#define CABOUND_UPDATE_EXPECT_H

#include <stddef.h>

#include "outcome.h"

/* cb_update_expectations writes DIR/STACK.expect for every stack in the
 * results: one entry per (role, suite, case, TLS version) whose results
 * agree, split by peer and then by case id where they do not. Reasons of
 * existing entries that covered the same cases are kept. Returns 0, or -1
 * with a message in |err|. */
int cb_update_expectations(const char *results_path, const char *dir, cb_expectations *old, char *err,
                           size_t errlen);

#endif
