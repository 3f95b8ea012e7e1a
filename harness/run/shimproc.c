#define _GNU_SOURCE
#include "shimproc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_REPLY (1 << 20)
/* How long a process's first request may wait for its connection beyond the
 * case's own timeout: a JVM or a BEAM starts in that time. */
#define STARTUP_MS 15000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int cb_transport_parse(const char *name, cb_transport *out)
{
    if (!name || strcmp(name, "seqpacket") == 0)
        *out = CB_TRANSPORT_SEQPACKET;
    else if (strcmp(name, "stream") == 0)
        *out = CB_TRANSPORT_STREAM;
    else
        return -1;
    return 0;
}

void cb_shimproc_init(cb_shimproc *s, const char *stack, const char *path, const char *log, cb_transport transport)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->stack, sizeof(s->stack), "%s", stack);
    snprintf(s->path, sizeof(s->path), "%s", path);
    snprintf(s->log, sizeof(s->log), "%s", log);
    s->transport = transport;
    s->ctl = s->req = s->lsn = -1;
}

const char *cb_signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGPIPE: return "SIGPIPE";
    case SIGTRAP: return "SIGTRAP";
    default: {
        static __thread char buf[16];
        snprintf(buf, sizeof(buf), "SIG%d", sig);
        return buf;
    }
    }
}

/* listen_loopback makes the stream transport's listening socket: TCP on
 * 127.0.0.1, a port the kernel picks, non-blocking (accepted with a poll). */
static int listen_loopback(char *err, size_t errlen, const char *stack)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 8) != 0) {
        snprintf(err, errlen, "%s: loopback listen: %s", stack, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int cb_shimproc_start(cb_shimproc *s, char *err, size_t errlen)
{
    if (s->pid > 0)
        return 0;
    int stream = s->transport == CB_TRANSPORT_STREAM;
    /* seqpacket: sv[0] ours, sv[1] the shim's fd 3. stream: in[] the shim's
     * stdin (we write in[1]), out[] its stdout (we read out[0]). */
    int sv[2] = {-1, -1}, in[2] = {-1, -1}, out[2] = {-1, -1}, lsn = -1;
    if (stream) {
        if ((lsn = listen_loopback(err, errlen, s->stack)) < 0)
            return -1;
        if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
            snprintf(err, errlen, "%s: pipe: %s", s->stack, strerror(errno));
            goto fail;
        }
    } else if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "%s: socketpair: %s", s->stack, strerror(errno));
        return -1;
    }
    int logfd = open(s->log[0] ? s->log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0)
        logfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "%s: fork: %s", s->stack, strerror(errno));
        if (logfd >= 0)
            close(logfd);
        goto fail;
    }
    if (pid == 0) {
        /* seqpacket: the control socket on fd 3, nothing on stdin, stdout to
         * the log. stream: requests on stdin, replies on stdout, no fd 3.
         * Its own process group, so a kill reaches anything it started. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the harness */
        if (stream) {
            dup2(in[0], 0);
            dup2(out[1], 1);
        } else {
            int devnull = open("/dev/null", O_RDONLY);
            dup2(devnull, 0);
            dup2(logfd, 1);
            dup2(sv[1], 3);
        }
        dup2(logfd, 2);
        for (int fd = stream ? 3 : 4; fd < 1024; fd++)
            close(fd);
        signal(SIGPIPE, SIG_DFL);
        execl(s->path, s->path, "--serve", (char *)NULL);
        fprintf(stderr, "cabound: exec %s: %s\n", s->path, strerror(errno));
        _exit(127);
    }
    if (logfd >= 0)
        close(logfd);
    s->pid = pid;
    s->cases = 0;
    s->line_len = 0;
    if (stream) {
        close(in[0]);
        close(out[1]);
        fcntl(out[0], F_SETFL, O_NONBLOCK);
        fcntl(in[1], F_SETFL, O_NONBLOCK);
        s->ctl = out[0];
        s->req = in[1];
        s->lsn = lsn;
    } else {
        close(sv[1]);
        s->ctl = sv[0];
    }
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (sv[i] >= 0)
            close(sv[i]);
        if (in[i] >= 0)
            close(in[i]);
        if (out[i] >= 0)
            close(out[i]);
    }
    if (lsn >= 0)
        close(lsn);
    return -1;
}

