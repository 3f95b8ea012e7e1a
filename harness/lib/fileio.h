/* fileio.h — reading a whole file and making a directory path: the two file
 * operations the shared formats' readers, the harness and the shims all
 * need. (The rest of the core library touches no file.) */
#ifndef CABOUND_FILEIO_H
#define CABOUND_FILEIO_H

#include <stddef.h>

/* cb_read_file returns the whole of |path| (NUL-terminated, for text
 * parsers; *len excludes the NUL), or NULL with "PATH: reason" in |err|. */
char *cb_read_file(const char *path, size_t *len, char *err, size_t errlen);

/* cb_mkdirs makes |path| and its missing parents. Returns 0 (also when it
 * exists), or -1. */
int cb_mkdirs(const char *path);

#endif
