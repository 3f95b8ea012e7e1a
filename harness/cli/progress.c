#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "outcome.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

void cb_progress_init(cb_progress *p, size_t total, int quiet)
{
    memset(p, 0, sizeof(*p));
    p->total = total;
    p->tty = !quiet && isatty(2) && !getenv("CI");
    p->t0 = p->last = mono();
}

void cb_progress_step(cb_progress *p, const char *outcome)
{
    p->done++;
    if (outcome && cb_outcome_is_failure(outcome))
        p->bad++;
    double now = mono();
    if (!p->tty || (now - p->last < 0.1 && p->done != p->total))
        return;
    p->last = now;
    double rate = p->done / (now - p->t0 + 1e-9);
    double eta = rate > 0 ? (p->total - p->done) / rate : 0;
    int width = 30, fill = p->total ? (int)(width * p->done / p->total) : width;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu cases, %zu failing, %.0f/s, ETA %dm%02ds ", fill,
            "==============================", width - fill, "", p->done, p->total, p->bad, rate, (int)eta / 60,
            (int)eta % 60);
}

void cb_progress_done(cb_progress *p)
{
    if (p->tty)
        fputc('\n', stderr);
}