int cb_shimproc_send(cb_shimproc *s, const char *request, int fd)
{
    struct iovec iov = {(void *)request, strlen(request)};
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int))];
    } ctl;
    memset(&ctl, 0, sizeof(ctl));
    struct msghdr msg = {0};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.b;
    msg.msg_controllen = sizeof(ctl.b);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(s->ctl, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    s->cases++;
    return 0;
}

static int open_seqpacket(cb_shimproc *s, const char *request, int *relay_fd, char *why, size_t whylen)
{
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
        snprintf(why, whylen, "socketpair: %s", strerror(errno));
        return -1;
    }
    int rc = cb_shimproc_send(s, request, sp[1]);
    close(sp[1]);
    if (rc != 0) {
        close(sp[0]);
        snprintf(why, whylen, "gone before the request");
        return -1;
    }
    *relay_fd = sp[0];
    return 0;
}

/* stream_request returns |request| with "contract": 2 and "connect" set, as
 * one line (malloc'd), or NULL when it is not a JSON object. */
static char *stream_request(const char *request, int port, int *timeout_ms)
{
    json_t *o = json_loads(request, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return NULL;
    }
    json_t *t = json_object_get(o, "timeout_ms");
    *timeout_ms = json_is_integer(t) ? (int)json_integer_value(t) : 5000;
    char where[32];
    snprintf(where, sizeof(where), "127.0.0.1:%d", port);
    json_object_set_new(o, "contract", json_integer(2));
    json_object_set_new(o, "connect", json_string(where));
    /* JSON_COMPACT never writes a raw newline (strings escape it). */
    char *line = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return line;
}

/* write_line writes |line| and a newline to the shim's stdin by |deadline|. */
static int write_line(cb_shimproc *s, const char *line, double deadline)
{
    size_t len = strlen(line), off = 0;
    while (off <= len) {
        const char *p = off < len ? line + off : "\n";
        size_t n = off < len ? len - off : 1;
        ssize_t w = write(s->req, p, n);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return -1; /* EPIPE: it is gone */
        double left = deadline - now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p1 = {s->req, POLLOUT, 0};
        poll(&p1, 1, (int)left + 1);
    }
    return 0;
}

/* drain_stale accepts and closes connections left in the backlog (a shim
 * that connected twice for one request must not feed the next case) and
 * forgets any bytes after the last reply line. */
static void drain_stale(cb_shimproc *s)
{
    int fd;
    while ((fd = accept4(s->lsn, NULL, NULL, SOCK_CLOEXEC)) >= 0)
        close(fd);
    s->line_len = 0;
}

static int open_stream(cb_shimproc *s, const char *request, int *relay_fd, char *why, size_t whylen)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    if (getsockname(s->lsn, (struct sockaddr *)&a, &alen) != 0) {
        snprintf(why, whylen, "getsockname: %s", strerror(errno));
        return -1;
    }
    int timeout_ms = 5000;
    char *line = stream_request(request, ntohs(a.sin_port), &timeout_ms);
    if (!line) {
        snprintf(why, whylen, "the request is not a JSON object");
        return -1;
    }
    double deadline = now_ms() + timeout_ms + 2000 + (s->cases == 0 ? STARTUP_MS : 0);
    drain_stale(s);
    int rc = write_line(s, line, deadline);
    free(line);
    if (rc != 0) {
        snprintf(why, whylen, "gone before the request");
        return -1;
    }
    s->cases++;
    /* Wait for the one connection, watching stdout: by the contract the
     * shim connects before it writes anything, so a readable stdout with no
     * connection queued is a reply (or its death) without one. */
    for (;;) {
        int fd = accept4(s->lsn, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            *relay_fd = fd;
            return 0;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED) {
            snprintf(why, whylen, "accept: %s", strerror(errno));
            return -1;
        }
        double left = deadline - now_ms();
        if (left <= 0) {
            snprintf(why, whylen, "never connected");
            return -1;
        }
        struct pollfd p[2] = {{s->lsn, POLLIN, 0}, {s->ctl, POLLIN, 0}};
        if (poll(p, 2, (int)left + 1) < 0 && errno != EINTR) {
            snprintf(why, whylen, "poll: %s", strerror(errno));
            return -1;
        }
        if (p[0].revents & POLLIN)
            continue;
        if (p[1].revents & POLLIN) {
            char b[1];
            ssize_t n = read(s->ctl, b, 1);
            snprintf(why, whylen, "%s", n > 0 ? "replied without connecting" : "died without connecting");
            return -1;
        }
        if (p[1].revents & (POLLHUP | POLLERR)) {
            snprintf(why, whylen, "died without connecting");
            return -1;
        }
    }
}

