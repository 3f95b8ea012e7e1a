/* changes.h — what changed between the packaged and the current release of a
 * stack, from one run that had both (issue 13). A case of STACK@VERSION is
 * paired with the same case where the packaged STACK stands in its place:
 * same suite and case name, same peer (a self pair of the release maps to the
 * packaged self pair; a peer that is itself a release stays that release),
 * same TLS version, same role. Each side's verdict is compared; nothing is
 * re-judged: the verdicts are the run's.
 *
 * The same pairing answers "does this finding still hold in the current
 * release?" for the README's findings table and `cabound report --upstream`. */
#ifndef CABOUND_CHANGES_H
#define CABOUND_CHANGES_H

#include <stddef.h>
#include <stdio.h>

#include "results_read.h"

/* What one pair of cases says about one side. */
enum cb_change_kind {
    CB_CHANGE_CHANGED,    /* both verdicts measured, and they differ */
    CB_CHANGE_UNMEASURED, /* one verdict is unmeasured, error or absent: no evidence either way */
};

typedef struct cb_change {
    enum cb_change_kind kind;
    const cb_result *packaged, *current; /* the two results lines */
    char stack[64];                       /* the packaged stack id, e.g. "mbedtls" */
    const char *release;                  /* the release's id, e.g. "mbedtls@3.6.7" (current's) */
    const char *role;                     /* "server" or "client" */
    const char *peer;                     /* the other side of the current case */
    const char *packaged_verdict;         /* "-" when the line has none */
    const char *current_verdict;
    /* Each stack's version and shared object as the run's lines report them
     * (an unsupported case's line has none: another line of that stack
     * says), or NULL. */
    const char *packaged_version, *current_version, *packaged_library, *current_library;
} cb_change;

typedef struct cb_changes {
    cb_change *v;
    size_t n;
    size_t compared;  /* sides of release cases that found their packaged case */
    size_t unpaired;  /* sides of release cases without one (the packaged stack or that case did not run) */
    size_t releases;  /* release sides seen (0: the run had no release) */
    json_t *facts;    /* owns nothing the changes point to; see changes.c stack_facts */
} cb_changes;

/* Every case of a run by (suite, name, server, client, TLS), to find a
 * case's counterpart in one look-up. */
typedef struct cb_case_index {
    const cb_results *rs;
    json_t *map; /* key -> index into rs->v (the first line with that key) */
} cb_case_index;

/* cb_case_index_build indexes |rs| (which must outlive the index). Returns 0,
 * or -1 when out of memory. */
int cb_case_index_build(const cb_results *rs, cb_case_index *ix);
void cb_case_index_free(cb_case_index *ix);

/* cb_counterpart finds the case where |stack_now| stands in place of |r|'s
 * |side| ("server" or "client") stack — and of its peer too when |r| is a
 * self pair — with the same suite, name and TLS version; NULL when the run
 * has none. */
const cb_result *cb_counterpart(const cb_case_index *ix, const cb_result *r, const char *side, const char *stack_now);

/* cb_changes_find pairs every release side of |rs| with its packaged case and
 * lists each pair whose verdicts differ (CB_CHANGE_CHANGED) or cannot be
 * compared (CB_CHANGE_UNMEASURED), in results order. Returns 0, or -1 when
 * out of memory. Free with cb_changes_free. */
int cb_changes_find(const cb_case_index *ix, cb_changes *out);
void cb_changes_free(cb_changes *c);

/* cb_changes_line is one changes.jsonl line for |c| (the fields are in
 * docs/results.md); NULL when out of memory. */
char *cb_changes_line(const cb_change *c);

/* One group of changes for the report and the README: (release, role, TLS,
 * packaged verdict, current verdict), with its count and its smallest case. */
typedef struct cb_change_group {
    const cb_change *first; /* the smallest case (list bytes, then results order) */
    size_t count;
} cb_change_group;

/* cb_changes_group fills |*groups| (malloc'd, |*n| of them) sorted by stack,
 * release, role, TLS and verdicts. Returns 0, or -1 when out of memory. */
int cb_changes_group(const cb_changes *c, cb_change_group **groups, size_t *n);

/* cb_stack_version is the version string a line of |rs| reports for stack
 * id |stack| (server_version or client_version), or NULL. */
const char *cb_stack_version(const cb_results *rs, const char *stack);

/* The current release's answer to one finding of a packaged stack. */
typedef struct cb_holds {
    char release[128];          /* the release compared ("" when the run has none) */
    size_t held, of;            /* cases where the finding holds, of the comparable ones */
    size_t packaged_cases;      /* packaged cases with the finding */
    const cb_result *held_case; /* the smallest current case where it holds, or NULL */
    const cb_result *gone_case; /* the smallest current case where it does not, or NULL */
    const cb_result *held_packaged; /* held_case's packaged counterpart */
} cb_holds;

/* cb_finding_holds answers for the finding (|stack| a packaged stack id,
 * |side| "server" or "client", |rule| a rule id) and each release of that
 * stack in |rs|: |out| gets one entry per release (at most |max|), and the
 * count is returned (0: no release of that stack ran; -1: out of memory). A
 * packaged case has the finding when its |side| has a hit of |rule|; its
 * counterpart is comparable when that side's verdict was measured (not
 * unmeasured, error or unsupported) and holds the finding when it has the
 * same hit on the same side. */
int cb_finding_holds(const cb_case_index *ix, const char *stack, const char *side, const char *rule, cb_holds *out,
                     size_t max);

/* cb_holds_word is "yes", "partly", "no" or "unmeasured" for |h|. */
const char *cb_holds_word(const cb_holds *h);

/* cb_line_has_hit: |r| records a hit of |rule| about |side|. */
int cb_line_has_hit(const cb_result *r, const char *side, const char *rule);

#endif
