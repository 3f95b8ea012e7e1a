/* utf8.h — text that goes into JSON must be UTF-8 (jansson's json_string
 * returns NULL otherwise, and the key vanishes): check it where it enters
 * (suite and expectation files) and clean it where it cannot be refused (a
 * shim's reply, a cut string). */
#ifndef CABOUND_UTF8_H
#define CABOUND_UTF8_H

#include <stddef.h>

/* cb_utf8_valid returns the length of the longest valid UTF-8 prefix of
 * |s|[0..n) (n when all of it is valid; no overlongs, surrogates or code
 * points past U+10FFFF). */
size_t cb_utf8_valid(const char *s, size_t n);

/* cb_utf8_copy copies |src| into |dst| (at most dstlen-1 bytes, always
 * terminated), cutting on a character boundary and writing '?' for each
 * byte that is not part of valid UTF-8. */
void cb_utf8_copy(char *dst, size_t dstlen, const char *src);

/* cb_utf8_clean does cb_utf8_copy in place. */
void cb_utf8_clean(char *s);

#endif
