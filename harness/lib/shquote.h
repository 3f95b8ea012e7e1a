/* shquote.h — every command cabound prints for a person to paste (repro
 * lines, hints) quotes each word for a POSIX shell, so that a name or a path
 * holding a quote, a space or a `$` is one word and runs nothing. */
#ifndef CABOUND_SHQUOTE_H
#define CABOUND_SHQUOTE_H

#include <stddef.h>

/* cb_shquote appends |word| to |out| (of |outlen|, NUL-terminated), bare
 * when it holds only [A-Za-z0-9_./:@,=+%-] and is not empty, else in single
 * quotes with each ' written as '\''. Returns 0, or -1 when it did not fit
 * (|out| is then left as it was). */
int cb_shquote(char *out, size_t outlen, const char *word);

#endif
