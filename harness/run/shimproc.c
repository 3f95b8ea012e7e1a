#define _GNU_SOURCE
#include "shimproc.h"

#include <errno.h>
#include <fcntl.h>
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

int cb_shimproc_start(cb_shimproc *s, char *err, size_t errlen)
{
    if (s->pid > 0)
        return 0;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        snprintf(err, errlen, "%s: socketpair: %s", s->stack, strerror(errno));
        return -1;
    }
    int logfd = open(s->log[0] ? s->log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0)
        logfd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "%s: fork: %s", s->stack, strerror(errno));
        close(sv[0]);
        close(sv[1]);
        if (logfd >= 0)
            close(logfd);
        return -1;
    }
    if (pid == 0) {
        /* The shim gets the control socket on fd 3, nothing on stdin, and
         * its own process group so a kill reaches anything it started. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the harness */
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(logfd, 1);
        dup2(logfd, 2);
        dup2(sv[1], 3);
        for (int fd = 4; fd < 1024; fd++)
            close(fd);
        signal(SIGPIPE, SIG_DFL);
        execl(s->path, s->path, "--serve", (char *)NULL);
        fprintf(stderr, "cabound: exec %s: %s\n", s->path, strerror(errno));
        _exit(127);
    }
    close(sv[1]);
    if (logfd >= 0)
        close(logfd);
    s->pid = pid;
    s->ctl = sv[0];
    s->cases = 0;
    return 0;
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

int cb_shimproc_open(cb_shimproc *s, const char *request, int *relay_fd, char *why, size_t whylen)
{
    *relay_fd = -1;
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

char *cb_shimproc_recv(cb_shimproc *s)
{
    char *buf = malloc(MAX_REPLY + 1);
    if (!buf)
        return NULL;
    ssize_t n;
    do
        n = recv(s->ctl, buf, MAX_REPLY, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

static void close_ctl(cb_shimproc *s)
{
    if (s->ctl >= 0)
        close(s->ctl);
    s->ctl = -1;
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