int cb_shimproc_open(cb_shimproc *s, const char *request, int *relay_fd, char *why, size_t whylen)
{
    *relay_fd = -1;
    if (s->transport == CB_TRANSPORT_STREAM)
        return open_stream(s, request, relay_fd, why, whylen);
    return open_seqpacket(s, request, relay_fd, why, whylen);
}

static int recv_seqpacket(cb_shimproc *s, char **reply)
{
    char *buf = malloc(MAX_REPLY + 1);
    if (!buf)
        return -1;
    ssize_t n;
    do
        n = recv(s->ctl, buf, MAX_REPLY, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        free(buf);
        return -1;
    }
    buf[n] = 0;
    *reply = buf;
    return 1;
}

/* recv_stream adds what the pipe holds to the line being assembled, and
 * hands out the line once its newline has come. */
static int recv_stream(cb_shimproc *s, char **reply, char *why, size_t whylen)
{
    for (;;) {
        if (s->line_cap < MAX_REPLY + 1) {
            char *n = realloc(s->line, MAX_REPLY + 1);
            if (!n) {
                snprintf(why, whylen, "out of memory for its reply");
                return -1;
            }
            s->line = n;
            s->line_cap = MAX_REPLY + 1;
        }
        char *nl = memchr(s->line, '\n', s->line_len);
        if (nl) {
            size_t len = (size_t)(nl - s->line);
            char *out = malloc(len + 1);
            if (!out) {
                snprintf(why, whylen, "out of memory for its reply");
                return -1;
            }
            memcpy(out, s->line, len);
            out[len] = 0;
            memmove(s->line, nl + 1, s->line_len - len - 1);
            s->line_len -= len + 1;
            *reply = out;
            return 1;
        }
        if (s->line_len >= MAX_REPLY) {
            snprintf(why, whylen, "reply line over 1 MiB");
            return -1;
        }
        ssize_t n = read(s->ctl, s->line + s->line_len, MAX_REPLY - s->line_len);
        if (n > 0) {
            s->line_len += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        return -1; /* EOF: it closed its stdout (died or exited) */
    }
}

int cb_shimproc_recv(cb_shimproc *s, char **reply, char *why, size_t whylen)
{
    *reply = NULL;
    if (whylen)
        why[0] = 0;
    if (s->transport == CB_TRANSPORT_STREAM)
        return recv_stream(s, reply, why, whylen);
    return recv_seqpacket(s, reply);
}

static void close_ctl(cb_shimproc *s)
{
    /* The shim's stdin first: EOF there ends a stream shim's loop. */
    if (s->req >= 0)
        close(s->req);
    if (s->ctl >= 0)
        close(s->ctl);
    if (s->lsn >= 0)
        close(s->lsn);
    s->ctl = s->req = s->lsn = -1;
    free(s->line);
    s->line = NULL;
    s->line_len = s->line_cap = 0;
}

void cb_shimproc_reap(cb_shimproc *s, int ms, char *why, size_t whylen)
{
    close_ctl(s);
    if (s->pid <= 0) {
        if (why)
            snprintf(why, whylen, "not running");
        return;
    }
    int status = 0;
    pid_t r = 0;
    for (int waited = 0; waited <= ms; waited += 5) {
        r = waitpid(s->pid, &status, WNOHANG);
        if (r != 0)
            break;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (r == 0) {
        kill(-s->pid, SIGKILL);
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
        if (why)
            snprintf(why, whylen, "timeout");
    } else if (why) {
        if (r < 0)
            snprintf(why, whylen, "lost");
        else if (WIFSIGNALED(status))
            snprintf(why, whylen, "crash:%s", cb_signal_name(WTERMSIG(status)));
        else
            snprintf(why, whylen, "exit:%d", WEXITSTATUS(status));
    }
    /* Anything the shim left in its process group goes too. */
    kill(-s->pid, SIGKILL);
    s->pid = 0;
}

void cb_shimproc_kill(cb_shimproc *s)
{
    if (s->pid > 0) {
        kill(-s->pid, SIGKILL);
        kill(s->pid, SIGKILL);
    }
    cb_shimproc_reap(s, 1000, NULL, 0);
}

void cb_shimproc_stop(cb_shimproc *s) { cb_shimproc_reap(s, 2000, NULL, 0); }
