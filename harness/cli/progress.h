/* progress.h — the progress bar of a long run: on a terminal only, and
 * never in CI (CI is set). */
#ifndef CABOUND_PROGRESS_H
#define CABOUND_PROGRESS_H

#include <stddef.h>

typedef struct cb_progress {
    size_t total, done, bad;
    int tty;
    double t0, last;
} cb_progress;

void cb_progress_init(cb_progress *p, size_t total, int quiet);
void cb_progress_step(cb_progress *p, const char *outcome);
void cb_progress_done(cb_progress *p);

#endif
