/* record_stream — the streaming record and handshake parser (cb_stream) over
 * arbitrary bytes and arbitrary chunking.
 *
 * Input: byte 0 gives k = (byte & 15) + 1 chunk sizes, then k big-endian u16
 * chunk sizes (0 means 1), then the stream. The stream is fed in one piece,
 * in chunks cycling through the sizes, and (up to 4 KB) byte by byte.
 *
 * Must never see:
 *   SAME        a chunking that changes any record, message, counter or
 *               the stop state against the one-shot feed
 *   ACCOUNTING  records + pending bytes that do not add up to the bytes fed,
 *               a wrong max_record or oversize_plain count
 *   LOSSLESS    handshake messages (plus the pending partial) that are not
 *               exactly the payloads of the plaintext handshake records
 * and no crash, leak or out-of-bounds access. */
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "record.h"

static int init(void) { return 0; }

static void same(const cb_stream *a, const cb_stream *b, const char *how)
{
    int ok = a->n_records == b->n_records && a->stop == b->stop && a->bytes == b->bytes &&
             a->max_record == b->max_record && a->oversize_plain == b->oversize_plain && a->error == b->error &&
             cb_stream_pending(a) == cb_stream_pending(b) && a->hs.count == b->hs.count &&
             a->hs.pending_len == b->hs.pending_len && a->hs.error == b->hs.error;
    for (size_t i = 0; ok && i < a->n_records; i++) {
        const cb_record *x = &a->records[i], *y = &b->records[i];
        ok = x->type == y->type && x->version == y->version && x->len == y->len && x->offset == y->offset &&
             memcmp(x->payload, y->payload, x->len) == 0;
    }
    for (size_t i = 0; ok && i < a->hs.count; i++) {
        const cb_hs_msg *x = &a->hs.msgs[i], *y = &b->hs.msgs[i];
        ok = x->type == y->type && x->len == y->len && x->first_record == y->first_record &&
             x->last_record == y->last_record && memcmp(x->body, y->body, x->len) == 0;
    }
    FZ_CHECK(ok, "SAME", "%s: %zu records, %zu messages, stop %d vs one shot: %zu, %zu, %d", how, b->n_records,
             b->hs.count, (int)b->stop, a->n_records, a->hs.count, (int)a->stop);
}

static void accounting(const cb_stream *s, size_t fed)
{
    size_t total = 0, max = 0, over = 0, plain = s->n_records, got = 0;
    for (size_t i = 0; i < s->n_records; i++) {
        const cb_record *r = &s->records[i];
        total += 5 + r->len;
        max = r->len > max ? r->len : max;
        if (i < plain && (r->type == CB_CT_CHANGE_CIPHER_SPEC || r->type == CB_CT_APPLICATION_DATA))
            plain = i;
        over += i < plain && r->len > CB_MAX_PLAINTEXT;
    }
    FZ_CHECK(total + cb_stream_pending(s) == s->bytes && s->bytes <= fed &&
                 (s->stop == CB_STREAM_NOT_TLS || s->bytes == fed),
             "ACCOUNTING", "records %zu + pending %zu != %zu bytes (fed %zu)", total, cb_stream_pending(s), s->bytes,
             fed);
    FZ_CHECK(max == s->max_record && over == s->oversize_plain, "ACCOUNTING",
             "max_record %zu (want %zu), oversize_plain %zu (want %zu)", s->max_record, max, s->oversize_plain, over);
    cb_buf cat; /* the plaintext handshake bytes, in order */
    cb_buf_init(&cat);
    for (size_t i = 0; i < plain; i++)
        if (s->records[i].type == CB_CT_HANDSHAKE)
            cb_buf_put(&cat, s->records[i].payload, s->records[i].len);
    if (cat.oom)
        fz_oom("accounting");
    for (size_t i = 0; i < s->hs.count; i++) {
        const cb_hs_msg *m = &s->hs.msgs[i];
        FZ_CHECK(m->first_record <= m->last_record && m->last_record < plain &&
                     s->records[m->first_record].type == CB_CT_HANDSHAKE,
                 "LOSSLESS", "message %zu spans records %zu..%zu", i, m->first_record, m->last_record);
        FZ_CHECK(got + 4 + m->len <= cat.len && cat.p[got] == m->type && cb_get_u24(cat.p + got + 1) == m->len &&
                     memcmp(cat.p + got + 4, m->body, m->len) == 0,
                 "LOSSLESS", "message %zu (type %u, %zu bytes) differs from the records at %zu", i, m->type, m->len,
                 got);
        got += 4 + m->len;
    }
    FZ_CHECK(got + s->hs.pending_len == cat.len &&
                 (!s->hs.pending_len || memcmp(cat.p + got, s->hs.pending, s->hs.pending_len) == 0),
             "LOSSLESS", "%zu message bytes + %zu pending from %zu handshake bytes", got, s->hs.pending_len, cat.len);
    cb_buf_free(&cat);
}

static void one(const uint8_t *data, size_t size)
{
    fz_reader rd = {data, size};
    size_t k = (fz_u8(&rd) & 15u) + 1, sizes[16];
    for (size_t i = 0; i < k; i++) {
        sizes[i] = fz_u16(&rd);
        sizes[i] += sizes[i] == 0;
    }
    cb_stream once, chunked, bytewise;
    cb_stream_init(&once);
    cb_stream_init(&chunked);
    cb_stream_init(&bytewise);
    if (cb_stream_feed(&once, rd.p, rd.left) != 0)
        fz_oom("feed");
    for (size_t off = 0, i = 0; off < rd.left; i = (i + 1) % k) {
        size_t n = rd.left - off < sizes[i] ? rd.left - off : sizes[i];
        if (cb_stream_feed(&chunked, rd.p + off, n) != 0)
            fz_oom("feed");
        off += n;
    }
    accounting(&once, rd.left);
    same(&once, &chunked, "chunked");
    if (rd.left <= 4096) {
        for (size_t off = 0; off < rd.left; off++)
            if (cb_stream_feed(&bytewise, rd.p + off, 1) != 0)
                fz_oom("feed");
        same(&once, &bytewise, "byte by byte");
    }
    cb_stream_free(&once);
    cb_stream_free(&chunked);
    cb_stream_free(&bytewise);
}

CB_FUZZ_TARGET(init, one)
