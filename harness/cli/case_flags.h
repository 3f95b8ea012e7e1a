/* case_flags.h — the flags that describe one case, shared by `pair` and
 * `boundaries`, so a repro command is always accepted by `pair`. */
#ifndef CABOUND_CASE_FLAGS_H
#define CABOUND_CASE_FLAGS_H

#include <stdint.h>

#include "case.h"
#include "flags.h"

/* The largest list a case may ask for (also the suites' list-bytes limit and
 * gen-list's): 256 times the largest TLS vector, far past every boundary. */
#define CB_MAX_LIST_BYTES 16777216u

typedef struct cb_case_flags {
    const char *tls, *dn_size, *issuer, *source, *select, *verify, *model, *inject, *base_list;
    const char *suite, *name;
    size_t list_bytes, issuer_size;
    uint64_t seed;
    int timeout_ms;
} cb_case_flags;

/* CB_CASE_FLAG_TABLE expands to the flag entries for |cf|. */
#define CB_CASE_FLAG_TABLE(cf)                                                                          \
    {"--tls", CB_FLAG_STR, &(cf).tls, "1.2|1.3", "TLS version (default 1.2)"},                           \
    {"--list-bytes", CB_FLAG_SIZE, &(cf).list_bytes, "T", "exact list bytes to generate (default 2048; at most 16777216)"}, \
    {"--dn-size", CB_FLAG_STR, &(cf).dn_size, "MIN-MAX", "filler DN sizes (default 40-120)"},             \
    {"--seed", CB_FLAG_U64, &(cf).seed, "S", "seed of the filler DNs (default 1; 0..2^63-1)"},                       \
    {"--issuer", CB_FLAG_STR, &(cf).issuer, "POS[,POS...]",                                              \
     "where each client credential's issuer sits: first, middle, last, absent or an index (default last)"}, \
    {"--issuer-size", CB_FLAG_SIZE, &(cf).issuer_size, "N", "DN size of the client issuers (default 80)"},  \
    {"--source", CB_FLAG_STR, &(cf).source, "MODE", "server list source: explicit, trust-store, raw, none, auto (default: the stack's native way)"}, \
    {"--select", CB_FLAG_STR, &(cf).select, "MODE", "client selection: native, by-issuer, auto (default: by-issuer where the API exposes the list)"},     \
    {"--verify", CB_FLAG_STR, &(cf).verify, "MODE", "server: require (default) or request"},              \
    {"--model", CB_FLAG_STR, &(cf).model, "NAME", "cut the list with a truncation model before the server sees it"}, \
    {"--inject", CB_FLAG_STR, &(cf).inject, "NAME", "feed the client a malformed list (TLS 1.2 relay rewrite, or --source raw)"}, \
    {"--base-list", CB_FLAG_STR, &(cf).base_list, "FILE", "DNs that open the list (list file or PEM certificates)"}, \
    {"--timeout-ms", CB_FLAG_INT, &(cf).timeout_ms, "MS", "per-case timeout, 1..600000 (default 5000)"},             \
    {"--suite", CB_FLAG_STR, &(cf).suite, "NAME", "suite name recorded in the case id"},                   \
    {"--name", CB_FLAG_STR, &(cf).name, "NAME", "case name recorded in the case id"}

void cb_case_flags_init(cb_case_flags *cf);

/* cb_case_from_flags fills |c| (server and client stacks set by the caller).
 * Returns 0, or 2 after printing why. */
int cb_case_from_flags(const char *cmd, const cb_case_flags *cf, cb_case *c);

#endif
