/* server_calist_STACK — STACK's server builds a TLS 1.2 CertificateRequest
 * for a list the input chooses, in memory, for a client of the same stack;
 * the oracle's server rules run on the bytes it sent.
 *
 * Input: the compact list (common/calist_input.h); the mutator builds DNs
 * with cb_dn_build and steers the totals onto the 2^14/2^16 boundaries.
 * Options byte: bits 0-1 pick the list source among those the stack has
 * (explicit names, trust anchors, raw bytes). TLS 1.2 only: a TLS 1.3
 * CertificateRequest is encrypted, and measuring it needs the traffic
 * secrets (the harness does that; this target does not).
 *
 * Must never see: CA-PREFIX (the list on the wire is not well-formed, or not
 * the configured list or a whole-DN prefix of it), REC-2E14 (a plaintext
 * record over 2^14), REFUSAL (a server that stops inside its
 * CertificateRequest), API-WIRE (the same stack's client exposes another
 * list than the wire's), NO-HANG, a crash or a leak. Findings listed in
 * fuzz/known-findings.txt are counted and let through. */
#include "calist_input.h"
#include "codec.h"
#include "fuzz.h"
#include "pair.h"

static enum fz_source sources[3];
static size_t n_sources;

static int init(void)
{
    static const enum fz_source all[] = {FZ_SRC_EXPLICIT, FZ_SRC_TRUST, FZ_SRC_RAW};
    for (size_t i = 0; i < 3; i++)
        if (fz_stack_supports(0, all[i]))
            sources[n_sources++] = all[i];
    return n_sources ? fz_stack_init() : -1;
}

static void one(const uint8_t *data, size_t size)
{
    fz_calist_input in;
    if (fz_calist_parse(data, size, &in) != 0)
        fz_oom("parse");
    fz_pair_conf c = {0, sources[(in.opts & 3u) % n_sources], &in.list, NULL, 0, NULL, 0};
    fz_pair_result r;
    fz_pair_result_init(&r);
    fz_stack_run(&c, &r);
    fz_pair_trace(&c, &r);
    if (!r.refused_setup) {
        cb_calist wire;
        cb_calist_init(&wire);
        int cls = fz_check_server(&r, &wire);
        if (cls >= 0 && r.cr_seen)
            fz_check_api(&r, &wire, cls, "the server's own list");
        cb_calist_free(&wire);
    }
    fz_pair_result_free(&r);
    fz_calist_input_free(&in);
}

CB_FUZZ_TARGET(init, one)
CB_FUZZ_CALIST_MUTATOR()
