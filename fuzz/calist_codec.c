/* calist_codec — the CA-list codec of both TLS versions and the truncation
 * models, driven by a structure-aware mutator over a list of DNs.
 *
 * Input: the compact list (common/calist_input.h). Options byte: one extra
 * "fit-in-message N" model, N = 4 + 257 * options.
 *
 * Must never see (each aborts naming the invariant):
 *   ROUND-TRIP  a list up to 65535 list bytes that does not decode back to
 *               the same DNs, from the vector, the TLS 1.2 CertificateRequest
 *               or the TLS 1.3 one
 *   CLASS       such a list of valid DNs not classified well-formed (empty
 *               when it has no DN), or with invalid DNs not classified
 *               zero-length-dn / not-der; a wrong duplicates flag
 *   WRAPPED     a list over 65535 list bytes not classified wrapped-length
 *   OVERHEAD    a message that is not cb_cr12/13_overhead() + list bytes
 *   MODEL       a model whose output is not the longest whole-DN prefix
 *               within its cap, or a verdict that does not match it
 *   RE-ENCODE   arbitrary bytes classified well-formed that do not re-encode
 *               to themselves
 *   RECORDS     records of <= 2^14 that do not carry the message back
 * and no out-of-bounds read in any decoder (ASan). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calist_input.h"
#include "codec.h"
#include "fuzz.h"
#include "model.h"
#include "record.h"

static int init(void) { return 0; }

static int dn_cmp(const void *x, const void *y)
{
    const cb_dn *a = *(const cb_dn *const *)x, *b = *(const cb_dn *const *)y;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return a->len ? memcmp(a->der, b->der, a->len) : 0;
}

static int has_duplicates(const cb_calist *l)
{
    const cb_dn **v = malloc((l->count + 1) * sizeof(*v));
    if (!v)
        fz_oom("has_duplicates");
    for (size_t i = 0; i < l->count; i++)
        v[i] = &l->dns[i];
    qsort(v, l->count, sizeof(*v), dn_cmp);
    int dup = 0;
    for (size_t i = 1; i < l->count && !dup; i++)
        dup = dn_cmp(&v[i - 1], &v[i]) == 0;
    free(v);
    return dup;
}

/* Arbitrary bytes as a vector and as CertificateRequest bodies. */
static void check_arbitrary(const uint8_t *p, size_t n)
{
    cb_decoded d;
    if (cb_decode_vector(p, n, &d) != 0)
        fz_oom("decode");
    FZ_CHECK(d.parsed_bytes == cb_calist_list_bytes(&d.dns) && d.parsed_bytes <= d.content_len, "RE-ENCODE",
             "parsed %zu list bytes of %zu present", d.parsed_bytes, d.content_len);
    if (d.cls == CB_CLASS_WELL_FORMED || d.cls == CB_CLASS_EMPTY) {
        cb_buf b;
        cb_buf_init(&b);
        if (cb_encode_vector(&d.dns, &b) != 0)
            fz_oom("encode");
        FZ_CHECK(b.len == n && memcmp(b.p, p, n) == 0, "RE-ENCODE", "%zu bytes classified %s re-encode to %zu bytes",
                 n, cb_class_name(d.cls), b.len);
        cb_buf_free(&b);
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

/* What decoding the encoding of |l| must give. */
static void check_decoded(const cb_decoded *d, const cb_calist *l, size_t lb, const char *form)
{
    int zero = 0, valid = fz_calist_valid(l);
    for (size_t i = 0; i < l->count; i++)
        zero |= l->dns[i].len == 0;
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

static void check_records(const cb_buf *m)
{
    cb_buf recs;
    cb_buf_init(&recs);
    size_t n = 0;
    for (size_t off = 0; off < m->len; off += CB_MAX_PLAINTEXT, n++) {
        size_t k = m->len - off < CB_MAX_PLAINTEXT ? m->len - off : CB_MAX_PLAINTEXT;
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
             "RECORDS", "a %zu-byte message in %zu records came back as %zu messages", m->len, n, s.hs.count);
    cb_stream_free(&s);
    cb_buf_free(&recs);
}

static void check_encodings(const cb_calist *l, size_t lb)
{
    cb_buf b;
    cb_decoded d;
    cb_buf_init(&b);
    if (cb_encode_vector(l, &b) != 0 || cb_decode_vector(b.p, b.len, &d) != 0)
        fz_oom("vector");
    FZ_CHECK(b.len == 2 + lb, "OVERHEAD", "vector of %zu list bytes is %zu bytes", lb, b.len);
    check_decoded(&d, l, lb, "vector");
    FZ_CHECK(!(d.flags & CB_FLAG_DUPLICATES) == !has_duplicates(l), "CLASS", "duplicates flag %d is wrong",
             !!(d.flags & CB_FLAG_DUPLICATES));
    cb_decoded_free(&d);
    for (int v = 0; v < 2; v++) {
        cb_cr_info info;
        b.len = 0;
        if ((v ? cb_encode_cr13(l, &b) : cb_encode_cr12(l, &b)) != 0 || cb_parse_cr(b.p + 4, b.len - 4, v, &info) != 0)
            fz_oom("message");
        size_t ov = v ? cb_cr13_overhead() : cb_cr12_overhead();
        FZ_CHECK(b.len == ov + lb && cb_get_u24(b.p + 1) == b.len - 4, "OVERHEAD",
                 "TLS 1.%d message of %zu list bytes is %zu bytes", v ? 3 : 2, lb, b.len);
        FZ_CHECK(info.structure_ok && info.has_list, "ROUND-TRIP", "TLS 1.%d message does not parse", v ? 3 : 2);
        check_decoded(&info.list, l, lb, v ? "TLS 1.3 CertificateRequest" : "TLS 1.2 CertificateRequest");
        cb_cr_info_free(&info);
        if (!v)
            check_records(&b);
    }
    cb_buf_free(&b);
}

static void check_model(const cb_model *m, const cb_calist *l, size_t lb, const size_t *prefix)
{
    for (int v = 0; v < 2; v++) {
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

static void check_models(const cb_calist *l, size_t lb, uint8_t opts)
{
    size_t *prefix = malloc((l->count + 1) * sizeof(*prefix));
    if (!prefix)
        fz_oom("models");
    prefix[0] = 0;
    for (size_t i = 0; i < l->count; i++)
        prefix[i + 1] = prefix[i] + 2 + l->dns[i].len;
    for (const cb_model *m = cb_models(); m->name; m++)
        check_model(m, l, lb, prefix);
    size_t caps[] = {16384, 16388, 65535, 65539, 4 + 257 * (size_t)opts};
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        char name[48];
        cb_model tmp;
        snprintf(name, sizeof(name), "fit-in-message %zu", caps[i]);
        const cb_model *m = cb_model_find(name, &tmp);
        FZ_CHECK(m != NULL, "MODEL", "\"%s\" is not a model", name);
        check_model(m, l, lb, prefix);
    }
    free(prefix);
}

static void one(const uint8_t *data, size_t size)
{
    size_t blen;
    const uint8_t *body = fz_calist_body(data, size, &blen);
    check_arbitrary(body, blen);
    fz_calist_input in;
    if (fz_calist_parse(data, size, &in) != 0)
        fz_oom("parse");
    size_t lb = cb_calist_list_bytes(&in.list);
    check_encodings(&in.list, lb);
    check_models(&in.list, lb, in.opts);
    fz_calist_input_free(&in);
}

CB_FUZZ_TARGET(init, one)
CB_FUZZ_CALIST_MUTATOR()
