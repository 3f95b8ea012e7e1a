#define _GNU_SOURCE
#include "app.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int app_scratch(char *out, size_t outlen)
{
    const char *t = getenv("TMPDIR");
    int n = snprintf(out, outlen, "%s/cabound-app-XXXXXX", t && *t ? t : "/tmp");
    if (n < 0 || (size_t)n >= outlen) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return mkdtemp(out) ? 0 : -1;
}

void app_scratch_remove(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[4400];
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int app_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof(a);
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &al) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

int app_write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    return close(fd);
}

int app_copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = in >= 0 ? open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    int rc = in >= 0 && out >= 0 ? 0 : -1;
    char buf[65536];
    ssize_t r;
    while (rc == 0 && (r = read(in, buf, sizeof(buf))) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || write(out, buf, (size_t)r) != r)
            rc = -1;
    }
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        rc = -1;
    return rc;
}

int app_start(struct app_proc *p, char *const argv[], char *const env[], const char *cwd, const char *log)
{
    return app_start_stdin(p, argv, env, cwd, log, -1);
}

int app_start_stdin(struct app_proc *p, char *const argv[], char *const env[], const char *cwd, const char *log,
                    int in)
{
    memset(p, 0, sizeof(*p));
    p->pid = -1;
    snprintf(p->log, sizeof(p->log), "%s", log);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    if (in >= 0)
        posix_spawn_file_actions_adddup2(&fa, in, 0);
    else
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (cwd)
        posix_spawn_file_actions_addchdir_np(&fa, cwd);
    /* The program's own group: stopping it stops whatever it forked. */
    posix_spawnattr_setpgroup(&at, 0);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none);
    sigset_t dfl;
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    sigaddset(&dfl, SIGTERM);
    posix_spawnattr_setsigdefault(&at, &dfl);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(&p->pid, argv[0], &fa, &at, argv, env ? env : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        fprintf(stderr, "app: cannot start %s: %s\n", argv[0], strerror(rc));
        p->pid = -1;
        return -1;
    }
    return 0;
}

bool app_alive(struct app_proc *p)
{
    if (p->pid <= 0)
        return false;
    int st;
    pid_t r = waitpid(p->pid, &st, WNOHANG);
    if (r == p->pid) {
        /* Reaped: its group may still hold children; app_stop sweeps them. */
        p->pid = -p->pid;
        p->status = st;
        return false;
    }
    return r == 0;
}

int app_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

