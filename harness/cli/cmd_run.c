/* cabound run — the main job: every default suite over every installed
 * stack, in both TLS versions, with results written as cases finish. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "case.h"
#include "commands.h"
#include "flags.h"
#include "outcome.h"
#include "paths.h"
#include "plan.h"
#include "report.h"
#include "run_session.h"
#include "run_worker.h"
#include "shquote.h"
#include "stacks.h"

/* A worker holds up to QUEUE_DEPTH cases: one it judges, one whose
 * handshake runs, one it prepares (run_worker.c), and it never waits for
 * the parent to record a line. Lines come back in the order sent, so the
 * first queued case is the oldest unfinished one. */
#define QUEUE_DEPTH 3

struct worker {
    pid_t pid;
    int cmd;  /* parent -> worker: case indexes */
    int res;  /* worker -> parent: results lines */
    long q[QUEUE_DEPTH]; /* indexes sent, in order */
    int nq;
    char *buf;
    size_t len, cap;
};

static int spawn(struct worker *w, const cb_plan *plan, const char *out_dir, int keep, struct worker *all, size_t n_all)
{
    int c[2], r[2];
    if (pipe2(c, O_CLOEXEC) != 0 || pipe2(r, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        for (size_t i = 0; i < n_all; i++)
            if (&all[i] != w && all[i].pid > 0) {
                close(all[i].cmd);
                close(all[i].res);
            }
        close(c[1]);
        close(r[0]);
        cb_worker_main(c[0], r[1], plan, out_dir, keep, n_all < (size_t)sysconf(_SC_NPROCESSORS_ONLN));
    }
    close(c[0]);
    close(r[1]);
    w->pid = pid;
    w->cmd = c[1];
    w->res = r[0];
    w->nq = 0;
    w->len = 0;
    return 0;
}

static int send_index(struct worker *w, long i)
{
    char line[32];
    int n = snprintf(line, sizeof(line), "%ld\n", i);
    if (write(w->cmd, line, (size_t)n) != n)
        return -1;
    w->q[w->nq++] = i;
    return 0;
}

int cmd_run(int argc, char **argv)
{
    cb_run_opts o;
    cb_run_opts_init(&o);
    int rc = cb_run_opts_parse(&o, argc, argv);
    if (rc >= 0)
        return rc;
    cb_run_env env;
    if (cb_run_env_open(&o, &env) != 0) {
        cb_run_env_close(&env);
        return CB_EXIT_USAGE;
    }
    if (o.list_only) {
        for (size_t i = 0; i < env.plan.n; i++) {
            char id[512];
            cb_case_id(&env.plan.v[i].c, id, sizeof(id));
            printf("%s%s%s\n", id, env.plan.v[i].unsupported[0] ? "  (unsupported: " : "",
                   env.plan.v[i].unsupported[0] ? env.plan.v[i].unsupported : "");
            if (env.plan.v[i].unsupported[0])
                fputs("", stdout);
        }
        cb_run_env_close(&env);
        return CB_EXIT_OK;
    }
    signal(SIGPIPE, SIG_IGN);
    size_t todo = 0;
    for (size_t i = 0; i < env.plan.n; i++)
        todo += !env.done[i];
    cb_progress prog;
    cb_progress_init(&prog, todo, o.quiet);
    /* Cases the stacks cannot run are recorded without a handshake. */
    for (size_t i = 0; i < env.plan.n; i++)
        if (!env.done[i] && env.plan.v[i].unsupported[0]) {
            json_t *l = cb_unsupported_line(&env.plan.v[i].c, env.plan.v[i].unsupported);
            json_object_set_new(l, "plan_index", json_integer((json_int_t)i));
            cb_run_env_record(&env, l);
            env.done[i] = 1;
            cb_progress_step(&prog, "unsupported");
        }
    size_t jobs = o.jobs;
    struct worker *w = calloc(jobs, sizeof(*w));
    size_t next = 0;
    for (size_t k = 0; k < jobs; k++)
        if (spawn(&w[k], &env.plan, env.out_dir, o.keep_captures, w, jobs) != 0) {
            fprintf(stderr, "cabound run: cannot start worker: %s\n", strerror(errno));
            return CB_EXIT_USAGE;
        }
    while (!env.write_failed) {
        /* Hand out work. */
        for (int depth = 1; depth <= QUEUE_DEPTH; depth++) /* every worker busy before any queues */
            for (size_t k = 0; k < jobs; k++) {
                if (w[k].pid <= 0 || w[k].nq >= depth)
                    continue;
                while (next < env.plan.n && env.done[next])
                    next++;
                if (next < env.plan.n)
                    send_index(&w[k], (long)next++);
            }
        int busy = 0;
        struct pollfd pfd[64];
        for (size_t k = 0; k < jobs; k++) {
            pfd[k] = (struct pollfd){w[k].nq > 0 ? w[k].res : -1, POLLIN, 0};
            busy |= w[k].nq > 0;
        }
        if (!busy)
            break;
        if (poll(pfd, (nfds_t)jobs, 1000) < 0 && errno != EINTR)
            break;
        for (size_t k = 0; k < jobs; k++) {
            if (w[k].nq == 0 || !(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (w[k].cap - w[k].len < 65536) {
                w[k].cap = w[k].cap ? w[k].cap * 2 : 1 << 20;
                w[k].buf = realloc(w[k].buf, w[k].cap);
            }
            ssize_t got = read(w[k].res, w[k].buf + w[k].len, w[k].cap - w[k].len);
            if (got > 0) {
                w[k].len += (size_t)got;
                char *nl;
                while ((nl = memchr(w[k].buf, '\n', w[k].len)) != NULL) {
                    *nl = 0;
                    json_error_t je;
                    json_t *l = json_loads(w[k].buf, 0, &je);
                    size_t used = (size_t)(nl - w[k].buf) + 1;
                    memmove(w[k].buf, nl + 1, w[k].len - used);
                    w[k].len -= used;
                    if (!l)
                        continue;
                    long idx = (long)json_integer_value(json_object_get(l, "plan_index"));
                    const char *oc = cb_run_env_record(&env, l);
                    if (idx >= 0 && (size_t)idx < env.plan.n)
                        env.done[idx] = 1;
                    if (w[k].nq > 0)
                        memmove(w[k].q, w[k].q + 1, (size_t)--w[k].nq * sizeof(w[k].q[0]));
                    cb_progress_step(&prog, oc);
                }
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                /* The worker died mid-case: that case is an error, the rest go on. */
                int st = 0;
                waitpid(w[k].pid, &st, 0);
                char why[200];
                snprintf(why, sizeof(why), "harness worker died (%s %d) while running this case",
                         WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
                long idx = w[k].q[0];
                json_t *l = cb_error_line(&env.plan.v[idx].c, why);
                json_object_set_new(l, "plan_index", json_integer(idx));
                cb_progress_step(&prog, cb_run_env_record(&env, l));
                env.done[idx] = 1;
                close(w[k].cmd);
                close(w[k].res);
                w[k].pid = 0;
                /* The cases queued behind it go to the new worker. */
                long queued[QUEUE_DEPTH];
                int nqueued = w[k].nq - 1;
                memcpy(queued, w[k].q + 1, (size_t)nqueued * sizeof(queued[0]));
                if (spawn(&w[k], &env.plan, env.out_dir, o.keep_captures, w, jobs) == 0)
                    for (int qi = 0; qi < nqueued; qi++)
                        send_index(&w[k], queued[qi]);
                else if (nqueued > 0 && (size_t)queued[0] < next)
                    next = (size_t)queued[0]; /* handed out again to the others */
            }
        }
    }
    for (size_t k = 0; k < jobs; k++) {
        if (w[k].pid > 0) {
            close(w[k].cmd);
            close(w[k].res);
            /* A worker ends after the cases it holds (its closed results
             * pipe discards them when the run stopped on a write error),
             * and stops its shims itself. */
            waitpid(w[k].pid, NULL, 0);
        }
        free(w[k].buf);
    }
    free(w);
    cb_progress_done(&prog);
    if (env.write_failed) {
        char q[4200] = "";
        cb_shquote(q, sizeof(q), env.out_dir);
        fprintf(stderr,
                "cabound run: stopped: the %zu results this run wrote before stay in %s/results.jsonl; "
                "continue with --resume --out %s once it can be written\n",
                env.written, env.out_dir, q);
        cb_run_env_close(&env);
        return CB_EXIT_USAGE;
    }
    int status = cb_run_env_finish(&env, &o);
    cb_run_env_close(&env);
    return status;
}
