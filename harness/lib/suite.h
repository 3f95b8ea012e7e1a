/* suite.h — the declarative suite format (expectations: expect.h), parsed
 * from buffers (the caller reads files). Errors name "FILE:LINE: message".
 *
 * A suite file:
 *
 *     # comment
 *     suite record-16k
 *     description "lists whose CertificateRequest crosses one 2^14-byte record"
 *     defaults
 *       tls 1.2 1.3
 *       servers all
 *       clients openssl
 *     end
 *     case crosses
 *       list-bytes 16250..16400/1      # A..B/STEP, or plain values
 *       issuer last
 *     end
 *
 * Keys inside `defaults` and `case` blocks (a case inherits the defaults):
 *   tls 1.2|1.3...            servers STACK...|all     clients STACK...|all
 *   list-bytes N|A..B[/S]...  dn-size MIN-MAX           seed N
 *   issuer POS[,POS...]...    (one credential per POS; several words: variants)
 *   issuer-size N             select native|by-issuer|auto...
 *   source explicit|trust-store|raw|none|auto...        verify require|request
 *   (auto, the default: by-issuer where the client exposes the list, else
 *   native; explicit where the server has an explicit-list API, else the
 *   trust store — each stack's native way)
 *   model NAME                inject NAME...            base-list FILE
 *   timeout-ms N              pairs all|self|cross      (self: server == client)
 * Several words on one key are alternatives: a case expands to every
 * combination (its variants); a value given twice on one key is an error
 * (it would make two cases with one id), as are two cases with one name.
 * Limits: CB_SUITE_MAX_CASES cases, CB_SUITE_MAX_BYTES list-bytes values and
 * CB_SUITE_MAX_ALT alternatives per key. */
#ifndef CABOUND_SUITE_H
#define CABOUND_SUITE_H

#include <stddef.h>
#include <stdint.h>

#define CB_SUITE_MAX_ALT 48
#define CB_SUITE_MAX_BYTES 4096
/* The most cases one suite file may define (each is a few hundred bytes). */
#define CB_SUITE_MAX_CASES 10000

/* The alternatives of one key, on the heap (n of them): a case that only
 * inherits a key shares the defaults' array. */
typedef struct cb_suite_words {
    size_t n;
    char (*v)[64];
} cb_suite_words;

typedef struct cb_suite_case {
    char name[96];
    size_t line;
    cb_suite_words tls, servers, clients, issuer, select, source, verify, inject, pairs;
    size_t n_bytes;
    size_t *bytes; /* expanded list-bytes values */
    size_t dn_min, dn_max, issuer_size;
    uint64_t seed;
    int timeout_ms;
    char model[64];
    char base_list[512];
    unsigned set; /* bit per key given explicitly (for inheritance) */
} cb_suite_case;

typedef struct cb_suite {
    char name[64];
    char file[512]; /* the name it was parsed under (its path), for FILE:LINE */
    size_t name_line; /* the line of "suite NAME" */
    char description[256];
    cb_suite_case defaults;
    cb_suite_case *cases;
    size_t n_cases;
} cb_suite;

/* cb_suite_parse parses a suite; returns 0, or -1 with "NAME:LINE: why" in
 * |err| (|out| is then empty). */
int cb_suite_parse(const char *name, const char *text, size_t len, cb_suite *out, char *err, size_t errlen);
void cb_suite_free(cb_suite *s);

#endif
