#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

void cb_hs_reasm_init(cb_hs_reasm *h) { memset(h, 0, sizeof(*h)); }

void cb_hs_reasm_free(cb_hs_reasm *h)
{
    for (size_t i = 0; i < h->count; i++)
        free(h->msgs[i].body);
    free(h->msgs);
    free(h->pending);
    memset(h, 0, sizeof(*h));
}

size_t cb_hs_reasm_partial(const cb_hs_reasm *h) { return h->pending_len; }

static int pending_reserve(cb_hs_reasm *h, size_t need)
{
    if (need <= h->pending_cap)
        return 0;
    size_t ncap = h->pending_cap ? h->pending_cap : 1024;
    while (ncap < need)
        ncap *= 2;
    uint8_t *n = realloc(h->pending, ncap);
    if (!n)
        return -1;
    h->pending = n;
    h->pending_cap = ncap;
    return 0;
}

static int emit(cb_hs_reasm *h, size_t last_record)
{
    if (h->count == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 16;
        cb_hs_msg *n = realloc(h->msgs, ncap * sizeof(*n));
        if (!n)
            return -1;
        h->msgs = n;
        h->cap = ncap;
    }
    size_t len = h->pending_len - 4;
    uint8_t *body = malloc(len ? len : 1);
    if (!body)
        return -1;
    memcpy(body, h->pending + 4, len);
    h->msgs[h->count++] = (cb_hs_msg){h->pending[0], len, body, h->pending_first, last_record};
    h->pending_len = 0;
    return 0;
}

int cb_hs_reasm_add(cb_hs_reasm *h, const uint8_t *data, size_t len, size_t record_index)
{
    if (h->error)
        return -1;
    while (len > 0) {
        if (h->pending_len == 0)
            h->pending_first = record_index;
        size_t want;
        if (h->pending_len < 4)
            want = 4 - h->pending_len;
        else
            want = 4 + cb_get_u24(h->pending + 1) - h->pending_len;
        size_t take = len < want ? len : want;
        if (pending_reserve(h, h->pending_len + take) != 0) {
            h->error = 1;
            return -1;
        }
        memcpy(h->pending + h->pending_len, data, take);
        h->pending_len += take;
        data += take;
        len -= take;
        if (h->pending_len >= 4 && h->pending_len == 4 + cb_get_u24(h->pending + 1)) {
            if (emit(h, record_index) != 0) {
                h->error = 1;
                return -1;
            }
        }
    }
    return 0;
}

void cb_stream_init(cb_stream *s)
{
    memset(s, 0, sizeof(*s));
    cb_hs_reasm_init(&s->hs);
}

void cb_stream_free(cb_stream *s)
{
    for (size_t i = 0; i < s->n_records; i++)
        free(s->records[i].payload);
    free(s->records);
    free(s->cur);
    cb_hs_reasm_free(&s->hs);
    memset(s, 0, sizeof(*s));
}

size_t cb_stream_pending(const cb_stream *s) { return s->hdr_have + s->cur_have; }

static int header_plausible(const uint8_t *h)
{
    /* Content types 20..24 and a 3.x legacy version (SSL 3.0 to TLS 1.3).
     * An alert may carry any 3.x: OpenSSL 3.0 answers a record with a bad
     * version with a protocol_version alert in that same version (seen:
     * 15 03 08 after a wrapped header), and that alert must still count. */
    if (h[0] == 21)
        return h[1] == 3;
    return h[0] >= 20 && h[0] <= 24 && h[1] == 3 && h[2] <= 4;
}

static int finish_record(cb_stream *s)
{
    if (s->n_records == s->cap_records) {
        size_t ncap = s->cap_records ? s->cap_records * 2 : 16;
        cb_record *n = realloc(s->records, ncap * sizeof(*n));
        if (!n)
            return -1;
        s->records = n;
        s->cap_records = ncap;
    }
    size_t len = cb_get_u16(s->hdr + 3);
    cb_record *r = &s->records[s->n_records];
    r->type = s->hdr[0];
    r->version = (uint16_t)cb_get_u16(s->hdr + 1);
    r->len = len;
    r->offset = s->bytes - 5 - len;
    r->payload = s->cur ? s->cur : malloc(1);
    if (!r->payload)
        return -1;
    s->cur = NULL;
    s->cur_have = 0;
    s->hdr_have = 0;
    size_t index = s->n_records++;
    if (len > s->max_record)
        s->max_record = len;
    if (s->stop == CB_STREAM_RUNNING) {
        if (r->type == CB_CT_CHANGE_CIPHER_SPEC || r->type == CB_CT_APPLICATION_DATA) {
            s->stop = CB_STREAM_ENCRYPTED;
        } else {
            if (len > CB_MAX_PLAINTEXT)
                s->oversize_plain++;
            if (r->type == CB_CT_HANDSHAKE && cb_hs_reasm_add(&s->hs, r->payload, len, index) != 0)
                return -1;
        }
    }
    return 0;
}

int cb_stream_feed(cb_stream *s, const uint8_t *data, size_t len)
{
    if (s->error)
        return -1;
    while (len > 0 && s->stop != CB_STREAM_NOT_TLS) {
        if (s->hdr_have < 5) {
            size_t take = 5 - s->hdr_have < len ? 5 - s->hdr_have : len;
            memcpy(s->hdr + s->hdr_have, data, take);
            s->hdr_have += take;
            s->bytes += take;
            data += take;
            len -= take;
            if (s->hdr_have < 5)
                break;
            if (!header_plausible(s->hdr)) {
                s->stop = CB_STREAM_NOT_TLS;
                break;
            }
            size_t rl = cb_get_u16(s->hdr + 3);
            s->cur = malloc(rl ? rl : 1);
            if (!s->cur) {
                s->error = 1;
                return -1;
            }
            s->cur_have = 0;
        }
        size_t rl = cb_get_u16(s->hdr + 3);
        size_t take = rl - s->cur_have < len ? rl - s->cur_have : len;
        memcpy(s->cur + s->cur_have, data, take);
        s->cur_have += take;
        s->bytes += take;
        data += take;
        len -= take;
        if (s->cur_have == rl && finish_record(s) != 0) {
            s->error = 1;
            return -1;
        }
    }
    return 0;
}

int cb_records_put(cb_buf *out, uint8_t type, uint16_t version, const uint8_t *p, size_t len, size_t max)
{
    do {
        size_t n = len < max ? len : max;
        cb_buf_u8(out, type);
        cb_buf_u16(out, version);
        cb_buf_u16(out, n);
        cb_buf_put(out, p, n);
        p += n;
        len -= n;
    } while (len > 0);
    return out->oom ? -1 : 0;
}
