/* fuzz.h — what every cabound fuzz target shares: the libFuzzer entry points,
 * one macro for their boilerplate, invariant checks that abort with the
 * invariant's name, and the known-findings file that lets a per-stack target
 * keep fuzzing past a recorded behaviour.
 *
 * Nothing here is compiled into the core library: fuzz-only behaviour lives
 * in fuzz/ (STYLE.md, s2n-tls). */
#ifndef CABOUND_FUZZ_H
#define CABOUND_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's interface (https://llvm.org/docs/LibFuzzer.html). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed);
/* Provided by libFuzzer; fuzz/main.c supplies a simple one for replay. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* CB_FUZZ_TARGET(init, one) defines the two entry points: |init| (int
 * (void), 0 on success) runs once; |one| (void (const uint8_t *, size_t))
 * runs per input and checks its invariants with FZ_CHECK. */
/* FZ_KNOWN_ALIAS (CMake): the plain stack id whose known findings an
 * instrumented rebuild of the packaged version shares ("wolfssl" for
 * wolfssl@5.5.4 on Debian 12). */
#ifdef FZ_KNOWN_ALIAS
#define FZ_KNOWN_ALIAS_ARG FZ_KNOWN_ALIAS
#else
#define FZ_KNOWN_ALIAS_ARG NULL
#endif
#define CB_FUZZ_TARGET(init, one)                                                                  \
    int LLVMFuzzerInitialize(int *argc, char ***argv)                                              \
    {                                                                                              \
        fz_set_known_alias(FZ_KNOWN_ALIAS_ARG);                                                    \
        fz_setup(argc, argv);                                                                      \
        return (init)();                                                                           \
    }                                                                                              \
    int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                                   \
    {                                                                                              \
        (one)(data, size);                                                                         \
        return 0;                                                                                  \
    }

/* FZ_CHECK(cond, "INVARIANT", fmt, ...) aborts with
 *   cabound-fuzz: invariant INVARIANT violated at FILE:LINE: detail
 * when |cond| is false, so that a crash report names what broke. */
#define FZ_CHECK(cond, invariant, ...)                                                             \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fz_violation((invariant), __FILE__, __LINE__, __VA_ARGS__);                            \
    } while (0)

_Noreturn void fz_violation(const char *invariant, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* fz_oom ends the run when memory runs out: a fuzz input that exhausts
 * memory is libFuzzer's -rss_limit_mb business, not an invariant. */
_Noreturn void fz_oom(const char *where);

/* fz_set_known_alias: entries of |stack| (or NULL) count as this target's
 * own in fz_known. */
void fz_set_known_alias(const char *stack);

/* fz_setup reads the known-findings file once (see fz_known). */
void fz_setup(int *argc, char ***argv);

/* fz_known reports whether (|stack|, |rule|, |detail|) is listed in the
 * known-findings file (fuzz/known-findings.txt, one per line:
 * "STACK RULE DETAIL reason with a citation", DETAIL being what the check
 * reports, e.g. the wire class "wrapped-length", or "*" for any). The file
 * is looked up in $CABOUND_FUZZ_KNOWN, beside the executable, then in the
 * source tree. The first hit of each entry is reported on stderr once. */
int fz_known(const char *stack, const char *rule, const char *detail);

/* FZ_RULE: a per-stack rule check. When |ok| is false and the finding is
 * known, it is counted and the run goes on; otherwise it aborts like
 * FZ_CHECK, naming the rule and the detail. */
#define FZ_RULE(ok, stack, rule, detail, ...)                                                      \
    do {                                                                                           \
        if (!(ok) && !fz_known((stack), (rule), (detail)))                                         \
            fz_violation((rule), __FILE__, __LINE__, __VA_ARGS__);                                 \
    } while (0)

/* A byte reader over the input. Reads past the end give zeros. */
typedef struct fz_reader {
    const uint8_t *p;
    size_t left;
} fz_reader;

static inline uint8_t fz_u8(fz_reader *r)
{
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

static inline uint16_t fz_u16(fz_reader *r)
{
    uint16_t hi = fz_u8(r);
    return (uint16_t)(hi << 8 | fz_u8(r));
}

#endif
