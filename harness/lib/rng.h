/* rng.h — a tiny deterministic generator (splitmix64), so that every case is
 * reproducible from (suite, case id, seed) on any platform; rand() is not. */
#ifndef CABOUND_RNG_H
#define CABOUND_RNG_H

#include <stdint.h>

typedef struct cb_rng {
    uint64_t state;
} cb_rng;

static inline void cb_rng_seed(cb_rng *r, uint64_t seed) { r->state = seed; }

static inline uint64_t cb_rng_next(cb_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* cb_rng_range returns a value in [lo, hi] (hi >= lo). */
static inline uint64_t cb_rng_range(cb_rng *r, uint64_t lo, uint64_t hi)
{
    return lo + cb_rng_next(r) % (hi - lo + 1);
}

#endif
