/* eaptls.h — the TLS byte stream inside RADIUS: EAP-Message attributes
 * (RFC 3579 3.1: type 79, an EAP packet split over several attributes) of
 * Access-Request / Access-Challenge packets, EAP-TLS fragments (RFC 5216
 * 3.1: flags L, M, S; a 4-byte TLS Message Length when L is set). Fed the
 * RADIUS packets a UDP proxy saw, in order; yields each direction's TLS
 * bytes for the record parser (record.h). No I/O. */
#ifndef CABOUND_EAPTLS_H
#define CABOUND_EAPTLS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CB_RADIUS_ACCESS_REQUEST 1
#define CB_RADIUS_ACCESS_ACCEPT 2
#define CB_RADIUS_ACCESS_REJECT 3
#define CB_RADIUS_ACCESS_CHALLENGE 11
#define CB_RADIUS_ATTR_EAP_MESSAGE 79
#define CB_EAP_TYPE_TLS 13

typedef struct cb_eaptls {
    cb_buf tls[2];          /* [0] from the server (Access-Challenge), [1] from the client */
    size_t packets[2];      /* RADIUS packets taken, per direction */
    size_t fragments[2];    /* EAP-TLS fragments that carried TLS bytes */
    size_t retransmits;     /* packets identical to the last one of their direction: skipped */
    size_t malformed;       /* packets that did not parse (first problem in |problem|) */
    char problem[160];
    int last_code;          /* RADIUS code of the server's last packet (2 accept, 3 reject), 0 none */
    int eap_failure;        /* the server's last EAP packet was an EAP-Failure (code 4) */
    size_t declared[2];     /* the last L-bit TLS Message Length of each direction */
    /* internal */
    cb_buf last[2];
} cb_eaptls;

void cb_eaptls_init(cb_eaptls *e);
void cb_eaptls_free(cb_eaptls *e);

/* cb_eaptls_feed takes one RADIUS packet (|from_server|: sent by the RADIUS
 * server). A packet that is not RADIUS, not EAP or not EAP-TLS adds nothing
 * (malformed counts the broken ones). Returns 0, or -1 on out of memory. */
int cb_eaptls_feed(cb_eaptls *e, int from_server, const uint8_t *pkt, size_t len);

#endif
