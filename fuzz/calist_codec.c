/* calist_codec — the CA-list codec and the truncation models on small lists
 * (max_len 512), fast: calist_codec_big's invariants (codec_checks.h) with
 * caps and record sizes scaled down so that small lists cross them. The
 * real caps (2^14, 2^15, 2^16-1) are calist_codec_big's.
 *
 * Input: the compact list (common/calist_input.h). Options byte: bit 0 the
 * TLS version of the CertificateRequest the list is encoded in and decoded
 * back from (0 TLS 1.2, 1 TLS 1.3, as in client_cr); k = options >> 1 sets
 * the cap N = 4 + 4k (4..512) of three models, one of each kind
 * (all-or-refuse, cap-list, fit-in-message), and the size 64 + 4k of the
 * records the message is framed in. One version per execution, not both,
 * and no separate encoding and decode of the bare vector (the message holds
 * it, and its decode runs the same cb_decode_vector on the same bytes): under ASan+UBSan the decodes
 * were most of an execution's time (README.md, "Speed").
 *
 * Must never see (each aborts naming the invariant):
 *   ROUND-TRIP  a list that does not decode back to the same DNs from its
 *               CertificateRequest
 *   CLASS       a list of valid DNs not classified well-formed (empty when
 *               it has no DN), or with invalid DNs not classified
 *               zero-length-dn / not-der; a wrong duplicates flag
 *   OVERHEAD    a message that is not cb_cr12/13_overhead() + list bytes
 *   MODEL       a model output that is not the longest whole-DN prefix
 *               within cap N, or a verdict that does not match it
 *   RE-ENCODE   arbitrary bytes classified well-formed that do not re-encode
 *               to themselves
 *   RECORDS     the message in records of 64 + 4k bytes that does not come
 *               back whole
 *   WRAPPED     only for a replayed input past 65535 list bytes (libFuzzer
 *               never makes one under max_len)
 * and no out-of-bounds read in any decoder (ASan). */
#include <stdio.h>

#include "calist_input.h"
#include "codec_checks.h"
#include "fuzz.h"
#include "model.h"

/* ASan's quarantine: its default 256 MB of freed memory made every
 * allocation land on fresh pages (3.6 page faults and their zeroing per
 * execution, measured with perf stat). An execution allocates about 15 KB,
 * so 16 MB still keeps a thousand executions' frees poisoned: a
 * use-after-free inside one execution is caught as before. ASAN_OPTIONS in
 * the environment (OSS-Fuzz's) overrides this. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "quarantine_size_mb=16"; }

static cb_model models[128][3];
static char names[128][3][32];

static int init(void)
{
    for (size_t k = 0; k < 128; k++) {
        size_t cap = 4 + 4 * k;
        cb_model tmp;
        snprintf(names[k][2], sizeof(names[k][2]), "fit-in-message %zu", cap);
        const cb_model *fit = cb_model_find(names[k][2], &tmp);
        if (!fit) {
            fprintf(stderr, "calist_codec: \"%s\" is not a model\n", names[k][2]);
            return -1;
        }
        snprintf(names[k][0], sizeof(names[k][0]), "all-or-refuse %zu", cap);
        snprintf(names[k][1], sizeof(names[k][1]), "cap-list %zu", cap);
        models[k][0] = (cb_model){names[k][0], CB_MODEL_ALL_OR_REFUSE, cap, "calist_codec"};
        models[k][1] = (cb_model){names[k][1], CB_MODEL_CAP_LIST, cap, "calist_codec"};
        models[k][2] = *fit;
    }
    return 0;
}

static void one(const uint8_t *data, size_t size)
{
    size_t blen;
    const uint8_t *body = fz_calist_body(data, size, &blen);
    fz_codec_arbitrary(body, blen);
    fz_calist_input in;
    if (fz_calist_view(data, size, &in) != 0)
        fz_oom("parse");
    size_t lb = cb_calist_list_bytes(&in.list), k = in.opts >> 1;
    fz_codec_encodings(&in.list, lb, in.opts & 1 ? FZ_FORM_CR13 : FZ_FORM_CR12, 64 + 4 * k);
    fz_codec_models(models[k], 3, &in.list, lb);
}

CB_FUZZ_TARGET(init, one)
CB_FUZZ_CALIST_MUTATOR()
