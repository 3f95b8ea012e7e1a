/* outcome.h — hold a results line against the recorded expectations. */
#ifndef CABOUND_OUTCOME_H
#define CABOUND_OUTCOME_H

#include <jansson.h>
#include <stddef.h>

#include "expect.h"
#include "suite.h"

typedef struct cb_expectations {
    cb_expect_file *files;
    size_t n;
    char dir[4096];
} cb_expectations;

/* cb_expectations_load reads every *.expect of |dir| (a missing directory is
 * no expectations). Returns 0, or -1 with "FILE:LINE: why" in |err|. */
int cb_expectations_load(const char *dir, cb_expectations *e, char *err, size_t errlen);
void cb_expectations_free(cb_expectations *e);

/* cb_outcome_apply sets "expected" and "outcome" on |line| (a results line
 * from cb_case_run). Returns 1 when a stack of the case had no matching
 * expectation (the completeness check counts these), else 0. */
int cb_outcome_apply(cb_expectations *e, json_t *line);

/* cb_fault_class maps a fault ("crash:SIGSEGV", "timeout", "shim-error: ...")
 * to the class an expectation names: crash, timeout or shim-error; "" for
 * none. */
const char *cb_fault_class(const char *fault);

/* cb_outcome_is_failure: finding, regression, xpass, error. */
int cb_outcome_is_failure(const char *outcome);

#endif
