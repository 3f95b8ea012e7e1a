/* run_worker.c — a `cabound run` worker: runs the cases whose plan indexes
 * arrive on its command pipe and writes one results line per case.
 *
 * A case has three stages (case.h). The handshake (exchange) keeps the
 * shims busy; preparing a case and judging one are the harness's own work.
 * A helper thread prepares the next case and judges the last one while the
 * main thread runs this one's handshake, so that on a machine with a spare
 * core the harness's work is off the handshake's path. Up to three cases
 * are in flight: judged, exchanged, prepared (CB_SCRATCH_SLOTS). With no
 * spare core (as many workers as cores, the default) the helper would only
 * compete with the shims: measured on 2 cores, the full run took 7% longer
 * with it, so then the stages run one after another. */
#define _GNU_SOURCE
#include "run_worker.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "case.h"
#include "commands.h"
#include "repro.h"
#include "run_session.h"

/* A case between stages. */
struct flight {
    long idx;           /* plan index, -1 none */
    cb_case_work *work; /* NULL when preparing failed */
    char err[1024];     /* why preparing or the exchange failed */
    int failed;
};

struct worker_state {
    const cb_plan *plan;
    cb_runner r;
    int res;
    unsigned next_slot;
    pthread_mutex_t write_mu;
    /* The helper's job, under mu: judge |judge| (if idx >= 0), then prepare
     * |prep| (if idx >= 0). */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int job, done, quit;
    struct flight judge, prep;
};

/* The cabound to print in repro commands: as seen from where the run started. */
static char repro_self[4200];

