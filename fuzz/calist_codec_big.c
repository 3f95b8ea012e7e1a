/* calist_codec_big — the CA-list codec and the truncation models on lists
 * up to 140000 bytes: past 2^14, 2^15 and 2^16-1 list bytes, where lengths
 * wrap, the models' caps bite and a message needs several records. Slow
 * (a few hundred executions a second under ASan+UBSan: every execution
 * encodes and decodes tens of kilobytes several times, see README.md);
 * calist_codec checks the same invariants on small lists, fast.
 *
 * Input: the compact list (common/calist_input.h). Options byte: one extra
 * "fit-in-message N" model, N = 4 + 257 * options.
 *
 * Must never see (each aborts naming the invariant, codec_checks.h):
 *   ROUND-TRIP  a list up to 65535 list bytes that does not decode back to
 *               the same DNs, from the vector, the TLS 1.2 CertificateRequest
 *               or the TLS 1.3 one
 *   CLASS       such a list of valid DNs not classified well-formed (empty
 *               when it has no DN), or with invalid DNs not classified
 *               zero-length-dn / not-der; a wrong duplicates flag
 *   WRAPPED     a list over 65535 list bytes not classified wrapped-length
 *   OVERHEAD    a message that is not cb_cr12/13_overhead() + list bytes
 *   MODEL       the built-in models (rfc 65535, schannel-16k) and
 *               fit-in-message 16384, 16388, 65535, 65539 and N: an output
 *               that is not the longest whole-DN prefix within the cap, or a
 *               verdict that does not match it
 *   RE-ENCODE   arbitrary bytes classified well-formed that do not re-encode
 *               to themselves
 *   RECORDS     the TLS 1.2 message in records of 2^14 that does not come
 *               back whole
 * and no out-of-bounds read in any decoder (ASan). */
#include <stdio.h>

#include "calist_input.h"
#include "codec_checks.h"
#include "fuzz.h"
#include "model.h"
#include "record.h"

#define N_FIXED 4
#define N_BUILTIN_MAX 8

/* models[0..n_base): the built-ins and the fixed caps; the option byte's
 * model goes in models[n_base]. Names live in |names| (cb_model_find keeps
 * a pointer to its argument). */
static cb_model models[N_BUILTIN_MAX + N_FIXED + 1], by_opts[256];
static char names[N_FIXED + 256][32];
static size_t n_base;

static int find(size_t cap, char *name, cb_model *out)
{
    cb_model tmp;
    snprintf(name, sizeof(names[0]), "fit-in-message %zu", cap);
    const cb_model *m = cb_model_find(name, &tmp);
    if (!m) {
        fprintf(stderr, "calist_codec_big: \"%s\" is not a model\n", name);
        return -1;
    }
    *out = *m;
    return 0;
}

static int init(void)
{
    for (const cb_model *m = cb_models(); m->name; m++) {
        if (n_base == N_BUILTIN_MAX) {
            fprintf(stderr, "calist_codec_big: more than %d built-in models\n", N_BUILTIN_MAX);
            return -1;
        }
        models[n_base++] = *m;
    }
    static const size_t caps[N_FIXED] = {16384, 16388, 65535, 65539};
    for (size_t i = 0; i < N_FIXED; i++)
        if (find(caps[i], names[i], &models[n_base++]) != 0)
            return -1;
    for (size_t o = 0; o < 256; o++)
        if (find(4 + 257 * o, names[N_FIXED + o], &by_opts[o]) != 0)
            return -1;
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
    size_t lb = cb_calist_list_bytes(&in.list);
    fz_codec_encodings(&in.list, lb, FZ_FORM_ALL, CB_MAX_PLAINTEXT);
    models[n_base] = by_opts[in.opts];
    fz_codec_models(models, n_base + 1, &in.list, lb);
}

CB_FUZZ_TARGET(init, one)
CB_FUZZ_CALIST_MUTATOR()
