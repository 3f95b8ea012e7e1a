#include "rewrite.h"

#include <string.h>

#include "codec.h"

void cb_rewriter_init(cb_rewriter *w, const uint8_t *vector, size_t vector_len)
{
    memset(w, 0, sizeof(*w));
    w->vector = vector;
    w->vector_len = vector_len;
    cb_stream_init(&w->in);
    cb_hs_reasm_init(&w->hs);
}

void cb_rewriter_free(cb_rewriter *w)
{
    cb_stream_free(&w->in);
    cb_hs_reasm_free(&w->hs);
    cb_buf_free(&w->seen);
}

int cb_rewriter_feed(cb_rewriter *w, const uint8_t *data, size_t len, cb_buf *out)
{
    if (w->passthrough)
        return cb_buf_put(out, data, len);
    cb_buf_put(&w->seen, data, len);
    if (cb_stream_feed(&w->in, data, len) != 0 || w->seen.oom)
        return -1;
    for (; w->records_done < w->in.n_records; w->records_done++) {
        cb_record *r = &w->in.records[w->records_done];
        if (r->type != CB_CT_HANDSHAKE) {
            w->passthrough = 1;
            return cb_buf_put(out, w->seen.p + r->offset, w->seen.len - r->offset);
        }
        if (cb_hs_reasm_add(&w->hs, r->payload, r->len, w->records_done) != 0)
            return -1;
        for (; w->msgs_done < w->hs.count; w->msgs_done++) {
            cb_hs_msg *m = &w->hs.msgs[w->msgs_done];
            cb_buf msg;
            cb_buf_init(&msg);
            cb_buf_u8(&msg, m->type);
            if (m->type == CB_HS_CERTIFICATE_REQUEST && !w->rewritten) {
                cb_cr_info info;
                if (cb_parse_cr(m->body, m->len, 0, &info) != 0)
                    return -1;
                size_t keep = info.structure_ok ? info.vector_offset : m->len;
                cb_cr_info_free(&info);
                cb_buf_u24(&msg, keep + w->vector_len);
                cb_buf_put(&msg, m->body, keep);
                cb_buf_put(&msg, w->vector, w->vector_len);
                w->rewritten = 1;
            } else {
                cb_buf_u24(&msg, m->len);
                cb_buf_put(&msg, m->body, m->len);
            }
            int bad = msg.oom || cb_records_put(out, CB_CT_HANDSHAKE, r->version, msg.p, msg.len, CB_MAX_PLAINTEXT) != 0;
            cb_buf_free(&msg);
            if (bad)
                return -1;
        }
    }
    if (w->in.stop == CB_STREAM_NOT_TLS) { /* not TLS: not ours to judge, pass it on */
        w->passthrough = 1;
        const cb_record *last = w->in.n_records ? &w->in.records[w->in.n_records - 1] : NULL;
        size_t from = last ? last->offset + 5 + last->len : 0;
        cb_buf_put(out, w->seen.p + from, w->seen.len - from);
    }
    return out->oom ? -1 : 0;
}
