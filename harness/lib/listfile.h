/* listfile.h — the one definition of the CA-list file format, shared by the
 * driver, the shims, the fuzzers and the tests.
 *
 * Format (text, one item per line, so lists diff and review like code):
 *
 *     cabound-list 1
 *     # comment lines and blank lines are ignored
 *     dn 3015311330110603550403130a4578616d706c65204341 real:client0
 *     dn 30...
 *
 * Line 1 is the exact header "cabound-list 1". Each "dn" line carries one DN
 * as lowercase or uppercase hex (an even number of digits, possibly zero for
 * a zero-length DN) and an optional label token ([A-Za-z0-9._:@-]+). DNs keep
 * file order; no other keys exist. A DN may be up to 65535 bytes because TLS
 * carries each in a 16-bit length. */
#ifndef CABOUND_LISTFILE_H
#define CABOUND_LISTFILE_H

#include <stddef.h>
#include <stdio.h>

#include "calist.h"

#define CB_LISTFILE_HEADER "cabound-list 1"

/* cb_listfile_read parses |path| into |out| (initialised by the caller).
 * Returns 0 on success; on failure returns -1, leaves |out| empty and writes
 * "PATH:LINE: message" into |err|. */
int cb_listfile_read(const char *path, cb_calist *out, char *err, size_t errlen);

/* cb_listfile_parse is cb_listfile_read over an in-memory buffer; |name| is
 * used in error messages. */
int cb_listfile_parse(const char *name, const char *text, size_t len, cb_calist *out, char *err,
                      size_t errlen);

/* cb_listfile_fwrite writes |l| to |f|; |comment| (may be NULL, may hold
 * several lines) is written as "# " lines after the header. Returns 0, or -1
 * on a write error. */
int cb_listfile_fwrite(FILE *f, const cb_calist *l, const char *comment);

/* cb_listfile_write writes |l| to |path| atomically (temporary file, then
 * rename). Returns 0, or -1 with "PATH: reason" in |err|. */
int cb_listfile_write(const char *path, const cb_calist *l, const char *comment, char *err,
                      size_t errlen);

#endif
