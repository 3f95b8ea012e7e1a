/* run_worker.h — a `cabound run` worker process (see run_worker.c). */
#ifndef CABOUND_RUN_WORKER_H
#define CABOUND_RUN_WORKER_H

#include "plan.h"

/* cb_worker_main runs the cases whose plan indexes arrive on |cmd| (one per
 * line), writes one results line per case to |res| (with "plan_index"), in
 * the order the indexes came, and exits when |cmd| ends. |pipeline|: run
 * the harness's stages beside the handshakes (when cores are spare). Never
 * returns. */
void cb_worker_main(int cmd, int res, const cb_plan *plan, const char *out_dir, int keep, int pipeline)
    __attribute__((noreturn));

#endif
