/* The TLS bytes inside other protocols: RADIUS/EAP-TLS (eaptls.c) and
 * OpenVPN's TCP control channel (ovpn.c). A TLS flight cut into EAP-TLS
 * fragments spread over EAP-Message attributes, or into P_CONTROL_V1
 * packets, comes out whole and in order, whatever the chunking;
 * retransmissions add nothing; hostile packets (lengths past the end, a
 * gap in packet ids, garbage) are counted, never read past. */
#include "check.h"
#include "eaptls.h"
#include "ovpn.h"
#include "record.h"

/* radius builds one RADIUS packet of |code| whose EAP-Message attributes
 * carry |eap| (split every 253 bytes, RFC 3579 3.1). */
static void radius(cb_buf *out, int code, int id, const uint8_t *eap, size_t len)
{
    cb_buf_init(out);
    uint8_t hdr[20] = {(uint8_t)code, (uint8_t)id, 0, 0};
    cb_buf_put(out, hdr, 20);
    for (size_t off = 0; off < len;) {
        size_t n = len - off > 253 ? 253 : len - off;
        uint8_t a[2] = {79, (uint8_t)(n + 2)};
        cb_buf_put(out, a, 2);
        cb_buf_put(out, eap + off, n);
        off += n;
    }
    uint8_t ma[18] = {80, 18}; /* a Message-Authenticator, skipped */
    cb_buf_put(out, ma, 18);
    out->p[2] = (uint8_t)(out->len >> 8);
    out->p[3] = (uint8_t)out->len;
}

/* eaptls builds one EAP-TLS packet with |data| (flags L and M as given). */
static void eap_tls(cb_buf *out, int code, int id, int flags, size_t total, const uint8_t *data, size_t len)
{
    cb_buf_init(out);
    size_t plen = 6 + ((flags & 0x80) ? 4 : 0) + len;
    uint8_t h[10] = {(uint8_t)code, (uint8_t)id, (uint8_t)(plen >> 8), (uint8_t)plen, 13, (uint8_t)flags,
                     (uint8_t)(total >> 24), (uint8_t)(total >> 16), (uint8_t)(total >> 8), (uint8_t)total};
    cb_buf_put(out, h, (flags & 0x80) ? 10 : 6);
    cb_buf_put(out, data, len);
}

static void tls_flight(cb_buf *tls)
{
    cb_buf hs;
    cb_buf_init(&hs);
    for (int i = 0; i < 3000; i++)
        cb_buf_u8(&hs, (uint8_t)(i * 7));
    uint8_t msg[4] = {13, 0, 0x0b, 0xb8}; /* a 3000-byte "CertificateRequest" body follows */
    cb_buf_init(tls);
    cb_buf b;
    cb_buf_init(&b);
    cb_buf_put(&b, msg, 4);
    cb_buf_put(&b, hs.p, hs.len);
    cb_records_put(tls, 22, 0x0303, b.p, b.len, 1000);
    cb_buf_free(&b);
    cb_buf_free(&hs);
}

static void test_eap(void)
{
    cb_buf tls;
    tls_flight(&tls);
    cb_eaptls e;
    cb_eaptls_init(&e);
    int id = 1, frags = 0;
    for (size_t off = 0; off < tls.len; frags++) {
        size_t n = tls.len - off > 1000 ? 1000 : tls.len - off;
        int flags = (off == 0 ? 0x80 : 0) | (off + n < tls.len ? 0x40 : 0);
        cb_buf eap, pkt;
        eap_tls(&eap, 1, id, flags, tls.len, tls.p + off, n);
        radius(&pkt, 11, id, eap.p, eap.len);
        CHECK_EQ(cb_eaptls_feed(&e, 1, pkt.p, pkt.len), 0);
        if (off == 0) /* the server's retransmission of its first fragment */
            CHECK_EQ(cb_eaptls_feed(&e, 1, pkt.p, pkt.len), 0);
        cb_buf_free(&eap);
        cb_buf_free(&pkt);
        /* the client's ACK: an EAP-Response/TLS with no data */
        eap_tls(&eap, 2, id, 0, 0, NULL, 0);
        radius(&pkt, 1, id, eap.p, eap.len);
        CHECK_EQ(cb_eaptls_feed(&e, 0, pkt.p, pkt.len), 0);
        cb_buf_free(&eap);
        cb_buf_free(&pkt);
        off += n;
        id++;
    }
    CHECK_EQ(e.tls[0].len, tls.len);
    CHECK(e.tls[0].len == tls.len && memcmp(e.tls[0].p, tls.p, tls.len) == 0);
    CHECK_EQ(e.tls[1].len, 0);
    CHECK_EQ(e.fragments[0], (size_t)frags);
    CHECK_EQ(e.retransmits, 1);
    CHECK_EQ(e.declared[0], tls.len);
    CHECK_EQ(e.last_code, 11);
    CHECK_EQ(e.malformed, 0);
    /* The parser sees the message whole. */
    cb_stream s;
    cb_stream_init(&s);
    cb_stream_feed(&s, e.tls[0].p, e.tls[0].len);
    CHECK(s.hs.count == 1 && s.hs.msgs[0].type == 13 && s.hs.msgs[0].len == 3000);
    cb_stream_free(&s);
    /* Hostile: a RADIUS length past the packet, an attribute past the
     * packet, an EAP length that disagrees, an L flag without its length. */
    uint8_t bad1[20] = {11, 9, 0x10, 0};
    CHECK_EQ(cb_eaptls_feed(&e, 1, bad1, sizeof(bad1)), 0);
    uint8_t bad2[24] = {11, 10, 0, 24, [20] = 79, 200, 1, 2};
    CHECK_EQ(cb_eaptls_feed(&e, 1, bad2, sizeof(bad2)), 0);
    uint8_t eap3[8] = {1, 11, 0, 99, 13, 0, 1, 2};
    cb_buf pkt;
    radius(&pkt, 11, 11, eap3, sizeof(eap3));
    CHECK_EQ(cb_eaptls_feed(&e, 1, pkt.p, pkt.len), 0);
    cb_buf_free(&pkt);
    uint8_t eap4[8] = {1, 12, 0, 8, 13, 0x80, 0, 0};
    radius(&pkt, 11, 12, eap4, sizeof(eap4));
    CHECK_EQ(cb_eaptls_feed(&e, 1, pkt.p, pkt.len), 0);
    cb_buf_free(&pkt);
    CHECK_EQ(e.malformed, 4);
    CHECK_EQ(e.tls[0].len, tls.len);
    CHECK(strstr(e.problem, "RADIUS header") != NULL);
    /* An Access-Accept with an EAP-Success ends it. */
    uint8_t ok[4] = {3, 13, 0, 4};
    radius(&pkt, 2, 13, ok, sizeof(ok));
    cb_eaptls_feed(&e, 1, pkt.p, pkt.len);
    cb_buf_free(&pkt);
    CHECK_EQ(e.last_code, 2);
    CHECK_EQ(e.eap_failure, 0);
    cb_eaptls_free(&e);
    cb_buf_free(&tls);
}

