/* shim.h — the stack-independent half of every shim (see ../README.md). A
 * stack's main() is one line: return shim_main(argc, argv, &my_stack); */
#ifndef CABOUND_SHIM_H
#define CABOUND_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "calist.h"

#define SHIM_CONTRACT 1
#define SHIM_EXIT_UNSUPPORTED 89

enum shim_role { SHIM_SERVER, SHIM_CLIENT };
enum shim_source { SHIM_SRC_EXPLICIT, SHIM_SRC_TRUST_STORE, SHIM_SRC_RAW, SHIM_SRC_NONE };
enum shim_select { SHIM_SEL_NATIVE, SHIM_SEL_BY_ISSUER };

struct shim_cred {
    const char *cert;
    const char *key;
};

struct shim_case {
    const char *case_id;
    enum shim_role role;
    int tls; /* 12 or 13 */
    const char *cert, *key;          /* server credential */
    struct shim_cred *client_creds;  /* client credentials, in order */
    size_t n_client_creds;
    const char *trust;               /* PEM trust anchors */
    enum shim_source source;
    const char *calist_path;         /* list file */
    const char *calist_pem;          /* one cert per DN, same order */
    cb_calist calist;                /* calist_path, already loaded (server) */
    bool require_cert;
    enum shim_select select;
    /* Client, for cabound probe against a live server (only a stack with
     * probe_keys gets them; the harness's own cases never set them): */
    const char *server_name;         /* SNI host name to send, or NULL */
    bool no_peer_verify;             /* accept any server certificate ("peer_verify": "none") */
    const char *keylog;              /* NULL: no key log */
    const char *received_out;        /* NULL: don't write */
    int timeout_ms;
    /* client: bytes to write once the handshake is done, before reading the
     * server's first byte (a real application server, harness/stacks/apps,
     * answers a request and sends nothing of its own). NULL: write nothing
     * and expect the library shims' 'x'. */
    const char *app_request;
};

struct shim_obs {
    bool unsupported;
    char reason[256];
    bool handshake_ok;
    bool has_error;
    long error_code;
    char error_text[512];
    bool alerts_exposed;
    int alert_sent;     /* -1: none */
    int alert_received; /* -1: none */
    bool received_exposed;
    cb_calist received; /* client: DNs the API exposed, in order */
    int sent_cert;      /* -2 unknown, -1 empty Certificate, >= 0 index */
    uint8_t *peer_cert; /* server: DER of the client certificate (malloc'd) */
    size_t peer_cert_len;
};

struct shim_stack {
    const char *name;
    /* version returns the library's own version string (from its API). */
    const char *(*version)(void);
    /* library_symbol is any function of the TLS library, for dladdr. */
    void (*library_symbol)(void);
    const char *const *tls;            /* NULL-terminated: "1.2", "1.3" */
    const char *const *sources;        /* NULL-terminated calist_source names */
    const char *const *selects;        /* NULL-terminated select names */
    /* probe_keys: the stack honours the client keys "server_name" and
     * "peer_verify" (cabound probe); a request with them to a stack without
     * is unsupported, never silently run otherwise. */
    bool probe_keys;
    /* init runs once per process; returns 0 or -1 (after printing why). */
    int (*init)(void);
    /* run performs one case over the connected socket |fd| (which it must
     * not close) and fills |obs| (already zeroed, alerts -1, sent_cert -2).
     * An unsupported case sets obs->unsupported and obs->reason. */
    void (*run)(const struct shim_case *c, int fd, struct shim_obs *obs);
    /* library, when set, names the TLS library instead of dladdr on
     * library_symbol: an application shim (harness/stacks/apps) links no TLS
     * library itself and reports what the program it runs has mapped. */
    const char *(*library)(void);
    /* kind is "library" (NULL) or "app", in --describe. */
    const char *kind;
};

int shim_main(int argc, char **argv, const struct shim_stack *stack);

/* shim_keylog appends one NSS key-log line (without newline) to the case's
 * key log; a no-op when the case has none. */
void shim_keylog(const struct shim_case *c, const char *line);

/* shim_keylog_secret formats "LABEL <client_random hex> <secret hex>". */
void shim_keylog_secret(const struct shim_case *c, const char *label, const uint8_t *client_random,
                        size_t crlen, const uint8_t *secret, size_t slen);

/* shim_app_byte_ok says whether |b|, the server's first application byte,
 * completes the exchange: 'x' from a library shim, any byte as the answer to
 * the case's app_request from a real application server. */
bool shim_app_byte_ok(const struct shim_case *c, unsigned char b);

/* shim_set_error records the library's error code and text. */
void shim_set_error(struct shim_obs *obs, long code, const char *text);

/* shim_unsupported marks the case unsupported with a printf-style reason. */
void shim_unsupported(struct shim_obs *obs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* shim_pick_by_issuer returns the index of the first credential whose issuer
 * DER (issuers[i], lens[i]) is byte-equal to a DN of |received|, or -1. */
int shim_pick_by_issuer(const cb_calist *received, const uint8_t *const *issuers,
                        const size_t *lens, size_t n);

/* shim_id_add appends to a cache key one line naming |path| and its
 * identity (device, inode, size, mtime), or "TAG=-" for no file: a file
 * made again under the same name gets a new key. Returns 0, or -1 (errno
 * set) when the file cannot be stat'ed. */
int shim_id_add(FILE *f, const char *tag, const char *path);

/* shim_read_file reads a whole file (NUL-terminated, for PEM parsers that
 * want a C string). Returns NULL on error. */
uint8_t *shim_read_file(const char *path, size_t *len);

#endif
