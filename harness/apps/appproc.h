/* appproc.h — a real program (freeradius, eapol_test, openvpn) started by
 * the harness: its own process group, stdout and stderr to a log file,
 * stopped (TERM, then KILL, then reaped) so that nothing outlives the case. */
#ifndef CABOUND_APPPROC_H
#define CABOUND_APPPROC_H

#include <stddef.h>
#include <sys/types.h>

typedef struct cb_app {
    pid_t pid;         /* 0 when not running */
    char log[4096];    /* its stdout and stderr */
    int status;        /* wait status once it ended */
    int ended;
} cb_app;

/* cb_app_start runs argv[0] (looked up in PATH) with |argv|, output to
 * |log| (truncated). Returns 0, or -1 with why in |err|. */
int cb_app_start(cb_app *a, char *const argv[], const char *log, char *err, size_t errlen);

/* cb_app_poll reaps the program if it ended. Returns 1 when it has ended. */
int cb_app_poll(cb_app *a);

/* cb_app_wait_log waits up to |ms| for |needle| to appear in the log.
 * Returns 0 when it did, -1 when the program ended first or time ran out
 * (|err| says which, with the log's last line). */
int cb_app_wait_log(cb_app *a, const char *needle, int ms, char *err, size_t errlen);

/* cb_app_stop ends the program and its process group (TERM, up to |ms|,
 * then KILL) and reaps it. */
void cb_app_stop(cb_app *a, int ms);

/* cb_app_exit_code is the exit status once ended, -1 for a signal. */
int cb_app_exit_code(const cb_app *a);

/* cb_app_library finds the shared object matching |pattern| (e.g.
 * "libssl.so") in a running program's memory map: the TLS library it
 * loaded. Returns 0 with the path in |out|, or -1. */
int cb_app_library(const cb_app *a, const char *pattern, char *out, size_t outlen);

/* cb_app_log_last copies the log's last line that holds |needle| (any
 * line when NULL) into |out|. Returns 0, or -1 when there is none. */
int cb_app_log_last(const cb_app *a, const char *needle, char *out, size_t outlen);

/* cb_app_log_first_of copies the last log line holding the first of
 * |needles| (NULL-terminated, most telling first) that occurs at all.
 * Returns 0, or -1 when none does. */
int cb_app_log_first_of(const cb_app *a, const char *const *needles, char *out, size_t outlen);

/* cb_app_version runs |argv| and copies the first line of its output that
 * holds |needle| into |out| ("" when none). */
void cb_app_version(char *const argv[], const char *needle, char *out, size_t outlen);

#endif
