/* ovpn.c — see ovpn.h. */
#include "ovpn.h"

#include <stdio.h>
#include <string.h>

void cb_ovpn_init(cb_ovpn *o)
{
    memset(o, 0, sizeof(*o));
}

void cb_ovpn_free(cb_ovpn *o)
{
    for (int i = 0; i < 2; i++) {
        cb_buf_free(&o->dir[i].tls);
        cb_buf_free(&o->dir[i].pkt);
    }
    memset(o, 0, sizeof(*o));
}

static void bad(cb_ovpn *o, const char *why)
{
    if (!o->malformed++)
        snprintf(o->problem, sizeof(o->problem), "%s", why);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* packet takes one whole control-channel packet. */
static int packet(cb_ovpn *o, cb_ovpn_dir *d, const uint8_t *p, size_t len)
{
    d->packets++;
    if (len < 1)
        return bad(o, "an empty packet"), 0;
    int op = p[0] >> 3;
    if (op == CB_OVPN_P_DATA_V1 || op == CB_OVPN_P_DATA_V2) {
        d->data++;
        return 0;
    }
    if (op < CB_OVPN_P_CONTROL_HARD_RESET_CLIENT_V1 || op > CB_OVPN_P_CONTROL_WKC_V1)
        return bad(o, "an unknown opcode (tls-auth or tls-crypt in use?)"), 0;
    /* opcode, session id (8), ack count, acks, [peer session id (8)] */
    size_t off = 1 + 8;
    if (len < off + 1)
        return bad(o, "a control packet cut before its ACK array"), 0;
    size_t n_acks = p[off++];
    off += 4 * n_acks + (n_acks ? 8 : 0);
    if (op == CB_OVPN_P_ACK_V1) {
        d->acks++;
        return off <= len ? 0 : (bad(o, "an ACK packet cut short"), 0);
    }
    if (len < off + 4)
        return bad(o, "a control packet cut before its packet id (tls-auth in use?)"), 0;
    uint32_t id = get_u32(p + off);
    off += 4;
    d->control++;
    if (d->started && id < d->next_id) {
        d->retransmits++;
        return 0;
    }
    if ((!d->started && id != 0) || (d->started && id != d->next_id))
        return bad(o, "a gap in the control channel's packet ids"), 0;
    d->started = 1;
    d->next_id = id + 1;
    /* Only P_CONTROL_V1 carries TLS; a hard reset's payload is OpenVPN's
     * own early negotiation (2.6: EARLY_NEG_START TLVs). */
    if (op == CB_OVPN_P_CONTROL_V1 && len > off)
        return cb_buf_put(&d->tls, p + off, len - off);
    return 0;
}

int cb_ovpn_feed(cb_ovpn *o, int from_server, const uint8_t *data, size_t len)
{
    cb_ovpn_dir *d = &o->dir[from_server ? 0 : 1];
    while (len) {
        if (d->len_have < 2) {
            d->len_hdr[d->len_have++] = *data++;
            len--;
            if (d->len_have == 2) {
                d->pkt_want = cb_get_u16(d->len_hdr);
                d->pkt.len = 0;
            }
        } else {
            size_t take = d->pkt_want - d->pkt.len;
            if (take > len)
                take = len;
            if (cb_buf_put(&d->pkt, data, take) != 0)
                return -1;
            data += take;
            len -= take;
        }
        if (d->len_have == 2 && d->pkt.len == d->pkt_want) {
            if (packet(o, d, d->pkt.p, d->pkt.len) != 0)
                return -1;
            d->len_have = 0;
        }
    }
    return 0;
}
