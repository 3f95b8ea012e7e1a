/* escape.h — writing untrusted strings (everything read from a results line)
 * into XML/HTML, Markdown, URLs and terminals without changing their meaning
 * or the document's. */
#ifndef CABOUND_ESCAPE_H
#define CABOUND_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* cb_xml_put writes |s| as XML/HTML character data, valid in text and in a
 * quoted attribute: & < > " ' become references, characters XML 1.0 forbids
 * (controls other than tab/newline/CR, U+FFFE, U+FFFF) and invalid UTF-8
 * become U+FFFD. When |max| is not 0 and |s| is longer, it is cut on a
 * character boundary after at most |max| bytes and " … (N more bytes)" is
 * added. A NULL |s| writes nothing. */
void cb_xml_put(FILE *f, const char *s, size_t max);

/* cb_md_put writes |s| as Markdown table-cell text: ASCII punctuation that
 * Markdown could interpret is backslash-escaped (so `|` cannot end a cell),
 * line breaks become spaces, other controls are dropped. */
void cb_md_put(FILE *f, const char *s, size_t max);

/* cb_md_code writes |s| as a Markdown code span that is safe inside a table
 * cell: the fence is longer than any run of backticks inside, `|` becomes
 * `\|`, line breaks become spaces, other controls are dropped. */
void cb_md_code(FILE *f, const char *s);

/* cb_term_put writes |s| for a terminal: controls (C0, DEL, C1, and so escape
 * sequences) and invalid UTF-8 become '?'. */
void cb_term_put(FILE *f, const char *s, size_t max);

/* cb_rel_path_ok reports whether |p| is a path relative to the output
 * directory that may be linked: not empty, not absolute, no "..", no "://"
 * and no control character. */
int cb_rel_path_ok(const char *p);

/* cb_url_put writes |p| percent-encoded for an href (every byte outside
 * A-Z a-z 0-9 - . _ ~ / is encoded, so no ':' can start a scheme). */
void cb_url_put(FILE *f, const char *p);

/* cb_utf8_next decodes the character at |s| (|n| bytes left): returns its
 * length (1..4) and stores the code point, or returns 1 and stores -1 for an
 * invalid sequence. */
size_t cb_utf8_next(const unsigned char *s, size_t n, long *cp);

#endif
