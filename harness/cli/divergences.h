/* divergences.h — the cross-case rules of a finished run, written out. */
#ifndef CABOUND_DIVERGENCES_H
#define CABOUND_DIVERGENCES_H

/* cb_write_divergences runs the cross-case rules (XSTACK, XVER) over the
 * results and writes DIR/divergences.jsonl. They describe how stacks differ
 * on the same input, which is the matrix's purpose, so they are reported,
 * not failed: a stack's own behaviour is held by its expectations. */
void cb_write_divergences(const char *dir, const char *results, int quiet);

#endif
