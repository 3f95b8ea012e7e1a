/* tls13.h — decrypt one direction of a captured TLS 1.3 connection with the
 * secrets of a key log, so that the harness measures the encrypted
 * handshake (the CertificateRequest and its certificate_authorities above
 * all) from the bytes, not from what a stack says of itself. */
#ifndef CABOUND_TLS13_H
#define CABOUND_TLS13_H

#include <stddef.h>
#include <stdint.h>

#include "keylog.h"
#include "record.h"
#include "timeline.h"

#define CB_TLS13_MAX_ALERTS 8

#define CB_TLS_AES_128_GCM_SHA256 0x1301
#define CB_TLS_AES_256_GCM_SHA384 0x1302
#define CB_TLS_CHACHA20_POLY1305_SHA256 0x1303

typedef struct cb_tls13_dir {
    int available;          /* 0: could not decrypt; reason says why (no ServerHello, not TLS 1.3,
                               secret missing from the key log, unsupported suite, AEAD failure at
                               the first handshake record) */
    char reason[160];       /* with available == 1: empty, or why decryption stopped early */
    uint16_t cipher_suite;
    int hello_retry;        /* 1: a HelloRetryRequest came before the ServerHello */
    cb_hs_reasm hs;         /* decrypted handshake messages in order; first_record/last_record
                               index the stream's records */
    size_t records_decrypted;
    size_t max_inner;       /* largest inner plaintext (TLSInnerPlaintext content without padding/type) */
    size_t oversize_inner;  /* inner plaintexts over 2^14 */
    int alert_level, alert; /* first alert of this direction, -1 none: decrypted (any epoch) or a
                               plaintext alert record */
    long alert_record;      /* the stream record that carried it, -1 none */
    cb_tl_alert alerts[CB_TLS13_MAX_ALERTS]; /* every alert, in order (plaintext ones too) */
    size_t n_alerts;
    size_t read_until;      /* records from this index on were not read (decryption stopped) */
} cb_tls13_dir;

/* cb_tls13_decrypt decrypts the server's (|server_side| != 0) or the
 * client's direction of one connection. The client_random comes from the
 * ClientHello (first handshake message of |client_to_server|), the cipher
 * suite from the ServerHello of |server_to_client| (a HelloRetryRequest is
 * stepped over). Records are decrypted with the direction's handshake
 * traffic secret until its Finished, then with its application traffic
 * secret (following KeyUpdates); a traffic secret missing from |kl| ends
 * decryption there, noted in reason. Always fills |out| (free it with
 * cb_tls13_dir_free). Returns 0 when out->available is 1, else -1. */
int cb_tls13_decrypt(const cb_stream *client_to_server, const cb_stream *server_to_client, const cb_keylog *kl,
                     int server_side, cb_tls13_dir *out);

/* cb_tls13_dir_free releases the messages of |d| and zeroes it. */
void cb_tls13_dir_free(cb_tls13_dir *d);

#endif
