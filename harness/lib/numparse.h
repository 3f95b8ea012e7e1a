/* numparse.h — the one way cabound reads a number a user or a file gives:
 * decimal digits only (no sign, no spaces, no leading zero: "01000" is not
 * quietly octal), or 0x hex where a caller allows it, and never past a
 * stated maximum. */
#ifndef CABOUND_NUMPARSE_H
#define CABOUND_NUMPARSE_H

#include <stdint.h>

/* cb_parse_u64 reads |s| as a decimal integer in 0..|max|. Returns 0, or -1
 * (nothing written) when |s| is not exactly that. */
int cb_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* cb_parse_u64_hex is cb_parse_u64 that also accepts 0x followed by hex
 * digits. */
int cb_parse_u64_hex(const char *s, uint64_t max, uint64_t *out);

#endif
