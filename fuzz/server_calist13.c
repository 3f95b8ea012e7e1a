/* server_calist13_STACK — STACK's server sends a TLS 1.3 CertificateRequest
 * carrying certificate_authorities for a list the input chooses, in memory,
 * to a client of the same stack; the checks run on what that client's API
 * exposes (the extension is encrypted on the wire, and decrypting it would
 * put libcrypto beside stacks that export the same symbols: README.md,
 * Trade-offs) and on the record framing the server sent.
 *
 * Built for the stacks whose TLS 1.3 server sends the extension: OpenSSL
 * (construct_ca_names in ssl/statem/statem_lib.c), BoringSSL, GnuTLS (the
 * certificate_authorities extension, lib/ext/... send), NSS
 * (ssl_SendCertificateAuthoritiesXtn) and wolfSSL from 5.9 (TLSX_CA_Names_Write
 * in src/tls.c; 5.5.4 has no such extension). Input: the compact list; options
 * bits 0-1 pick the list source among those the stack has in TLS 1.3.
 *
 * Must never see: CA-PREFIX (through the client API: the list the same
 * stack's client received is not the configured list or a whole-DN prefix of
 * it; detail "api" when the DNs' bytes are compared, "api-count" when the
 * client keeps only their number, wolfSSL), REC-2E14 (detail "ciphertext": a
 * record longer than 2^14 + 256, the TLS 1.3 ciphertext bound of RFC 8446
 * 5.2), NO-HANG, a crash or a leak. Findings in fuzz/known-findings.txt are
 * counted and let through. */
#include <stdio.h>

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
        if (fz_stack_supports(1, all[i]))
            sources[n_sources++] = all[i];
    if (!n_sources) {
        fprintf(stderr, "cabound-fuzz: %s has no TLS 1.3 list source\n", fz_stack);
        return -1;
    }
    return fz_stack_init();
}

/* check_records: every record the server sent fits the TLS 1.3 ciphertext
 * bound (the plaintext ones before it, ServerHello, fit 2^14 anyway). */
static void check_records(const cb_buf *s2c)
{
    size_t off = 0, largest = 0;
    while (off + 5 <= s2c->len) {
        size_t len = (size_t)s2c->p[off + 3] << 8 | s2c->p[off + 4];
        if (len > largest)
            largest = len;
        off += 5 + len;
    }
    FZ_RULE(largest <= 16384 + 256, fz_stack, "REC-2E14", "ciphertext",
            "a TLS 1.3 record of %zu bytes (over 2^14 + 256)", largest);
}

static void one(const uint8_t *data, size_t size)
{
    fz_calist_input in;
    if (fz_calist_parse(data, size, &in) != 0)
        fz_oom("parse");
    fz_pair_conf c = {1, sources[(in.opts & 3u) % n_sources], &in.list, NULL, 0, NULL, 0};
    fz_pair_result r;
    fz_pair_result_init(&r);
    fz_stack_run(&c, &r);
    fz_pair_trace(&c, &r);
    if (!r.refused_setup) {
        check_records(&r.s2c);
        if (r.cr_seen && r.exposed && r.exposed_bytes) {
            /* A whole-DN prefix of what the server took, in its order. */
            int ok = r.got.count <= r.configured.count;
            if (ok) {
                cb_calist pre;
                cb_calist_init(&pre);
                if (cb_calist_copy_prefix(&pre, &r.configured, r.got.count) != 0)
                    fz_oom("prefix");
                ok = cb_calist_equal(&pre, &r.got);
                cb_calist_free(&pre);
            }
            FZ_RULE(ok, fz_stack, "CA-PREFIX", "api",
                    "TLS 1.3: the client API exposed %zu DNs (%zu list bytes), not the %zu configured "
                    "(%zu list bytes) or a whole-DN prefix of them",
                    r.got.count, cb_calist_list_bytes(&r.got), r.configured.count,
                    cb_calist_list_bytes(&r.configured));
        } else if (r.cr_seen && r.exposed) {
            FZ_RULE(r.got.count <= r.configured.count, fz_stack, "CA-PREFIX", "api-count",
                    "TLS 1.3: the client API exposed %zu DNs for %zu configured", r.got.count,
                    r.configured.count);
        }
    }
    fz_pair_result_free(&r);
    fz_calist_input_free(&in);
}

CB_FUZZ_TARGET(init, one)
CB_FUZZ_CALIST_MUTATOR()
