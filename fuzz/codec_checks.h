/* codec_checks.h — the invariants of the CA-list codec, shared by the two
 * codec targets: calist_codec (small lists, fast) and calist_codec_big
 * (lists past 2^14, 2^15 and 2^16-1, at whatever rate they cost).
 *
 * Each check aborts through FZ_CHECK naming its invariant (README.md's
 * table). The working buffers are kept between executions: under ASan a
 * malloc per execution costs more than a small list's whole check. */
#ifndef CABOUND_FUZZ_CODEC_CHECKS_H
#define CABOUND_FUZZ_CODEC_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "calist.h"
#include "model.h"

/* fz_codec_arbitrary: |p|/|n| as a DN vector and as both versions'
 * CertificateRequest bodies. RE-ENCODE: a well-formed (or empty) vector
 * re-encodes to exactly these bytes; no decoder claims bytes past |n|. */
void fz_codec_arbitrary(const uint8_t *p, size_t n);

/* The forms fz_codec_encodings decodes back. */
#define FZ_FORM_VECTOR 1u
#define FZ_FORM_CR12 2u
#define FZ_FORM_CR13 4u
#define FZ_FORM_ALL (FZ_FORM_VECTOR | FZ_FORM_CR12 | FZ_FORM_CR13)

/* fz_codec_encodings: |l| (|lb| list bytes) encoded in each form of |forms|
 * and decoded back: ROUND-TRIP, CLASS, WRAPPED, OVERHEAD, and the
 * duplicates flag of the first form against the target's own answer. RECORDS: the first message (TLS 1.2
 * before 1.3) framed in records of |record_size| (1..2^14) bytes comes
 * back whole from cb_stream. */
void fz_codec_encodings(const cb_calist *l, size_t lb, unsigned forms, size_t record_size);

/* fz_codec_models: MODEL for each model of |models| (|n| of them) in both
 * versions: the longest whole-DN prefix within the cap, and its verdict. */
void fz_codec_models(const cb_model *models, size_t n, const cb_calist *l, size_t lb);

#endif
