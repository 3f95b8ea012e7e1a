/* measure.h — what the relay's bytes say: the CertificateRequest as sent,
 * the list as the client got it, the client's Certificate, and alerts. */
#ifndef CABOUND_MEASURE_H
#define CABOUND_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "relay.h"
#include "timeline.h"

#define CB_WIRE_MAX_EVENTS 64

#define CB_ALERT_NONE (-1)
#define CB_ALERT_OPAQUE (-2) /* an alert record was seen but is encrypted */

typedef struct cb_wire {
    int measured;           /* the server's handshake could be read */
    char unavailable[192];  /* why not, when !measured */
    int cr_present;
    size_t cr_message_bytes;/* with its 4-byte header */
    size_t cr_records;      /* records the message spans */
    /* No whole CertificateRequest, but the server's handshake bytes end
     * inside one (NSS 3.110 flushes the header and the first DNs before it
     * refuses a list past 2^16-1, then alerts): its declared size with the
     * header, and the bytes that came. */
    size_t cr_cut_declared, cr_cut_have;
    size_t max_record;      /* largest record of the server's handshake flight (1.3: inner plaintext) */
    size_t oversize_plain;  /* plaintext records over 2^14 */
    size_t broken_at;       /* 0, or 1 + the stream offset where the server's bytes stopped being TLS */
    cb_cr_info cr;          /* as the server sent it */
    int fwd_present;        /* what reached the client, when the relay rewrote it */
    cb_cr_info fwd;
    int client_cert_msg;    /* 1 yes, 0 no, -1 unknown (encrypted, no secrets) */
    size_t client_certs;    /* certificates in it */
    uint8_t *client_leaf;   /* DER of its first certificate (malloc'd) */
    size_t client_leaf_len;
    int alert_from_server;  /* AlertDescription, CB_ALERT_NONE or CB_ALERT_OPAQUE */
    int alert_from_client;
    int alert_plain[2];     /* the first alert (not close_notify) of the server [0] / client [1] was plaintext */
    /* Order: what each side did and saw (timeline.h), and the compact log. */
    cb_tl_side side[2];
    int timeline_ok;        /* side[] holds facts (the relay kept its log) */
    cb_tl_event events[CB_WIRE_MAX_EVENTS];
    size_t n_events;
    /* TLS 1.3: a plaintext alert sent when that side already sent under
     * handshake keys (server: after its ServerHello, RFC 8446 A.2; client:
     * after a protected record of its own). Index of the read that carried
     * it, CB_TL_NONE when none. */
    long plain_after_keys[2];
} cb_wire;

/* cb_wire_measure reads |r|'s bytes (TLS 1.3: decrypted with the key log at
 * |keylog|, which may be NULL). Always fills |out|; returns 0, or -1 when
 * memory runs out. */
int cb_wire_measure(const cb_relay_result *r, int tls13, const char *keylog, cb_wire *out);
void cb_wire_free(cb_wire *w);

#endif