static void write_line(struct worker_state *ws, json_t *out, long idx)
{
    json_object_set_new(out, "plan_index", json_integer(idx));
    char repro[4096];
    if (idx >= 0 && (size_t)idx < ws->plan->n && cb_repro(&ws->plan->v[idx].c, repro_self, repro, sizeof(repro)) == 0)
        json_object_set_new(out, "repro", json_string(repro));
    char *s = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    if (!s)
        return;
    size_t n = strlen(s);
    s[n] = '\n'; /* over the NUL: the line is written with its length */
    pthread_mutex_lock(&ws->write_mu);
    for (size_t off = 0; off <= n;) {
        ssize_t w = write(ws->res, s + off, n + 1 - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    pthread_mutex_unlock(&ws->write_mu);
    free(s);
}

static void prepare(struct worker_state *ws, struct flight *f)
{
    f->work = NULL;
    f->failed = cb_case_prepare(&ws->r, &ws->plan->v[f->idx].c, ws->next_slot++, &f->work, f->err, sizeof(f->err)) != 0;
}

/* judge writes |f|'s results line (an error line when a stage failed) and
 * ends the case. */
static void judge(struct worker_state *ws, struct flight *f)
{
    json_t *out = NULL;
    if (!f->failed && cb_case_judge(&ws->r, f->work, &out, f->err, sizeof(f->err)) != 0)
        f->failed = 1;
    if (f->failed)
        out = cb_error_line(&ws->plan->v[f->idx].c, f->err);
    write_line(ws, out, f->idx);
    cb_case_work_free(f->work);
    f->work = NULL;
    f->idx = -1;
}

static void *helper(void *arg)
{
    struct worker_state *ws = arg;
    pthread_mutex_lock(&ws->mu);
    for (;;) {
        while (!ws->job && !ws->quit)
            pthread_cond_wait(&ws->cv, &ws->mu);
        if (!ws->job)
            break;
        pthread_mutex_unlock(&ws->mu);
        if (ws->judge.idx >= 0)
            judge(ws, &ws->judge);
        if (ws->prep.idx >= 0)
            prepare(ws, &ws->prep);
        pthread_mutex_lock(&ws->mu);
        ws->job = 0;
        ws->done = 1;
        pthread_cond_broadcast(&ws->cv);
    }
    pthread_mutex_unlock(&ws->mu);
    return NULL;
}

/* Plan indexes arrive one per line. next_index returns the next one; -1 at
 * the end of the pipe; -2 when |wait| is 0 and none has arrived yet. */
struct index_reader {
    int fd;
    char buf[4096];
    size_t len;
    int eof;
};

static long next_index(struct index_reader *in, const cb_plan *plan, int wait)
{
    for (;;) {
        char *nl = memchr(in->buf, '\n', in->len);
        if (nl) {
            *nl = 0;
            long i = strtol(in->buf, NULL, 10);
            size_t used = (size_t)(nl - in->buf) + 1;
            memmove(in->buf, nl + 1, in->len - used);
            in->len -= used;
            if (i < 0 || (size_t)i >= plan->n)
                continue;
            return i;
        }
        if (in->eof || in->len == sizeof(in->buf))
            return -1;
        struct pollfd p = {in->fd, POLLIN, 0};
        if (!wait && poll(&p, 1, 0) <= 0)
            return -2;
        ssize_t n = read(in->fd, in->buf + in->len, sizeof(in->buf) - in->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            in->eof = 1;
        else
            in->len += (size_t)n;
    }
}

void cb_worker_main(int cmd, int res, const cb_plan *plan, const char *out_dir, int keep, int pipeline)
{
    /* A run killed with SIGKILL takes its workers along (and they their shims). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    static struct worker_state ws;
    char work[4200];
    snprintf(work, sizeof(work), "%s/work", out_dir);
    ws.plan = plan;
    ws.res = res;
    cb_runner_init(&ws.r, cb_shim_dir(), work, out_dir);
    cb_repro_self(cb_self_dir(), repro_self, sizeof(repro_self));
    ws.r.cabound = repro_self;
    ws.r.keep_captures = keep;
    ws.r.case_no = (unsigned)getpid() * 100000u;
    pthread_mutex_init(&ws.write_mu, NULL);
    pthread_mutex_init(&ws.mu, NULL);
    pthread_cond_init(&ws.cv, NULL);
    ws.judge.idx = ws.prep.idx = -1;
    pthread_t th;
    int threaded = pipeline && pthread_create(&th, NULL, helper, &ws) == 0;

    struct index_reader in = {cmd, {0}, 0, 0};
    struct flight cur = {-1, NULL, "", 0};
    for (;;) {
        if (cur.idx < 0) {
            /* Nothing prepared: the helper is idle; wait for work. */
            if (ws.judge.idx >= 0)
                judge(&ws, &ws.judge);
            cur.idx = next_index(&in, plan, 1);
            if (cur.idx < 0)
                break;
            prepare(&ws, &cur);
        }
        /* Hand the helper the last case to judge and the next to prepare. */
        long nxt = threaded ? next_index(&in, plan, 0) : -2;
        if (threaded) {
            pthread_mutex_lock(&ws.mu);
            ws.prep.idx = nxt >= 0 ? nxt : -1;
            ws.job = 1;
            ws.done = 0;
            pthread_cond_broadcast(&ws.cv);
            pthread_mutex_unlock(&ws.mu);
        }
        if (!cur.failed && cb_case_exchange(&ws.r, cur.work, cur.err, sizeof(cur.err)) != 0)
            cur.failed = 1;
        if (threaded) {
            pthread_mutex_lock(&ws.mu);
            while (!ws.done)
                pthread_cond_wait(&ws.cv, &ws.mu);
            pthread_mutex_unlock(&ws.mu);
        }
        ws.judge = cur;
        if (!threaded)
            judge(&ws, &ws.judge);
        if (nxt >= 0) {
            cur = ws.prep;
            ws.prep.idx = -1;
            ws.prep.work = NULL;
        } else {
            cur.idx = -1;
            cur.work = NULL;
            cur.failed = 0;
            if (nxt == -1) { /* the pipe ended: judge the last case and stop */
                if (ws.judge.idx >= 0)
                    judge(&ws, &ws.judge);
                break;
            }
        }
    }
    if (threaded) {
        pthread_mutex_lock(&ws.mu);
        ws.quit = 1;
        pthread_cond_broadcast(&ws.cv);
        pthread_mutex_unlock(&ws.mu);
        pthread_join(th, NULL);
    }
    cb_runner_close(&ws.r);
    _exit(0);
}
