/* client_cr_STACK — STACK's client receives a CertificateRequest whose
 * certificate_authorities list is the fuzz input, from a server of the same
 * stack, in memory.
 *
 * Input: the compact list (common/calist_input.h). Options byte:
 *   bit 0     TLS 1.3, where the stack's server can be given the list (raw
 *             bytes for BoringSSL, names for OpenSSL, trust anchors for
 *             GnuTLS and NSS); else TLS 1.2
 *   bits 1-4  m: 0 sends the entries as they are (an incomplete last entry
 *             stays after them); m >= 1 sends malformation m-1 of
 *             cb_malform_names() built around the list
 * TLS 1.2: the server sends an empty list and its CertificateRequest is
 * rewritten in flight with the vector (harness/lib/rewrite.h), records <= 2^14.
 * TLS 1.3 encrypts the message, so the server itself is given the DNs.
 *
 * Must never see: a crash, leak or out-of-bounds access in the stack;
 * a handshake that never settles (NO-HANG); a client API that exposes DNs
 * other than those sent when the list sent was well-formed (API-WIRE). */
#include "calist_input.h"
#include "codec.h"
#include "fuzz.h"
#include "malform.h"
#include "pair.h"

static size_t n_malform;

static int init(void)
{
    while (cb_malform_names()[n_malform])
        n_malform++;
    return fz_stack_init();
}

static void one(const uint8_t *data, size_t size)
{
    fz_calist_input in;
    if (fz_calist_parse(data, size, &in) != 0)
        fz_oom("parse");
    unsigned m = (in.opts >> 1) & 15u;
    const char *bad = m && m <= n_malform ? cb_malform_names()[m - 1] : NULL;
    enum fz_source src13 = fz_stack_supports(1, FZ_SRC_RAW)        ? FZ_SRC_RAW
                           : fz_stack_supports(1, FZ_SRC_EXPLICIT) ? FZ_SRC_EXPLICIT
                                                                   : FZ_SRC_TRUST;
    int tls13 = (in.opts & 1) && fz_stack_supports(1, src13);
    fz_pair_result r;
    fz_pair_result_init(&r);
    cb_buf vec;
    cb_buf_init(&vec);
    if (tls13) {
        cb_calist l13;
        cb_calist_init(&l13);
        const cb_calist *list = bad && cb_malform_list(bad, &in.list, &l13) == 0 ? &l13 : &in.list;
        fz_pair_conf c = {1, src13, list, NULL, 0, NULL, 0};
        fz_stack_run(&c, &r);
        fz_pair_trace(&c, &r);
        cb_encode_vector(&r.configured, &vec); /* what the server was given is what it sends */
        cb_calist_free(&l13);
    } else {
        size_t blen;
        const uint8_t *body = fz_calist_body(data, size, &blen);
        if (!bad || cb_malform_vector(bad, &in.list, &vec) != 0) {
            vec.len = 0;
            cb_buf_u16(&vec, cb_calist_list_bytes(&in.list));
            cb_buf_put(&vec, body, blen);
        }
        cb_rewriter w;
        cb_rewriter_init(&w, vec.p, vec.len);
        fz_pair_conf c = {0, FZ_SRC_NONE, NULL, &w, 0, NULL, 0};
        fz_stack_run(&c, &r);
        fz_pair_trace(&c, &r);
        cb_rewriter_free(&w);
    }
    cb_decoded sent;
    if (vec.oom || cb_decode_vector(vec.p, vec.len, &sent) != 0)
        fz_oom("decode");
    fz_check_api(&r, &sent.dns, (int)sent.cls, tls13 ? "TLS 1.3" : "TLS 1.2");
    cb_decoded_free(&sent);
    cb_buf_free(&vec);
    fz_pair_result_free(&r);
    fz_calist_input_free(&in);
}

CB_FUZZ_TARGET(init, one)
CB_FUZZ_CALIST_MUTATOR()
