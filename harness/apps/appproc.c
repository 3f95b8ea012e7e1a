/* appproc.c — see appproc.h. */
#define _GNU_SOURCE
#include "appproc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int cb_app_start(cb_app *a, char *const argv[], const char *log, char *err, size_t errlen)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->log, sizeof(a->log), "%s", log);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", log, strerror(errno));
        return -1;
    }
    int gate[2];
    if (pipe2(gate, O_CLOEXEC) != 0) {
        close(fd);
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(fd);
        close(gate[0]);
        close(gate[1]);
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0)
            dup2(nul, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        execvp(argv[0], argv);
        /* Tell the parent why through the gate (it is close-on-exec). */
        int e = errno;
        ssize_t w = write(gate[1], &e, sizeof(e));
        (void)w;
        _exit(127);
    }
    setpgid(pid, pid);
    close(fd);
    close(gate[1]);
    int e = 0;
    ssize_t got = read(gate[0], &e, sizeof(e));
    close(gate[0]);
    a->pid = pid;
    if (got == (ssize_t)sizeof(e)) {
        cb_app_stop(a, 0);
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(e));
        return -1;
    }
    return 0;
}

int cb_app_poll(cb_app *a)
{
    if (a->ended || a->pid <= 0)
        return 1;
    int st;
    pid_t w = waitpid(a->pid, &st, WNOHANG);
    if (w == a->pid) {
        a->status = st;
        a->ended = 1;
        /* What it left in its group goes with it. */
        kill(-a->pid, SIGKILL);
        return 1;
    }
    return 0;
}

int cb_app_exit_code(const cb_app *a)
{
    return a->ended && WIFEXITED(a->status) ? WEXITSTATUS(a->status) : -1;
}

void cb_app_stop(cb_app *a, int ms)
{
    if (a->pid <= 0)
        return;
    if (!cb_app_poll(a)) {
        kill(-a->pid, SIGTERM);
        kill(a->pid, SIGTERM);
        double end = now_ms() + ms;
        while (!cb_app_poll(a) && now_ms() < end)
            usleep(10000);
        if (!a->ended) {
            kill(-a->pid, SIGKILL);
            kill(a->pid, SIGKILL);
            int st;
            if (waitpid(a->pid, &st, 0) == a->pid)
                a->status = st;
            a->ended = 1;
        }
    }
    kill(-a->pid, SIGKILL); /* anything left in its group */
}

/* read_log reads the whole log (NUL-terminated), NULL when unreadable. */
static char *read_log(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = NULL;
    size_t n = 0, cap = 0;
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
        if (n + got + 1 > cap) {
            size_t nc = cap ? cap * 2 : 65536;
            while (nc < n + got + 1)
                nc *= 2;
            char *t = realloc(s, nc);
            if (!t) {
                free(s);
                fclose(f);
                return NULL;
            }
            s = t;
            cap = nc;
        }
        memcpy(s + n, buf, got);
        n += got;
    }
    fclose(f);
    if (!s)
        s = calloc(1, 1);
    else
        s[n] = 0;
    return s;
}

int cb_app_log_last(const cb_app *a, const char *needle, char *out, size_t outlen)
{
    out[0] = 0;
    char *s = read_log(a->log);
    if (!s)
        return -1;
    int found = -1;
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        if (!needle || strstr(line, needle)) {
            snprintf(out, outlen, "%s", line);
            found = 0;
        }
    }
    free(s);
    return found;
}

int cb_app_log_first_of(const cb_app *a, const char *const *needles, char *out, size_t outlen)
{
    for (size_t i = 0; needles[i]; i++)
        if (cb_app_log_last(a, needles[i], out, outlen) == 0)
            return 0;
    out[0] = 0;
    return -1;
}

int cb_app_wait_log(cb_app *a, const char *needle, int ms, char *err, size_t errlen)
{
    double end = now_ms() + ms;
    for (;;) {
        char *s = read_log(a->log);
        int seen = s && strstr(s, needle);
        free(s);
        if (seen)
            return 0;
        if (cb_app_poll(a) || now_ms() >= end) {
            char last[300];
            cb_app_log_last(a, NULL, last, sizeof(last));
            snprintf(err, errlen, "%s (log %s, last line: %s)",
                     a->ended ? "ended before it was ready" : "not ready in time", a->log, last[0] ? last : "none");
            return -1;
        }
        usleep(20000);
    }
}

int cb_app_library(const cb_app *a, const char *pattern, char *out, size_t outlen)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/maps", (int)a->pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[4400];
    int rc = -1;
    while (rc != 0 && fgets(line, sizeof(line), f)) {
        char *p = strchr(line, '/');
        if (p && strstr(p, pattern)) {
            p[strcspn(p, "\n")] = 0;
            snprintf(out, outlen, "%s", p);
            rc = 0;
        }
    }
    fclose(f);
    return rc;
}

void cb_app_version(char *const argv[], const char *needle, char *out, size_t outlen)
{
    out[0] = 0;
    char tmpl[] = "/tmp/cabound-version-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return;
    close(fd);
    cb_app a;
    char err[256];
    if (cb_app_start(&a, argv, tmpl, err, sizeof(err)) == 0) {
        double end = now_ms() + 5000;
        while (!cb_app_poll(&a) && now_ms() < end)
            usleep(10000);
        cb_app_stop(&a, 0);
        char *s = read_log(tmpl);
        for (char *line = s ? strtok(s, "\n") : NULL; line && !out[0]; line = strtok(NULL, "\n"))
            if (strstr(line, needle))
                snprintf(out, outlen, "%s", line);
        free(s);
    }
    unlink(tmpl);
}