/* control builds one TCP-framed OpenVPN control packet. */
static void control(cb_buf *out, int op, uint32_t id, int acks, const uint8_t *data, size_t len)
{
    cb_buf p;
    cb_buf_init(&p);
    cb_buf_u8(&p, (uint8_t)(op << 3));
    uint8_t sid[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    cb_buf_put(&p, sid, 8);
    cb_buf_u8(&p, (uint8_t)acks);
    for (int i = 0; i < acks; i++) {
        uint8_t a[4] = {0, 0, 0, (uint8_t)i};
        cb_buf_put(&p, a, 4);
    }
    if (acks)
        cb_buf_put(&p, sid, 8);
    if (op != CB_OVPN_P_ACK_V1) {
        uint8_t pid[4] = {(uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id};
        cb_buf_put(&p, pid, 4);
        cb_buf_put(&p, data, len);
    }
    cb_buf_u16(out, p.len);
    cb_buf_put(out, p.p, p.len);
    cb_buf_free(&p);
}

static void test_ovpn(void)
{
    cb_buf tls, wire;
    tls_flight(&tls);
    cb_buf_init(&wire);
    uint8_t early[6] = {0, 1, 0, 2, 0, 1}; /* a hard reset's early-negotiation payload: not TLS */
    control(&wire, CB_OVPN_P_CONTROL_HARD_RESET_SERVER_V2, 0, 1, early, sizeof(early));
    uint32_t id = 1;
    for (size_t off = 0; off < tls.len; id++) {
        size_t n = tls.len - off > 1100 ? 1100 : tls.len - off;
        control(&wire, CB_OVPN_P_CONTROL_V1, id, (int)(id % 3), tls.p + off, n);
        if (id == 2) /* a retransmission */
            control(&wire, CB_OVPN_P_CONTROL_V1, id, 0, tls.p + off, n);
        control(&wire, CB_OVPN_P_ACK_V1, 0, 2, NULL, 0);
        off += n;
    }
    uint8_t data[5] = {9 << 3, 1, 2, 3, 4};
    cb_buf_u16(&wire, sizeof(data));
    cb_buf_put(&wire, data, sizeof(data));
    /* Fed one byte at a time and all at once: the same TLS bytes. */
    for (int chunk = 0; chunk < 2; chunk++) {
        cb_ovpn o;
        cb_ovpn_init(&o);
        if (chunk == 0)
            for (size_t i = 0; i < wire.len; i++)
                CHECK_EQ(cb_ovpn_feed(&o, 1, wire.p + i, 1), 0);
        else
            CHECK_EQ(cb_ovpn_feed(&o, 1, wire.p, wire.len), 0);
        CHECK(o.dir[0].tls.len == tls.len && memcmp(o.dir[0].tls.p, tls.p, tls.len) == 0);
        CHECK_EQ(o.dir[0].retransmits, 1);
        CHECK_EQ(o.dir[0].data, 1);
        CHECK_EQ(o.malformed, 0);
        CHECK_EQ(o.dir[1].tls.len, 0);
        cb_ovpn_free(&o);
    }
    /* Hostile: a gap in packet ids, an unknown opcode, a packet cut before
     * its id, an ACK count running past the end. */
    cb_ovpn o;
    cb_ovpn_init(&o);
    cb_buf w2;
    cb_buf_init(&w2);
    control(&w2, CB_OVPN_P_CONTROL_HARD_RESET_CLIENT_V2, 0, 0, NULL, 0);
    control(&w2, CB_OVPN_P_CONTROL_V1, 5, 0, (const uint8_t *)"abc", 3);
    uint8_t junk[] = {0, 3, 31 << 3, 0, 0, 0, 10, 4 << 3, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 12, 4 << 3, 1, 2, 3, 4, 5, 6, 7, 8, 255, 0, 0};
    cb_buf_put(&w2, junk, sizeof(junk));
    CHECK_EQ(cb_ovpn_feed(&o, 0, w2.p, w2.len), 0);
    CHECK_EQ(o.malformed, 4);
    CHECK_EQ(o.dir[1].tls.len, 0);
    CHECK(strstr(o.problem, "gap") != NULL);
    cb_ovpn_free(&o);
    cb_buf_free(&w2);
    cb_buf_free(&wire);
    cb_buf_free(&tls);
}

int main(void)
{
    test_eap();
    test_ovpn();
    CHECK_DONE();
}
