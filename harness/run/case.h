/* case.h — one conformance case: what it is, and running it end to end
 * (list, PKI, requests, relay, measurement, oracle) into one results line. */
#ifndef CABOUND_CASE_H
#define CABOUND_CASE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "listgen.h"
#include "relay.h"
#include "shimproc.h"

#define CB_MAX_CREDS 8

typedef struct cb_case {
    char suite[64];
    char name[128];
    char server[64], client[64]; /* stack ids */
    int tls13;
    size_t list_bytes;           /* list bytes generated (before a model cut) */
    size_t dn_min, dn_max;       /* filler DN sizes */
    uint64_t seed;
    char source[16];             /* explicit, trust-store, raw, none */
    char select[16];             /* native, by-issuer */
    char verify[16];             /* require, request */
    size_t n_creds;              /* client credentials, 1..CB_MAX_CREDS */
    char issuer_at[CB_MAX_CREDS][16]; /* first, middle, last, absent, or an index */
    size_t issuer_size;          /* DN size of the client issuers */
    char model[64];              /* truncation model applied before the server, "" none */
    char inject[32];             /* malformation fed to the client, "" none */
    char base_list[1024];        /* DNs that start the list (e.g. real roots), "" none */
    int timeout_ms;
} cb_case;

/* cb_case_defaults fills the fields a suite may leave out. */
void cb_case_defaults(cb_case *c);

/* cb_case_id writes "SUITE/NAME/SERVER>CLIENT/TLS". */
void cb_case_id(const cb_case *c, char *out, size_t outlen);

/* cb_case_repro writes the one command that reruns exactly this case. */
void cb_case_repro(const cb_case *c, const char *cabound, char *out, size_t outlen);

/* A worker's shim processes, reused across cases (spawning per case would
 * dominate a run's cost). */
typedef struct cb_shim_slot {
    char stack[64];
    int role; /* 0 server, 1 client */
    cb_shimproc proc;
} cb_shim_slot;

typedef struct cb_runner {
    char shim_dir[4096];   /* where cabound-shim-<stack> live */
    char work_dir[4096];   /* scratch: PKI cache, lists, per-case files */
    char out_dir[4096];    /* results directory: captures are kept under it */
    int keep_captures;     /* 0 never, 1 when the case fails a rule or faults, 2 always */
    const char *cabound;   /* argv[0]-ish path for repro commands */
    cb_shim_slot slots[64];
    size_t n_slots;
    unsigned case_no;
    char scratch[4096];    /* per-case files (key log, received list): tmpfs when there is one */
} cb_runner;

void cb_runner_init(cb_runner *r, const char *shim_dir, const char *work_dir, const char *out_dir);
void cb_runner_close(cb_runner *r);

/* cb_runner_slot returns the shim process of |stack| in |role| (0 server,
 * 1 client), made on first use (runner.c). */
cb_shimproc *cb_runner_slot(cb_runner *r, const char *stack, int role);

/* cb_runner_scratch returns the runner's directory for per-case files, made
 * once (tmpfs when there is one). */
const char *cb_runner_scratch(cb_runner *r);

/* cb_runner_sweep kills whatever a shim left behind outside its process
 * group: every child of this process that is not one of the runner's shims
 * (contain.h). */
void cb_runner_sweep(cb_runner *r);

/* cb_shim_path writes the executable of stack |id| ("openssl", or
 * "openssl@local": cabound-shim-openssl@local). Returns 0 when it exists. */
int cb_shim_path(const char *shim_dir, const char *id, char *out, size_t outlen);

/* Running a case in three stages, so that a worker can overlap them (prepare
 * the next case and judge the last while the shims run this one):
 *   cb_case_prepare  list, PKI, requests (any thread; one at a time per runner)
 *   cb_case_exchange the handshake through the relay (the runner's thread)
 *   cb_case_judge    measurement, oracle, the results line (any thread)
 * At most CB_SCRATCH_SLOTS cases may be in flight at once, each prepared
 * with its own |slot_no| modulo that (its key log and received-list files).
 * Each returns 0, or -1 with a message in |err|; cb_case_work_free ends a
 * case at any stage. */
#define CB_SCRATCH_SLOTS 3
typedef struct cb_case_work cb_case_work;
int cb_case_prepare(cb_runner *r, const cb_case *c, unsigned slot_no, cb_case_work **work, char *err, size_t errlen);
int cb_case_exchange(cb_runner *r, cb_case_work *work, char *err, size_t errlen);
int cb_case_judge(cb_runner *r, cb_case_work *work, json_t **result, char *err, size_t errlen);
void cb_case_work_free(cb_case_work *work);

/* For a case whose handshake runs between real programs (harness/apps/:
 * FreeRADIUS and eapol_test, OpenVPN) instead of two shims: the prepared
 * requests say what to configure them with (certificates, the list's PEM
 * bundle, the client credentials), and cb_case_take_exchange hands the
 * case what the driver captured in place of cb_case_exchange: the TLS bytes
 * of each direction and one observation per side in the shims' format
 * (harness/stacks/README.md). |rr| is moved into the case (zeroed). */
void cb_case_requests(const cb_case_work *k, const char **server_request, const char **client_request);
void cb_case_take_exchange(cb_case_work *k, struct cb_relay_result *rr);

/* cb_case_run runs |c| and returns its results line (a new JSON object, the
 * fields of docs/results.md except expected/outcome, which the run adds).
 * Returns 0, or -1 with a message in |err| when the case cannot be built
 * (bad parameters: an input error, not an observation). */
int cb_case_run(cb_runner *r, const cb_case *c, json_t **result, char *err, size_t errlen);

#endif
