/* app.h — what every application shim (harness/stacks/apps) shares: a
 * scratch directory, a loopback port, starting and stopping the real program,
 * bridging the harness's connection to it byte for byte, and reading which
 * TLS library the running program loaded. The application itself is never
 * changed: it gets its own configuration file and its own command line. */
#ifndef CABOUND_APP_H
#define CABOUND_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One running program: its pid (leader of its own process group) and the
 * file its stdout and stderr go to. */
struct app_proc {
    pid_t pid;  /* > 0 running; < 0 reaped (its group may remain); 0 stopped */
    int status; /* the leader's wait status once reaped */
    char log[4200];
};

/* app_scratch makes a fresh private directory under $TMPDIR (or /tmp) into
 * |out|; returns 0 or -1 (errno set). app_scratch_remove deletes it and
 * every file directly in it (the shims write no sub-directories). */
int app_scratch(char *out, size_t outlen);
void app_scratch_remove(const char *dir);

/* app_free_port returns a TCP port on 127.0.0.1 the kernel had free a
 * moment ago (bound to port 0, then closed), or -1. Never a fixed port. */
int app_free_port(void);

/* app_write_file writes |text| to |path| (mode 0600); returns 0 or -1. */
int app_write_file(const char *path, const char *text);

/* app_copy_file copies |from| to |to| (some programs want the key and
 * certificate in one file, or a file they may open after dropping
 * privileges); returns 0 or -1. */
int app_copy_file(const char *from, const char *to);

/* app_start runs |argv| (argv[0] a path) in its own process group, stdin
 * /dev/null, stdout and stderr appended to |log|, in |cwd|, with |env|
 * (NULL: this process's). Returns 0, or -1 after printing why. */
int app_start(struct app_proc *p, char *const argv[], char *const env[], const char *cwd, const char *log);

/* app_start_stdin is app_start with stdin from |in| (-1: /dev/null). */
int app_start_stdin(struct app_proc *p, char *const argv[], char *const env[], const char *cwd, const char *log,
                    int in);

/* app_wait_listening waits until 127.0.0.1:|port| accepts a connection or
 * |p| exits, at most |ms|. Returns 0 when listening; -1 otherwise. */
int app_wait_listening(struct app_proc *p, int port, int ms);

/* app_connect opens a TCP connection to 127.0.0.1:|port|, or returns -1. */
int app_connect(int port);

/* app_alive says whether |p| is still running (not reaped). */
bool app_alive(struct app_proc *p);

/* app_stop sends SIGTERM to |p|'s process group, waits up to |ms|, then
 * SIGKILLs it; every process of the group is gone when it returns. Returns
 * the wait status of the leader (or -1 when already reaped). */
int app_stop(struct app_proc *p, int ms);

/* app_run runs |argv| to completion (at most |ms|), its stdout and stderr
 * into |out| (NUL-terminated, cut at outlen-1). Returns the wait status, or
 * -1 when it could not start or was killed at the deadline. */
int app_run(char *const argv[], char *const env[], char *out, size_t outlen, int ms);

/* app_bridge copies bytes both ways between |a| (the harness's end of the
 * TLS connection) and |b| (the application's) verbatim, passing each
 * half-close on, until both directions have closed, |idle_ms| pass without
 * a byte, or |total_ms| pass. Returns the bytes copied from b to a. */
size_t app_bridge(int a, int b, int idle_ms, int total_ms);

/* app_maps_library finds in /proc/PID/maps the first mapped file whose base
 * name starts with one of |prefixes| (NULL-terminated: "libssl.so",
 * "libgnutls.so", ...), into |out|. Returns 0, or -1 when none is mapped. */
int app_maps_library(pid_t pid, const char *const *prefixes, char *out, size_t outlen);

/* app_ldd_library does the same from `ldd ELF`'s resolution, for
 * --describe when the program is not running. Returns 0 or -1. */
int app_ldd_library(const char *elf, const char *const *prefixes, char *out, size_t outlen);

/* app_read_tail reads the last |outlen|-1 bytes of |path| into |out|
 * (NUL-terminated; empty when unreadable). */
void app_read_tail(const char *path, char *out, size_t outlen);

/* app_last_line_with copies into |out| the last line of |text| that holds
 * one of |needles| (NULL-terminated), without the trailing newline; returns
 * 0, or -1 when no line does. */
int app_last_line_with(const char *text, const char *const *needles, char *out, size_t outlen);

#endif
