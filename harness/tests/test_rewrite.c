/* The in-flight rewriter: the CertificateRequest leaves with the new vector,
 * every other message and the bytes after ChangeCipherSpec leave unchanged,
 * records stay within 2^14, whatever the chunking of the input. */
#include "check.h"
#include "codec.h"
#include "listgen.h"
#include "rewrite.h"

static void flight(cb_buf *s, const cb_calist *l)
{
    cb_buf hs;
    cb_buf_init(&hs);
    uint8_t hello[] = {2, 0, 0, 2, 3, 3};
    cb_buf_put(&hs, hello, sizeof(hello));
    cb_encode_cr12(l, &hs);
    uint8_t done[] = {14, 0, 0, 0};
    cb_buf_put(&hs, done, sizeof(done));
    cb_buf_init(s);
    cb_records_put(s, 22, 0x0303, hs.p, hs.len, 5000); /* the server's own framing */
    uint8_t ccs[] = {20, 3, 3, 0, 1, 1, 23, 3, 3, 0, 3, 'a', 'b', 'c'};
    cb_buf_put(s, ccs, sizeof(ccs));
    cb_buf_free(&hs);
}

static int check_out(const cb_buf *out, const cb_buf *vec, size_t *maxrec)
{
    cb_stream st;
    cb_stream_init(&st);
    cb_stream_feed(&st, out->p, out->len);
    int ok = st.hs.count == 3 && st.hs.msgs[0].type == 2 && st.hs.msgs[2].type == 14;
    *maxrec = 0;
    for (size_t i = 0; i < st.n_records; i++)
        if (st.records[i].type == 22 && st.records[i].len > *maxrec)
            *maxrec = st.records[i].len;
    if (ok) {
        cb_cr_info info;
        cb_parse_cr(st.hs.msgs[1].body, st.hs.msgs[1].len, 0, &info);
        ok = info.structure_ok && info.vector_avail == vec->len &&
             memcmp(st.hs.msgs[1].body + info.vector_offset, vec->p, vec->len) == 0;
        cb_cr_info_free(&info);
    }
    /* The encrypted tail passes through byte for byte. */
    ok = ok && out->len >= 8 && memcmp(out->p + out->len - 8, "\x17\x03\x03\x00\x03" "abc", 8) == 0;
    cb_stream_free(&st);
    return ok;
}

int main(void)
{
    cb_calist l, inj;
    char err[200];
    cb_listgen g = {30000, 40, 120, 3, NULL, NULL, NULL}, gi = {20000, 40, 120, 4, NULL, NULL, NULL};
    cb_calist_init(&l);
    cb_calist_init(&inj);
    CHECK(cb_listgen_build(&g, &l, err, sizeof(err)) == 0);
    CHECK(cb_listgen_build(&gi, &inj, err, sizeof(err)) == 0);
    cb_buf s, vec;
    flight(&s, &l);
    cb_buf_init(&vec);
    cb_encode_vector(&inj, &vec);
    static const size_t chunks[] = {1, 7, 4096, 1 << 20};
    for (size_t c = 0; c < 4; c++) {
        cb_rewriter w;
        cb_rewriter_init(&w, vec.p, vec.len);
        cb_buf out;
        cb_buf_init(&out);
        size_t failed = 0;
        for (size_t off = 0; off < s.len; off += chunks[c])
            failed += cb_rewriter_feed(&w, s.p + off, off + chunks[c] < s.len ? chunks[c] : s.len - off, &out) != 0;
        CHECK_EQ(failed, 0);
        size_t maxrec;
        CHECK(check_out(&out, &vec, &maxrec));
        CHECK(maxrec <= CB_MAX_PLAINTEXT);
        CHECK(w.rewritten);
        cb_buf_free(&out);
        cb_rewriter_free(&w);
    }
    cb_buf_free(&s);
    cb_buf_free(&vec);
    cb_calist_free(&l);
    cb_calist_free(&inj);
    CHECK_DONE();
}
