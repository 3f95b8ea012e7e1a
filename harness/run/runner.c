/* runner.c — what lives across the cases of a run: the shim processes (one
 * per stack and role, started once), the per-run scratch directory, and the
 * sweep that leaves no process a shim started behind. */
#define _GNU_SOURCE
#include "case.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "contain.h"
#include "fileio.h"
#include "stacks.h"

void cb_runner_init(cb_runner *r, const char *shim_dir, const char *work_dir, const char *out_dir)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->shim_dir, sizeof(r->shim_dir), "%s", shim_dir);
    snprintf(r->work_dir, sizeof(r->work_dir), "%s", work_dir);
    snprintf(r->out_dir, sizeof(r->out_dir), "%s", out_dir);
    r->keep_captures = 1;
    r->cabound = "build/cabound";
    cb_contain_init();
}

/* sweep kills whatever a shim left behind outside its process group: every
 * child of this process that is not one of the runner's shims. */
void cb_runner_sweep(cb_runner *r)
{
    pid_t keep[sizeof(r->slots) / sizeof(r->slots[0])];
    size_t n = 0;
    for (size_t i = 0; i < r->n_slots; i++)
        if (r->slots[i].proc.pid > 0)
            keep[n++] = r->slots[i].proc.pid;
    cb_contain_sweep(keep, n);
}

void cb_runner_close(cb_runner *r)
{
    for (size_t i = 0; i < r->n_slots; i++)
        cb_shimproc_stop(&r->slots[i].proc);
    r->n_slots = 0;
    cb_runner_sweep(r);
    if (r->scratch[0]) {
        char p[4200];
        for (unsigned i = 0; i < CB_SCRATCH_SLOTS; i++) {
            snprintf(p, sizeof(p), "%s/keylog-%u.txt", r->scratch, i);
            unlink(p);
            snprintf(p, sizeof(p), "%s/received-%u.calist", r->scratch, i);
            unlink(p);
        }
        rmdir(r->scratch);
        r->scratch[0] = 0;
    }
}

/* scratch_dir makes, once per runner, the directory for per-case files: on
 * tmpfs (/dev/shm) when there is one, since creating and removing files on a
 * disk file system per case was a visible part of a case's cost. */
const char *cb_runner_scratch(cb_runner *r)
{
    if (r->scratch[0])
        return r->scratch;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : r->work_dir;
    snprintf(r->scratch, sizeof(r->scratch), "%s/cabound-%d-%p", base, (int)getpid(), (void *)r);
    if (cb_mkdirs(r->scratch) != 0) {
        snprintf(r->scratch, sizeof(r->scratch), "%s/cases-%d", r->work_dir, (int)getpid());
        cb_mkdirs(r->scratch);
    }
    return r->scratch;
}

int cb_shim_path(const char *shim_dir, const char *id, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s/cabound-shim-%s", shim_dir, id);
    return access(out, X_OK);
}

cb_shimproc *cb_runner_slot(cb_runner *r, const char *stack, int role)
{
    for (size_t i = 0; i < r->n_slots; i++)
        if (r->slots[i].role == role && strcmp(r->slots[i].stack, stack) == 0)
            return &r->slots[i].proc;
    if (r->n_slots == sizeof(r->slots) / sizeof(r->slots[0])) {
        /* Evict the oldest: a run rarely needs more than 2 x 12 stacks. */
        cb_shimproc_stop(&r->slots[0].proc);
        memmove(&r->slots[0], &r->slots[1], (r->n_slots - 1) * sizeof(r->slots[0]));
        r->n_slots--;
    }
    cb_shim_slot *s = &r->slots[r->n_slots++];
    memset(s, 0, sizeof(*s));
    snprintf(s->stack, sizeof(s->stack), "%s", stack);
    s->role = role;
    char path[sizeof(s->proc.path)], log[sizeof(s->proc.log)];
    cb_shim_path(r->shim_dir, stack, path, sizeof(path));
    snprintf(log, sizeof(log), "%s/shim-%s-%s.log", r->work_dir, stack, role ? "client" : "server");
    cb_shimproc_init(&s->proc, stack, path, log, cb_stack_transport(r->shim_dir, stack));
    return &s->proc;
}

