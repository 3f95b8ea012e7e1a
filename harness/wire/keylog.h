/* keylog.h — the NSS key log format (what SSLKEYLOGFILE writes), which every
 * shim appends to: "LABEL <64 hex client_random> <hex secret>" per line, '#'
 * comments and blank lines ignored. */
#ifndef CABOUND_KEYLOG_H
#define CABOUND_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

/* The longest secret any TLS hash produces (SHA-512); the suites in use need
 * 48 at most. */
#define CB_KEYLOG_MAX_SECRET 64
#define CB_KEYLOG_MAX_LABEL 64

typedef struct cb_keylog_entry {
    char label[CB_KEYLOG_MAX_LABEL];
    uint8_t client_random[32];
    uint8_t secret[CB_KEYLOG_MAX_SECRET];
    size_t secret_len;
} cb_keylog_entry;

typedef struct cb_keylog {
    cb_keylog_entry *entries; /* file order */
    size_t count, cap;
} cb_keylog;

/* cb_keylog_read parses the key log at |path| into |out| (need not be
 * initialised). Labels are [A-Z0-9_]+; "RSA" lines (an older form keyed by
 * encrypted pre-master secret, not by client random) are skipped. Returns 0
 * on success; on failure returns -1, leaves |out| empty and writes
 * "PATH:LINE: message" (or "PATH: message") into |err|. */
int cb_keylog_read(const char *path, cb_keylog *out, char *err, size_t errlen);

/* cb_keylog_find returns the secret logged under |label| for |client_random|
 * (the first such line, when a connection was logged twice) and sets
 * *secret_len, or returns NULL when there is none. */
const uint8_t *cb_keylog_find(const cb_keylog *kl, const char *label, const uint8_t client_random[32],
                              size_t *secret_len);

/* cb_keylog_free releases |kl| and leaves it empty. */
void cb_keylog_free(cb_keylog *kl);

#endif
