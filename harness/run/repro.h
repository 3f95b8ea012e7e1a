/* repro.h — the one command that reruns a case (`cabound pair ...`), for
 * results lines, reports and hints: every word shell-quoted (shquote.h), the
 * cabound and base-list paths written so the command works from the
 * directory the run was started in. */
#ifndef CABOUND_REPRO_H
#define CABOUND_REPRO_H

#include <stddef.h>

#include "case.h"

/* cb_repro writes the command for |c| into |out|; |cabound| is the path to
 * print for the executable (cb_repro_self). Returns 0, or -1 when it did not
 * fit (|out| then holds a prefix, never a half-quoted word). */
int cb_repro(const cb_case *c, const char *cabound, char *out, size_t outlen);

/* cb_repro_path writes |path| as seen from the current directory: relative
 * when it lies under it, else absolute. */
void cb_repro_path(const char *path, char *out, size_t outlen);

/* cb_repro_self writes the path of the running cabound (from |self_dir|) as
 * cb_repro_path does. */
void cb_repro_self(const char *self_dir, char *out, size_t outlen);

#endif