int app_wait_listening(struct app_proc *p, int port, int ms)
{
    double end = now_ms() + ms;
    while (now_ms() < end) {
        if (!app_alive(p))
            return -1;
        /* A probe connection the program accepts and sees closed at once:
         * every server here logs nothing for it but a closed connection. */
        int fd = app_connect(port);
        if (fd >= 0) {
            close(fd);
            return 0;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

int app_stop(struct app_proc *p, int ms)
{
    if (p->pid == 0)
        return -1;
    pid_t pg = p->pid > 0 ? p->pid : -p->pid;
    int st = p->pid < 0 ? p->status : -1;
    kill(-pg, SIGTERM);
    double end = now_ms() + ms;
    if (p->pid > 0) {
        /* SIGTERM again every 50 ms: lighttpd's handler only sets a flag
         * (src/server.c sigaction_handler) that server_main_loop tests before
         * its connection queue and a 1000 ms fdevent_poll, so a SIGTERM that
         * lands while it is still closing our connection waits out that poll
         * (measured: about 1 s in half the stops; NOTES.md "Cost"). A later
         * SIGTERM interrupts the poll. */
        int polls = 0;
        for (;;) {
            pid_t r = waitpid(p->pid, &st, WNOHANG);
            if (r == p->pid || (r < 0 && errno != EINTR))
                break;
            if (++polls % 10 == 0)
                kill(-pg, SIGTERM);
            if (now_ms() >= end) {
                kill(-pg, SIGKILL);
                while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
                    ;
                break;
            }
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    /* Whatever the leader forked and left behind (a worker that outlived
     * it) goes with the group: the kernel refuses when none is left. */
    kill(-pg, SIGKILL);
    p->pid = 0;
    return st;
}

int app_run(char *const argv[], char *const env[], char *out, size_t outlen, int ms)
{
    int fds[2];
    out[0] = 0;
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, &at, argv, env ? env : environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -1;
    }
    size_t len = 0;
    double end = now_ms() + ms;
    int killed = 0;
    for (;;) {
        int left = (int)(end - now_ms());
        struct pollfd pf = {fds[0], POLLIN, 0};
        if (left <= 0 || poll(&pf, 1, left) == 0) {
            kill(-pid, SIGKILL);
            killed = 1;
            break;
        }
        char buf[4096];
        ssize_t r = read(fds[0], buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        size_t take = (size_t)r < outlen - 1 - len ? (size_t)r : outlen - 1 - len;
        memcpy(out + len, buf, take);
        len += take;
    }
    out[len] = 0;
    close(fds[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    kill(-pid, SIGKILL);
    return killed ? -1 : st;
}

size_t app_bridge(int a, int b, int idle_ms, int total_ms)
{
    bool a_open = true, b_open = true; /* reading from a / from b */
    size_t b_to_a = 0;
    double end = now_ms() + total_ms;
    char buf[65536];
    while (a_open || b_open) {
        struct pollfd pf[2] = {{a, a_open ? POLLIN : 0, 0}, {b, b_open ? POLLIN : 0, 0}};
        int left = (int)(end - now_ms());
        if (left <= 0)
            break;
        int r = poll(pf, 2, left < idle_ms ? left : idle_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        for (int i = 0; i < 2; i++) {
            if (!pf[i].revents)
                continue;
            int from = i == 0 ? a : b, to = i == 0 ? b : a;
            ssize_t n = read(from, buf, sizeof(buf));
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0) {
                /* A close (or a reset) on one side is the other's EOF. */
                shutdown(to, SHUT_WR);
                if (i == 0)
                    a_open = false;
                else
                    b_open = false;
                continue;
            }
            size_t off = 0;
            while (off < (size_t)n) {
                ssize_t w = send(to, buf + off, (size_t)n - off, MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    break;
                off += (size_t)w;
            }
            if (i == 1)
                b_to_a += off;
        }
    }
    return b_to_a;
}

static int prefix_match(const char *path, const char *const *prefixes)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (size_t i = 0; prefixes[i]; i++)
        if (strncmp(base, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

int app_maps_library(pid_t pid, const char *const *prefixes, char *out, size_t outlen)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/maps", (long)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    char line[4600];
    int rc = -1;
    while (rc != 0 && fgets(line, sizeof(line), f)) {
        char *slash = strchr(line, '/');
        if (!slash)
            continue;
        slash[strcspn(slash, "\n")] = 0;
        if (prefix_match(slash, prefixes)) {
            snprintf(out, outlen, "%s", slash);
            rc = 0;
        }
    }
    fclose(f);
    return rc;
}

int app_ldd_library(const char *elf, const char *const *prefixes, char *out, size_t outlen)
{
    char text[16384];
    char *argv[] = {(char *)"/usr/bin/ldd", (char *)elf, NULL};
    if (app_run(argv, NULL, text, sizeof(text), 10000) != 0)
        return -1;
    /* "\tlibssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x...)" */
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *arrow = strstr(line, "=> /");
        if (!arrow)
            continue;
        char *p = arrow + 3;
        p[strcspn(p, " (")] = 0;
        if (prefix_match(p, prefixes)) {
            char real[4096];
            snprintf(out, outlen, "%s", realpath(p, real) ? real : p);
            return 0;
        }
    }
    return -1;
}

void app_read_tail(const char *path, char *out, size_t outlen)
{
    out[0] = 0;
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        long from = size > (long)outlen - 1 ? size - (long)outlen + 1 : 0;
        fseek(f, from, SEEK_SET);
    }
    size_t n = fread(out, 1, outlen - 1, f);
    out[n] = 0;
    fclose(f);
}

int app_last_line_with(const char *text, const char *const *needles, char *out, size_t outlen)
{
    int rc = -1;
    const char *line = text;
    while (*line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        for (size_t i = 0; needles[i]; i++) {
            const char *hit = memmem(line, len, needles[i], strlen(needles[i]));
            if (hit) {
                snprintf(out, outlen, "%.*s", (int)len, line);
                rc = 0;
                break;
            }
        }
        line += len + (nl ? 1 : 0);
    }
    return rc;
}
