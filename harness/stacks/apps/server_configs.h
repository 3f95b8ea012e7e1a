/* server_configs.h — the real servers the apps shims drive: for each, its
 * program, its Debian package, the ELF that links its TLS library, the
 * configuration file it is given per case (server_app_configure) and how its
 * logs are read back into an observation (server_app_judge). */
#ifndef CABOUND_SERVER_CONFIGS_H
#define CABOUND_SERVER_CONFIGS_H

#include <stddef.h>

#include "shim.h"

enum server_family { FAM_LIGHTTPD, FAM_NGINX, FAM_APACHE, FAM_HAPROXY };

struct server_app {
    const char *name;          /* the stack id: "lighttpd-openssl", "nginx", ... */
    enum server_family family;
    const char *module;        /* lighttpd: "mod_openssl", ...; else NULL */
    const char *program;       /* absolute path */
    const char *version_flag;  /* "-v" */
    const char *package;       /* the Debian package that brings it */
    const char *tls_elf;       /* the ELF linking the TLS library (for ldd) */
    const char *const *lib_prefixes; /* the TLS library's file names */
    const char *const *sources;      /* calist_source modes it supports */
    const char *const *tls;          /* the versions its TLS library offers */
};

/* One case's configuration, filled by server_app_configure. */
struct server_conf {
    const struct shim_case *c;
    const char *dir; /* scratch directory, removed afterwards */
    int port;
    int unsupported; /* set with |why| when the case cannot be expressed */
    char conf[4200], error_log[4200], access_log[4200];
};

const struct server_app *server_app_find(const char *name);

/* server_app_version extracts the program's version from its version
 * output (e.g. "lighttpd/1.4.69"); returns 0 or -1. */
int server_app_version(const struct server_app *a, const char *out, char *ver, size_t verlen);

/* server_app_configure writes the configuration for |sc->c| into sc->dir
 * and fills |argv| (at most 16 entries, NULL-terminated) to start the
 * program in the foreground. Returns 0, or -1 with |why| (and
 * sc->unsupported when the case, not the machine, is the reason). */
int server_app_configure(const struct server_app *a, struct server_conf *sc, char **argv, char *why,
                         size_t whylen);

/* server_app_start_error condenses the log of a program that exited at
 * start-up into one line (its last three non-empty lines, time stamps cut). */
void server_app_start_error(const char *log, char *out, size_t outlen);

/* server_app_judge fills |obs| from what the program logged during the case:
 * |elog| its error log, |plog| its stdout/stderr, |alog| its access log. */
void server_app_judge(const struct server_app *a, const struct server_conf *sc, const char *elog, const char *plog,
                      const char *alog, struct shim_obs *obs);

#endif
