/* calist_input.h — the compact binary form of a CA list that the list-driven
 * fuzz targets (calist_codec, client_cr_*, server_calist_*) take as input,
 * and the structure-aware mutator over it.
 *
 * Format:
 *     byte 0      options, meaning chosen by each target
 *     then        repeated [u16 length, big-endian][length bytes]: one DN each
 *     then        an incomplete final entry, if any, kept verbatim as "trail"
 * The entries are exactly the content of a TLS DN vector, so a seed is
 * readable with `cabound decode` after prefixing the 2-byte outer length.
 *
 * The mutator follows libFuzzer's structure-aware recipe: parse (an empty
 * input parses to a valid dummy), mutate the parsed list (add, remove,
 * resize, split, duplicate, reorder DNs, mutate one DN's bytes with
 * LLVMFuzzerMutate, steer the totals onto 2^14/2^15/2^16 +-2 for list,
 * vector, extension, TLS 1.2 and TLS 1.3 message bytes), serialise. */
#ifndef CABOUND_FUZZ_CALIST_INPUT_H
#define CABOUND_FUZZ_CALIST_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "calist.h"

typedef struct fz_calist_input {
    uint8_t opts;
    cb_calist list;      /* the whole entries, in order */
    const uint8_t *trail; /* bytes of an incomplete final entry (into the input) */
    size_t trail_len;
} fz_calist_input;

/* fz_calist_parse reads |data|/|size| into |out|. Any bytes parse (an empty
 * input is options 0 and no DN). Returns 0, or -1 when memory runs out. */
int fz_calist_parse(const uint8_t *data, size_t size, fz_calist_input *out);
void fz_calist_input_free(fz_calist_input *in);

/* fz_calist_view reads like fz_calist_parse without copying a DN: the
 * entries point into |data| (valid while it is) and the array of them is
 * kept for the next call, so a small input costs no allocation (under ASan
 * a malloc per DN weighs more than checking it). Do not free the list or
 * write through it; the next call reuses it. Returns 0, or -1 when memory
 * runs out. */
int fz_calist_view(const uint8_t *data, size_t size, fz_calist_input *out);

/* fz_calist_body returns the entries and trail as they appear in the input
 * (everything after the options byte). */
static inline const uint8_t *fz_calist_body(const uint8_t *data, size_t size, size_t *len)
{
    *len = size ? size - 1 : 0;
    return size ? data + 1 : data;
}

/* fz_calist_valid reports whether every DN is non-empty DER (a Name). */
int fz_calist_valid(const cb_calist *l);

/* fz_calist_serialise writes the compact form into |out| (room |max|),
 * dropping trailing DNs that do not fit. Returns the size written. */
size_t fz_calist_serialise(uint8_t opts, const cb_calist *l, const uint8_t *trail, size_t trail_len,
                           uint8_t *out, size_t max);

/* The mutator and cross-over behind LLVMFuzzerCustomMutator and
 * LLVMFuzzerCustomCrossOver; CB_FUZZ_CALIST_MUTATOR() wires them in. */
size_t fz_calist_mutate(uint8_t *data, size_t size, size_t max, unsigned seed);
size_t fz_calist_crossover(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2, uint8_t *out,
                           size_t max, unsigned seed);

#define CB_FUZZ_CALIST_MUTATOR()                                                                   \
    size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) \
    {                                                                                              \
        return fz_calist_mutate(data, size, max_size, seed);                                       \
    }                                                                                              \
    size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,   \
                                     uint8_t *out, size_t max, unsigned int seed)                  \
    {                                                                                              \
        return fz_calist_crossover(d1, s1, d2, s2, out, max, seed);                                \
    }

#endif
