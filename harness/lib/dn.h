/* dn.h — deterministic DER Names of an exact byte length. */
#ifndef CABOUND_DN_H
#define CABOUND_DN_H

#include <stddef.h>
#include <stdint.h>

/* The smallest Name is the empty RDNSequence (30 00); the smallest with an
 * attribute is a CN with an empty value (13 bytes). Lengths 3..12 cannot be
 * a valid Name whose RDNs are non-empty, and no DER element is 130 or 259
 * bytes long (the length field widens there). The largest fits a 16-bit TLS
 * length. */
#define CB_DN_MIN 2
#define CB_DN_MIN_WITH_ATTR 13
#define CB_DN_MAX 65535

/* cb_dn_possible reports whether cb_dn_build can produce |len| bytes. */
int cb_dn_possible(size_t len);

/* cb_dn_build writes into |out| (room for |len| bytes) a DER Name of exactly
 * |len| bytes, shaped like a CA's name (C, O, OU, CN as room allows, with
 * PrintableString or UTF8String values), determined by (seed, index): the
 * same inputs give the same bytes, different indexes give different names.
 * Returns 0, or -1 when |len| is impossible (see cb_dn_possible). */
int cb_dn_build(uint8_t *out, size_t len, uint64_t seed, uint64_t index);

#endif
