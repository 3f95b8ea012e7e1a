/* ovpn.h — the TLS byte stream inside OpenVPN's control channel: over TCP
 * each packet has a 2-byte length; P_CONTROL_V1 packets carry the TLS
 * bytes after an opcode/key-id byte, the sender's session id, an ACK array
 * (count, packet ids, then the peer's session id when the count is not
 * zero) and the message's packet id (OpenVPN's ssl_pkt.h, reliable.c;
 * without --tls-auth / --tls-crypt, which add an HMAC or encrypt the
 * header). Fed each direction's TCP bytes, in any chunks; yields each
 * direction's TLS bytes in packet-id order for the record parser. No I/O. */
#ifndef CABOUND_OVPN_H
#define CABOUND_OVPN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CB_OVPN_P_CONTROL_HARD_RESET_CLIENT_V1 1
#define CB_OVPN_P_CONTROL_HARD_RESET_SERVER_V1 2
#define CB_OVPN_P_CONTROL_SOFT_RESET_V1 3
#define CB_OVPN_P_CONTROL_V1 4
#define CB_OVPN_P_ACK_V1 5
#define CB_OVPN_P_DATA_V1 6
#define CB_OVPN_P_CONTROL_HARD_RESET_CLIENT_V2 7
#define CB_OVPN_P_CONTROL_HARD_RESET_SERVER_V2 8
#define CB_OVPN_P_DATA_V2 9
#define CB_OVPN_P_CONTROL_HARD_RESET_CLIENT_V3 10
#define CB_OVPN_P_CONTROL_WKC_V1 11

typedef struct cb_ovpn_dir {
    cb_buf tls;            /* the TLS bytes, in packet-id order */
    uint8_t len_hdr[2];    /* TCP framing */
    size_t len_have;
    cb_buf pkt;            /* the packet being read */
    size_t pkt_want;
    uint32_t next_id;      /* the next reliable packet id expected */
    int started;
    size_t packets, control, acks, data, retransmits;
} cb_ovpn_dir;

typedef struct cb_ovpn {
    cb_ovpn_dir dir[2];    /* [0] from the server, [1] from the client */
    size_t malformed;      /* packets that did not parse (first problem in |problem|) */
    char problem[160];
} cb_ovpn;

void cb_ovpn_init(cb_ovpn *o);
void cb_ovpn_free(cb_ovpn *o);

/* cb_ovpn_feed takes |len| TCP bytes of one direction. Returns 0, or -1 on
 * out of memory. */
int cb_ovpn_feed(cb_ovpn *o, int from_server, const uint8_t *data, size_t len);

#endif
