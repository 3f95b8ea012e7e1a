/* results_read.h — reading results.jsonl and boundaries.jsonl (the contract
 * is docs/results.md) into checked records. A malformed line is skipped and
 * remembered as "FILE:LINE: why"; reading goes on with the next line. */
#ifndef CABOUND_RESULTS_READ_H
#define CABOUND_RESULTS_READ_H

#include <jansson.h>
#include <stddef.h>

/* A line longer than this is malformed (and skipped without being stored). */
#define CB_RESULTS_MAX_LINE ((size_t)16 << 20)
/* How many malformed-line messages are kept (all are counted). */
#define CB_RESULTS_MAX_ERRORS 32

enum cb_outcome {
    CB_OC_PASS,
    CB_OC_FINDING,
    CB_OC_REGRESSION,
    CB_OC_XPASS,
    CB_OC_ERROR,
    CB_OC_UNSUPPORTED,
    CB_OC_MISSING, /* no expectation for one of its stacks: fails a run unless allowed */
    CB_OC_COUNT
};

/* One well-formed results line. The strings point into |obj|. */
typedef struct cb_result {
    json_t *obj;                 /* the whole line */
    size_t line;                 /* 1-based line number in the file */
    enum cb_outcome outcome;
    const char *case_id, *suite, *name, *server, *client, *tls;
    const char *server_verdict;  /* NULL when absent or null */
    const char *client_verdict;  /* NULL when absent or null */
    long long list_bytes;        /* -1 when absent or null */
    long long wire_list_bytes;   /* -1 when absent or null */
    double time_ms;              /* 0 when absent or null */
    json_t *rule_sides;          /* rule id -> the side the line records for
                                  * it (see cb_res_rule_side), or NULL when
                                  * the line records none (older lines) */
} cb_result;

/* Malformed lines of one file. */
typedef struct cb_jsonl_bad {
    size_t count;                        /* every malformed line */
    char *msgs[CB_RESULTS_MAX_ERRORS];   /* "FILE:LINE: why" of the first ones */
} cb_jsonl_bad;

typedef struct cb_results {
    cb_result *v;
    size_t n;
    cb_jsonl_bad bad;
} cb_results;

/* A boundaries.jsonl row: an object with at least a "stack" string. */
typedef struct cb_boundaries {
    int present;   /* 0: the file does not exist */
    json_t **rows;
    size_t *lines;
    size_t n;
    cb_jsonl_bad bad;
} cb_boundaries;

/* cb_results_load reads |path|. Success (0): every line was read, the
 * well-formed ones are in |out| in file order and the others are counted in
 * out->bad. Returns -1 with a message when the file cannot be opened or read
 * (|out| is then empty). Free with cb_results_free either way. */
int cb_results_load(const char *path, cb_results *out, char *err, size_t errlen);
/* cb_results_free releases |r| (safe on an emptied one). */
void cb_results_free(cb_results *r);

/* cb_boundaries_load reads |path| when it exists. Success (0): present is 0
 * for a missing file, else the well-formed rows are in |out|. Returns -1
 * when the file exists but cannot be read. */
int cb_boundaries_load(const char *path, cb_boundaries *out, char *err, size_t errlen);
/* cb_boundaries_free releases |b|. */
void cb_boundaries_free(cb_boundaries *b);

/* cb_jsonl_bad_message writes the first malformed line's message into |err|
 * (with "(and N more malformed lines)") and returns -1, or returns 0 when
 * there was none. */
int cb_jsonl_bad_message(const cb_jsonl_bad *bad, char *err, size_t errlen);

/* cb_outcome_name is "pass", "finding", ... for |o|. */
const char *cb_outcome_name(enum cb_outcome o);

/* cb_res_str and cb_res_int read a field of a results line: the string or
 * the integer, or NULL / |dflt| when it is absent, null or of another type. */
const char *cb_res_str(const cb_result *r, const char *key);
long long cb_res_int(const cb_result *r, const char *key, long long dflt);

/* The side a failed rule is about comes, first found first, from
 * "rule_hits" ([{"rule", "side", "why"}], the run's form), from a "rules"
 * entry that is an object {"id", "side"}, or from a "rule_details" value
 * that is an object {"side", "detail"}; older lines carry none. Loading
 * turns the object shapes into today's (obj's "rules" an array of id
 * strings, each "rule_details" value a string) so that every writer reads
 * one shape, and keeps the sides for cb_res_rule_side. */

/* cb_res_rule_side is the side |r| records for |rule|: "server", "client",
 * "both" (hits about each side), or NULL when the line records none. */
const char *cb_res_rule_side(const cb_result *r, const char *rule);

#endif
