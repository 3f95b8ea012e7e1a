/* appcase.h — a case whose handshake ran between real programs: hand the
 * TLS bytes a driver extracted and what each program reported to the
 * case's judge (case.c), so the line is measured and judged exactly like a
 * shim pair's (docs/results.md). */
#ifndef CABOUND_APPCASE_H
#define CABOUND_APPCASE_H

#include <jansson.h>

#include "buf.h"
#include "case.h"

/* What one program said about itself and the handshake. */
typedef struct cb_app_side {
    const char *stack;    /* "freeradius", "eapol_test", "openvpn" */
    const char *version;  /* its own version line */
    const char *library;  /* the TLS library it loaded (from /proc/PID/maps), or "" */
    int handshake_ok;     /* its own verdict: authenticated / connected */
    const char *error;    /* its log's reason on failure, or NULL */
} cb_app_side;

/* The files a case hands to its two programs, read from the requests the
 * case built for a server and a client shim (case.c), so that a driver
 * configures its programs with exactly what a shim pair would get. */
typedef struct cb_appcase_files {
    json_t *sreq, *creq;          /* owned: the parsed requests */
    const char *cert, *key;       /* server credential */
    const char *ca_file;          /* the list as a PEM bundle (calist_pem) */
    const char *trust;            /* the client's trust anchors */
    const char *ccert, *ckey;     /* the client's first credential */
} cb_appcase_files;

void cb_appcase_files_get(cb_case_work *k, cb_appcase_files *f);
void cb_appcase_files_free(cb_appcase_files *f);

/* cb_appcase_judge moves |s2c| and |c2s| into the case (they are emptied),
 * synthesises both observations from |server| and |client| (no alert or
 * list is exposed by a program's log: alerts_exposed false, received not
 * exposed) and returns the judged results line in |*line|. */
int cb_appcase_judge(cb_runner *r, cb_case_work *k, cb_buf *s2c, cb_buf *c2s, const cb_app_side *server,
                     const cb_app_side *client, double elapsed_ms, json_t **line, char *err, size_t errlen);

#endif
