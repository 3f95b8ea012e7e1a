/* Record parser: the same records and messages for every way the stream is
 * cut into chunks. */
#include "check.h"
#include "buf.h"
#include "record.h"

/* A stream of: a record holding two whole messages, a message fragmented over
 * three records, an alert, a CCS, then an "encrypted" record. */
static void make_stream(cb_buf *s)
{
    cb_buf_init(s);
    uint8_t m1[] = {1, 0, 0, 3, 'a', 'b', 'c'};
    uint8_t m2[] = {2, 0, 0, 0};
    cb_buf_u8(s, 22); cb_buf_u16(s, 0x0303); cb_buf_u16(s, sizeof(m1) + sizeof(m2));
    cb_buf_put(s, m1, sizeof(m1));
    cb_buf_put(s, m2, sizeof(m2));
    uint8_t big[4 + 40];
    big[0] = 13; big[1] = 0; big[2] = 0; big[3] = 40;
    for (int i = 0; i < 40; i++)
        big[4 + i] = (uint8_t)i;
    size_t parts[3] = {2, 20, 22}, off = 0; /* the header itself is split */
    for (int i = 0; i < 3; i++) {
        cb_buf_u8(s, 22); cb_buf_u16(s, 0x0303); cb_buf_u16(s, parts[i]);
        cb_buf_put(s, big + off, parts[i]);
        off += parts[i];
    }
    uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
    cb_buf_put(s, alert, sizeof(alert));
    uint8_t ccs[] = {20, 3, 3, 0, 1, 1};
    cb_buf_put(s, ccs, sizeof(ccs));
    uint8_t enc[] = {22, 3, 3, 0, 4, 9, 9, 9, 9};
    cb_buf_put(s, enc, sizeof(enc));
}

static int same(const cb_stream *a, const cb_stream *b)
{
    if (a->n_records != b->n_records || a->hs.count != b->hs.count || a->stop != b->stop)
        return 0;
    for (size_t i = 0; i < a->n_records; i++)
        if (a->records[i].type != b->records[i].type || a->records[i].len != b->records[i].len ||
            a->records[i].offset != b->records[i].offset ||
            memcmp(a->records[i].payload, b->records[i].payload, a->records[i].len) != 0)
            return 0;
    for (size_t i = 0; i < a->hs.count; i++)
        if (a->hs.msgs[i].type != b->hs.msgs[i].type || a->hs.msgs[i].len != b->hs.msgs[i].len ||
            a->hs.msgs[i].first_record != b->hs.msgs[i].first_record ||
            a->hs.msgs[i].last_record != b->hs.msgs[i].last_record ||
            memcmp(a->hs.msgs[i].body, b->hs.msgs[i].body, a->hs.msgs[i].len) != 0)
            return 0;
    return 1;
}

int main(void)
{
    cb_buf s;
    make_stream(&s);
    cb_stream whole;
    cb_stream_init(&whole);
    CHECK(cb_stream_feed(&whole, s.p, s.len) == 0);
    CHECK_EQ(whole.n_records, 7);
    CHECK_EQ(whole.hs.count, 3);
    CHECK_EQ(whole.hs.msgs[0].type, 1);
    CHECK_EQ(whole.hs.msgs[0].len, 3);
    CHECK_EQ(whole.hs.msgs[1].type, 2);
    CHECK_EQ(whole.hs.msgs[1].len, 0);
    CHECK_EQ(whole.hs.msgs[2].type, 13);
    CHECK_EQ(whole.hs.msgs[2].len, 40);
    CHECK_EQ(whole.hs.msgs[2].first_record, 1);
    CHECK_EQ(whole.hs.msgs[2].last_record, 3);
    CHECK_EQ(whole.hs.msgs[2].body[39], 39);
    CHECK_EQ(whole.stop, CB_STREAM_ENCRYPTED);
    /* The record after CCS is split but not parsed as handshake. */
    CHECK_EQ(whole.records[6].len, 4);
    CHECK_EQ(cb_stream_pending(&whole), 0);

    /* Every two-way and three-way split, then one-byte chunks. */
    size_t diffs = 0, runs = 0;
    for (size_t i = 0; i <= s.len; i++)
        for (size_t j = i; j <= s.len; j++) {
            cb_stream p;
            cb_stream_init(&p);
            cb_stream_feed(&p, s.p, i);
            cb_stream_feed(&p, s.p + i, j - i);
            cb_stream_feed(&p, s.p + j, s.len - j);
            diffs += !same(&whole, &p);
            runs++;
            cb_stream_free(&p);
        }
    CHECK_EQ(diffs, 0);
    CHECK(runs > 1000);
    cb_stream bytes;
    cb_stream_init(&bytes);
    for (size_t i = 0; i < s.len; i++)
        cb_stream_feed(&bytes, s.p + i, 1);
    CHECK(same(&whole, &bytes));
    cb_stream_free(&bytes);

    /* A stream cut short keeps the partial record pending. */
    cb_stream part;
    cb_stream_init(&part);
    cb_stream_feed(&part, s.p, 10);
    CHECK_EQ(part.n_records, 0);
    CHECK_EQ(cb_stream_pending(&part), 10);
    cb_stream_free(&part);

    /* A plaintext record over 2^14 is counted; bytes that are not TLS stop it. */
    cb_buf o;
    cb_buf_init(&o);
    cb_buf_u8(&o, 22); cb_buf_u16(&o, 0x0303); cb_buf_u16(&o, 16385);
    uint8_t hdr[4] = {11, 0, 0x3f, 0xfd};
    cb_buf_put(&o, hdr, 4);
    for (size_t i = 0; i < 16381; i++)
        cb_buf_u8(&o, 0);
    cb_stream over;
    cb_stream_init(&over);
    cb_stream_feed(&over, o.p, o.len);
    CHECK_EQ(over.oversize_plain, 1);
    CHECK_EQ(over.max_record, 16385);
    CHECK_EQ(over.hs.count, 1);
    static const uint8_t http[] = "GET / HTTP/1.1\r\n";
    cb_stream_feed(&over, http, sizeof(http) - 1);
    CHECK_EQ(over.stop, CB_STREAM_NOT_TLS);
    cb_stream_free(&over);
    cb_buf_free(&o);

    /* An alert in any 3.x version is still an alert (OpenSSL 3.0 echoes a
     * bad record version in its protocol_version alert); a handshake record
     * in 3.8 is not TLS. */
    static const uint8_t odd_alert[] = {21, 3, 8, 0, 2, 2, 70};
    cb_stream oa;
    cb_stream_init(&oa);
    cb_stream_feed(&oa, odd_alert, sizeof(odd_alert));
    CHECK_EQ(oa.n_records, 1);
    CHECK_EQ(oa.records[0].type, 21);
    CHECK(oa.stop != CB_STREAM_NOT_TLS);
    cb_stream_free(&oa);
    static const uint8_t odd_hs[] = {22, 3, 8, 0, 1, 0};
    cb_stream_init(&oa);
    cb_stream_feed(&oa, odd_hs, sizeof(odd_hs));
    CHECK_EQ(oa.stop, CB_STREAM_NOT_TLS);
    cb_stream_free(&oa);

    cb_stream_free(&whole);
    cb_buf_free(&s);
    CHECK_DONE();
}
