#include "codec_checks.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calist_input.h"
#include "codec.h"
#include "fuzz.h"
#include "record.h"

/* Kept between executions (see the header): the encoding, the records, the
 * duplicates table and the models' prefix sums. */
static cb_buf enc, recs;
static size_t *table, table_cap;
static size_t *prefix, prefix_cap;

static void prefix_reserve(size_t count)
{
    if (count + 1 <= prefix_cap)
        return;
    size_t ncap = prefix_cap ? prefix_cap : 64;
    while (ncap < count + 1)
        ncap *= 2;
    size_t *p = realloc(prefix, ncap * sizeof(*p));
    if (!p)
        fz_oom("codec checks");
    prefix = p;
    prefix_cap = ncap;
}

/* has_duplicates: the target's own answer, by a hash table over a hash of
 * each DN's bytes taken a word at a time (the codec sorts FNV-1a hashes
 * taken a byte at a time), so that the two can disagree. dn_hash is the
 * oracle's inner loop, not code under test: no coverage hooks in it (they
 * would cost a call per word). */
#if defined(__clang__)
__attribute__((no_sanitize("coverage")))
#endif
static uint64_t dn_hash(const cb_dn *d)
{
    uint64_t h = d->len * 0x9e3779b97f4a7c15ull;
    size_t i = 0;
    for (; i + 8 <= d->len; i += 8) {
        uint64_t w;
        memcpy(&w, d->der + i, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    if (i < d->len) {
        uint64_t w = 0;
        memcpy(&w, d->der + i, d->len - i);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
    }
    return h ^ (h >> 29);
}

static int has_duplicates(const cb_calist *l)
{
    if (l->count < 2)
        return 0;
    size_t size = 16;
    while (size < 2 * l->count)
        size *= 2;
    if (size > table_cap) {
        free(table);
        table = malloc(size * sizeof(*table));
        if (!table)
            fz_oom("codec checks");
        table_cap = size;
    }
    memset(table, 0, size * sizeof(*table)); /* 0: free; else DN index + 1 */
    for (size_t i = 0; i < l->count; i++) {
        size_t h = (size_t)dn_hash(&l->dns[i]) & (size - 1);
        for (; table[h]; h = (h + 1) & (size - 1))
            if (cb_dn_equal(&l->dns[table[h] - 1], &l->dns[i]))
                return 1;
        table[h] = i + 1;
    }
    return 0;
}

void fz_codec_arbitrary(const uint8_t *p, size_t n)
{
    cb_decoded d;
    if (cb_decode_vector(p, n, &d) != 0)
        fz_oom("decode");
    FZ_CHECK(d.parsed_bytes == cb_calist_list_bytes(&d.dns) && d.parsed_bytes <= d.content_len, "RE-ENCODE",
             "parsed %zu list bytes of %zu present", d.parsed_bytes, d.content_len);
    if (d.cls == CB_CLASS_WELL_FORMED || d.cls == CB_CLASS_EMPTY) {
        enc.len = 0;
        if (cb_encode_vector(&d.dns, &enc) != 0)
            fz_oom("encode");
        FZ_CHECK(enc.len == n && memcmp(enc.p, p, n) == 0, "RE-ENCODE",
                 "%zu bytes classified %s re-encode to %zu bytes", n, cb_class_name(d.cls), enc.len);
    }
    cb_decoded_free(&d);
    for (int v = 0; v < 2; v++) {
        cb_cr_info info;
        if (cb_parse_cr(p, n, v, &info) != 0)
            fz_oom("parse_cr");
        FZ_CHECK(!info.has_list || info.vector_offset + info.vector_avail <= n, "RE-ENCODE",
                 "TLS 1.%d vector at %zu+%zu in %zu bytes", v ? 3 : 2, info.vector_offset, info.vector_avail, n);
        cb_cr_info_free(&info);
    }
}

/* What decoding the encoding of |l| must give; |zero| and |valid| say
 * whether it holds an empty DN and whether every DN is DER. */
static void check_decoded(const cb_decoded *d, const cb_calist *l, size_t lb, int zero, int valid, const char *form)
{
    enum cb_class want = lb > 0xffff ? CB_CLASS_WRAPPED
                         : zero      ? CB_CLASS_ZERO_LEN_DN
                         : !valid    ? CB_CLASS_NOT_DER
                         : l->count  ? CB_CLASS_WELL_FORMED
                                     : CB_CLASS_EMPTY;
    FZ_CHECK(d->cls == want, lb > 0xffff ? "WRAPPED" : "CLASS", "%s of %zu DNs, %zu list bytes: %s, expected %s", form,
             l->count, lb, cb_class_name(d->cls), cb_class_name(want));
    FZ_CHECK(cb_calist_equal(&d->dns, l) && d->parsed_bytes == lb, "ROUND-TRIP", "%s: %zu DNs (%zu bytes) back of %zu (%zu)",
             form, d->dns.count, d->parsed_bytes, l->count, lb);
}

static void check_records(const cb_buf *m, size_t record_size)
{
    recs.len = 0;
    size_t n = 0;
    for (size_t off = 0; off < m->len; off += record_size, n++) {
        size_t k = m->len - off < record_size ? m->len - off : record_size;
        cb_buf_u8(&recs, CB_CT_HANDSHAKE);
        cb_buf_u16(&recs, 0x0303);
        cb_buf_u16(&recs, k);
        cb_buf_put(&recs, m->p + off, k);
    }
    cb_stream s;
    cb_stream_init(&s);
    if (recs.oom || cb_stream_feed(&s, recs.p, recs.len) != 0)
        fz_oom("records");
    FZ_CHECK(s.n_records == n && s.oversize_plain == 0 && s.hs.count == 1 && s.hs.msgs[0].len == m->len - 4 &&
                 memcmp(s.hs.msgs[0].body, m->p + 4, m->len - 4) == 0 && s.hs.msgs[0].last_record == n - 1,
             "RECORDS", "a %zu-byte message in %zu records of %zu came back as %zu messages", m->len, n, record_size,
             s.hs.count);
    cb_stream_free(&s);
}

/* check_dups: the codec's duplicates flag against the target's own. */
static void check_dups(const cb_decoded *d, const cb_calist *l, const char *form)
{
    FZ_CHECK(!(d->flags & CB_FLAG_DUPLICATES) == !has_duplicates(l), "CLASS", "%s: duplicates flag %d is wrong", form,
             !!(d->flags & CB_FLAG_DUPLICATES));
}

void fz_codec_encodings(const cb_calist *l, size_t lb, unsigned forms, size_t record_size)
{
    int zero = 0, valid = fz_calist_valid(l), dups_checked = 0, framed = 0;
    for (size_t i = 0; i < l->count; i++)
        zero |= l->dns[i].len == 0;
    if (forms & FZ_FORM_VECTOR) {
        enc.len = 0;
        if (cb_encode_vector(l, &enc) != 0)
            fz_oom("vector");
        FZ_CHECK(enc.len == 2 + lb, "OVERHEAD", "vector of %zu list bytes is %zu bytes", lb, enc.len);
        cb_decoded d;
        if (cb_decode_vector(enc.p, enc.len, &d) != 0)
            fz_oom("vector");
        check_decoded(&d, l, lb, zero, valid, "vector");
        check_dups(&d, l, "vector");
        dups_checked = 1;
        cb_decoded_free(&d);
    }
    for (int v = 0; v < 2; v++) {
        if (!(forms & (v ? FZ_FORM_CR13 : FZ_FORM_CR12)))
            continue;
        const char *form = v ? "TLS 1.3 CertificateRequest" : "TLS 1.2 CertificateRequest";
        cb_cr_info info;
        enc.len = 0;
        if ((v ? cb_encode_cr13(l, &enc) : cb_encode_cr12(l, &enc)) != 0 ||
            cb_parse_cr(enc.p + 4, enc.len - 4, v, &info) != 0)
            fz_oom("message");
        size_t ov = v ? cb_cr13_overhead() : cb_cr12_overhead();
        FZ_CHECK(enc.len == ov + lb && cb_get_u24(enc.p + 1) == enc.len - 4, "OVERHEAD",
                 "TLS 1.%d message of %zu list bytes is %zu bytes", v ? 3 : 2, lb, enc.len);
        FZ_CHECK(info.structure_ok && info.has_list, "ROUND-TRIP", "TLS 1.%d message does not parse", v ? 3 : 2);
        check_decoded(&info.list, l, lb, zero, valid, form);
        if (!dups_checked)
            check_dups(&info.list, l, form);
        dups_checked = 1;
        cb_cr_info_free(&info);
        if (!framed)
            check_records(&enc, record_size);
        framed = 1;
    }
}

static void check_model(const cb_model *m, const cb_calist *l, size_t lb)
{
    /* Only fit-in-message depends on the message's overhead (the version). */
    for (int v = 0; v < (m->kind == CB_MODEL_FIT_MESSAGE ? 2 : 1); v++) {
        size_t ov = v ? cb_cr13_overhead() : cb_cr12_overhead();
        cb_model_result r = cb_model_apply(m, l, ov);
        if (m->kind == CB_MODEL_ALL_OR_REFUSE) {
            int full = lb <= m->cap;
            FZ_CHECK(full ? r.verdict == CB_MV_FULL && r.kept == l->count && r.list_bytes == lb
                          : r.verdict == CB_MV_REFUSED && r.kept == 0,
                     "MODEL", "%s on %zu list bytes: %s", m->name, lb, cb_model_verdict_name(r.verdict));
            continue;
        }
        size_t budget = m->kind == CB_MODEL_CAP_LIST ? m->cap : m->cap > ov ? m->cap - ov : 0;
        FZ_CHECK(r.kept <= l->count && r.list_bytes == prefix[r.kept] && r.list_bytes <= budget, "MODEL",
                 "%s (TLS 1.%d) kept %zu DNs, %zu list bytes, budget %zu", m->name, v ? 3 : 2, r.kept, r.list_bytes,
                 budget);
        FZ_CHECK(r.kept == l->count || prefix[r.kept + 1] > budget, "MODEL", "%s stopped at DN %zu although it fits",
                 m->name, r.kept);
        enum cb_model_verdict want = r.kept == l->count ? CB_MV_FULL : r.kept ? CB_MV_TRUNCATED : CB_MV_EMPTY;
        FZ_CHECK(r.verdict == want, "MODEL", "%s: verdict %s for %zu of %zu DNs", m->name,
                 cb_model_verdict_name(r.verdict), r.kept, l->count);
        FZ_CHECK(m->kind != CB_MODEL_FIT_MESSAGE || m->cap < ov || ov + r.list_bytes <= m->cap, "MODEL",
                 "%s: a %zu-byte message", m->name, ov + r.list_bytes);
    }
}

void fz_codec_models(const cb_model *models, size_t n, const cb_calist *l, size_t lb)
{
    prefix_reserve(l->count);
    prefix[0] = 0;
    for (size_t i = 0; i < l->count; i++)
        prefix[i + 1] = prefix[i] + 2 + l->dns[i].len;
    for (size_t i = 0; i < n; i++)
        check_model(&models[i], l, lb);
}
