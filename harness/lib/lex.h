/* lex.h — the line tokenizer the suite and expectation formats share: words
 * separated by blanks, "quoted strings" with \" escapes, # comments, and
 * printable ASCII only. */
#ifndef CABOUND_LEX_H
#define CABOUND_LEX_H

#include <stddef.h>

#define CB_LEX_MAX_WORDS 64

typedef struct cb_lex_line {
    size_t n;
    char w[CB_LEX_MAX_WORDS][1024];
} cb_lex_line;

/* cb_lex_split tokenises [p, end) into |l|. Returns 0, or -1 with a reason
 * in *why. */
int cb_lex_split(const char *p, const char *end, cb_lex_line *l, const char **why);

/* A reader over a whole file's text, line by line. */
typedef struct cb_lex_reader {
    const char *p, *end;
    size_t lineno; /* the number of the line cb_lex_next last gave */
} cb_lex_reader;

/* cb_lex_start prepares |r| over [text, text + len). Returns 0, or -1 with
 * a reason in *why (the text holds a NUL byte: binary data). */
int cb_lex_start(cb_lex_reader *r, const char *text, size_t len, const char **why);

/* cb_lex_next tokenises the next line that holds a word into |l|; blank and
 * comment-only lines are skipped. Returns 1, 0 at the end of the text, or
 * -1 with a reason in *why (r->lineno names the line). */
int cb_lex_next(cb_lex_reader *r, cb_lex_line *l, const char **why);

/* cb_lex_id reports whether |s| is an identifier of the formats
 * ([a-z0-9@._-]+: stack ids, suite and case names). */
int cb_lex_id(const char *s);

#endif
