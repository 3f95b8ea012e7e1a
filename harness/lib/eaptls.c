/* eaptls.c — see eaptls.h. */
#include "eaptls.h"

#include <stdio.h>
#include <string.h>

void cb_eaptls_init(cb_eaptls *e)
{
    memset(e, 0, sizeof(*e));
}

void cb_eaptls_free(cb_eaptls *e)
{
    for (int i = 0; i < 2; i++) {
        cb_buf_free(&e->tls[i]);
        cb_buf_free(&e->last[i]);
    }
    memset(e, 0, sizeof(*e));
}

static int bad(cb_eaptls *e, const char *why)
{
    if (!e->malformed++)
        snprintf(e->problem, sizeof(e->problem), "%s", why);
    return 0;
}

int cb_eaptls_feed(cb_eaptls *e, int from_server, const uint8_t *pkt, size_t len)
{
    int d = from_server ? 0 : 1;
    /* A retransmission (the client's after a timeout, the server's cached
     * answer to it) repeats the same bytes: its TLS data is not new. */
    if (e->last[d].len == len && len && memcmp(e->last[d].p, pkt, len) == 0) {
        e->retransmits++;
        return 0;
    }
    e->last[d].len = 0;
    if (cb_buf_put(&e->last[d], pkt, len) != 0)
        return -1;
    /* RFC 2865 3: code, identifier, length (20..4096), authenticator. */
    if (len < 20 || cb_get_u16(pkt + 2) < 20 || cb_get_u16(pkt + 2) > len)
        return bad(e, "a packet shorter than its RADIUS header or length");
    size_t plen = cb_get_u16(pkt + 2);
    e->packets[d]++;
    if (from_server)
        e->last_code = pkt[0];
    cb_buf eap;
    cb_buf_init(&eap);
    for (size_t off = 20; off < plen;) {
        if (off + 2 > plen || pkt[off + 1] < 2 || off + pkt[off + 1] > plen) {
            cb_buf_free(&eap);
            return bad(e, "a RADIUS attribute runs past its packet");
        }
        if (pkt[off] == CB_RADIUS_ATTR_EAP_MESSAGE)
            cb_buf_put(&eap, pkt + off + 2, pkt[off + 1] - 2u);
        off += pkt[off + 1];
    }
    if (eap.oom) {
        cb_buf_free(&eap);
        return -1;
    }
    const uint8_t *p = eap.p;
    int rc = 0;
    if (eap.len == 0) {
        /* no EAP in this packet (an Access-Reject may carry none) */
    } else if (eap.len < 4 || cb_get_u16(p + 2) != eap.len) {
        bad(e, "EAP-Message attributes whose EAP length is not their size");
    } else {
        if (from_server)
            e->eap_failure = p[0] == 4;
        /* RFC 5216 3.1: code, id, length, type, flags, [length], data. */
        if ((p[0] == 1 || p[0] == 2) && eap.len >= 6 && p[4] == CB_EAP_TYPE_TLS) {
            uint8_t flags = p[5];
            size_t off = 6;
            if (flags & 0x80) {
                if (eap.len < 10) {
                    cb_buf_free(&eap);
                    return bad(e, "an EAP-TLS packet with the L flag but no length");
                }
                e->declared[d] = (size_t)p[6] << 24 | cb_get_u24(p + 7);
                off = 10;
            }
            if (eap.len > off) {
                e->fragments[d]++;
                rc = cb_buf_put(&e->tls[d], p + off, eap.len - off);
            }
        }
    }
    cb_buf_free(&eap);
    return rc;
}
