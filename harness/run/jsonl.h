/* jsonl.h — reading a JSON Lines file (results.jsonl, boundaries.jsonl,
 * stacks.jsonl) the one way: every complete line that is a JSON object, in
 * order; a last line cut short by a kill is not a line. */
#ifndef CABOUND_JSONL_H
#define CABOUND_JSONL_H

#include <jansson.h>

/* cb_jsonl_each calls |fn| on each object line of |path| (the object is
 * released after the call; keep a reference to hold it) until |fn| returns
 * nonzero. Returns how many lines were read, or -1 when the file cannot be
 * opened. */
long cb_jsonl_each(const char *path, int (*fn)(json_t *obj, void *arg), void *arg);

/* cb_jsonl_load returns the object lines of |path| as one array (empty when
 * the file is missing). */
json_t *cb_jsonl_load(const char *path);

/* cb_json_has_string: |arr| (a JSON array, or anything else: no) holds the
 * string |s|. */
int cb_json_has_string(const json_t *arr, const char *s);

#endif
