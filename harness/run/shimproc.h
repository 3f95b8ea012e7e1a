/* shimproc.h — one shim process in request-loop mode (see
 * harness/stacks/README.md): start it, hand it a request and a connection,
 * read its observation, and account for every way it can fail. */
#ifndef CABOUND_SHIMPROC_H
#define CABOUND_SHIMPROC_H

#include <stddef.h>
#include <sys/types.h>

typedef struct cb_shimproc {
    char stack[64];   /* stack id, e.g. "openssl" */
    char path[4096];  /* executable */
    char log[4096];   /* stderr goes here (appended); empty: /dev/null */
    pid_t pid;        /* 0 when not running */
    int ctl;          /* harness end of the SOCK_SEQPACKET control socket */
    unsigned cases;   /* cases served by this process */
} cb_shimproc;

/* cb_shimproc_start starts the shim if it is not running. Returns 0, or -1
 * with a message in |err|. */
int cb_shimproc_start(cb_shimproc *s, char *err, size_t errlen);

/* cb_shimproc_send sends one request with |fd| attached. Returns 0, or -1
 * (the shim is gone: call cb_shimproc_reap). */
int cb_shimproc_send(cb_shimproc *s, const char *request, int fd);

/* cb_shimproc_open hands the shim one request and the TLS connection it is
 * about, in the shim's transport (see harness/stacks/README.md), and stores
 * the harness's end of that connection in |*relay_fd|. Returns 0, or -1 with
 * a reason in |why| (*relay_fd stays -1; the shim is gone or broke the
 * contract: call cb_shimproc_reap). */
int cb_shimproc_open(cb_shimproc *s, const char *request, int *relay_fd, char *why, size_t whylen);

/* cb_shimproc_recv reads one reply (after poll said ctl is readable) into a
 * malloc'd string. Returns the string, or NULL when the shim closed its end
 * (it died or exited). */
char *cb_shimproc_recv(cb_shimproc *s);

/* cb_shimproc_kill kills the shim (SIGKILL) and reaps it. */
void cb_shimproc_kill(cb_shimproc *s);

/* cb_shimproc_reap waits up to |ms| for the shim to exit (killing it after
 * that) and describes how it ended into |why|: "exit:N" or "crash:SIGSEGV".
 * The process slot is then free for cb_shimproc_start. */
void cb_shimproc_reap(cb_shimproc *s, int ms, char *why, size_t whylen);

/* cb_shimproc_stop ends a healthy shim: closes the control socket (its loop
 * sees EOF) and reaps it. */
void cb_shimproc_stop(cb_shimproc *s);

/* cb_signal_name returns "SIGSEGV" etc. */
const char *cb_signal_name(int sig);

#endif
