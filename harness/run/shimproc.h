/* shimproc.h — one shim process in request-loop mode (see
 * harness/stacks/README.md): start it, hand it a request and a connection,
 * read its observation, and account for every way it can fail. Two
 * transports: seqpacket (requests on fd 3 with the connection attached by
 * SCM_RIGHTS) and stream (requests on stdin, replies on stdout, one JSON
 * object a line; the shim connects to a loopback port the harness accepts
 * per request: for runtimes that cannot take an fd, such as a JVM). */
#ifndef CABOUND_SHIMPROC_H
#define CABOUND_SHIMPROC_H

#include <stddef.h>
#include <sys/types.h>

/* The transport a shim declares in its --describe ("transport"; absent
 * means seqpacket). */
typedef enum cb_transport { CB_TRANSPORT_SEQPACKET, CB_TRANSPORT_STREAM } cb_transport;

/* cb_transport_parse maps a --describe "transport" value (NULL: absent) to
 * |*out|. Returns 0, or -1 for a name this harness does not speak. */
int cb_transport_parse(const char *name, cb_transport *out);

typedef struct cb_shimproc {
    char stack[64];   /* stack id, e.g. "openssl" */
    char path[4096];  /* executable */
    char log[4096];   /* stderr goes here (appended); empty: /dev/null */
    cb_transport transport;
    pid_t pid;        /* 0 when not running */
    int ctl;          /* seqpacket: the control socket; stream: the read end of the shim's stdout */
    int req;          /* stream: the write end of the shim's stdin; else -1 */
    int lsn;          /* stream: the listening TCP socket on 127.0.0.1; else -1 */
    char *line;       /* stream: the reply line being assembled */
    size_t line_len, line_cap;
    unsigned cases;   /* cases served by this process */
} cb_shimproc;

/* cb_shimproc_init readies |s| (not running) for stack |stack|'s shim at
 * |path| with stderr to |log| ("" for none), speaking |transport|. */
void cb_shimproc_init(cb_shimproc *s, const char *stack, const char *path, const char *log, cb_transport transport);

/* cb_shimproc_start starts the shim if it is not running. Returns 0, or -1
 * with a message in |err|. */
int cb_shimproc_start(cb_shimproc *s, char *err, size_t errlen);

/* cb_shimproc_send sends one request with |fd| attached (seqpacket
 * transport only). Returns 0, or -1 (the shim is gone: call cb_shimproc_reap). */
int cb_shimproc_send(cb_shimproc *s, const char *request, int fd);

/* cb_shimproc_open hands the shim one request and the TLS connection it is
 * about, in the shim's transport (see harness/stacks/README.md), and stores
 * the harness's end of that connection in |*relay_fd|. For the stream
 * transport it adds "connect" (and "contract": 2) to the request, writes it
 * as one line, and waits (the request's timeout_ms plus 2 s, plus 15 s of
 * start-up on a process's first request) for the shim's one connection,
 * watching its stdout and its death meanwhile. Returns 0, or -1 with a
 * reason in |why| (*relay_fd stays -1; the shim is gone or broke the
 * contract: call cb_shimproc_reap). */
int cb_shimproc_open(cb_shimproc *s, const char *request, int *relay_fd, char *why, size_t whylen);

/* cb_shimproc_recv reads what the shim wrote (call it after poll said ctl
 * is readable; it never blocks). Returns 1 with a whole reply in |*reply|
 * (malloc'd; the caller frees it); 0 when only part of a reply line has come
 * so far (stream transport: poll again); -1 when the shim closed its end
 * (|why| is "") or broke the contract (|why| says how, e.g. a reply line
 * over 1 MiB: kill it). */
int cb_shimproc_recv(cb_shimproc *s, char **reply, char *why, size_t whylen);

/* cb_shimproc_kill kills the shim (SIGKILL) and reaps it. */
void cb_shimproc_kill(cb_shimproc *s);

/* cb_shimproc_reap waits up to |ms| for the shim to exit (killing it after
 * that) and describes how it ended into |why|: "exit:N" or "crash:SIGSEGV".
 * The process slot is then free for cb_shimproc_start. */
void cb_shimproc_reap(cb_shimproc *s, int ms, char *why, size_t whylen);

/* cb_shimproc_stop ends a healthy shim: closes the control socket or its
 * stdin (its loop sees EOF) and reaps it. */
void cb_shimproc_stop(cb_shimproc *s);

/* cb_signal_name returns "SIGSEGV" etc. */
const char *cb_signal_name(int sig);

#endif
