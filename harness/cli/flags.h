/* flags.h — one table of typed flags per subcommand: adding a flag is one
 * line, an unknown flag says "Unrecognized flag: X" and exits 2. */
#ifndef CABOUND_FLAGS_H
#define CABOUND_FLAGS_H

#include <stddef.h>
#include <stdint.h>

enum cb_flag_type {
    CB_FLAG_STR,   /* const char ** */
    CB_FLAG_SIZE,  /* size_t *, decimal (cb_parse_u64: no sign, no leading zero) */
    CB_FLAG_U64,   /* uint64_t *, decimal or 0x hex */
    CB_FLAG_INT,   /* int *, decimal, 0..10^9; never negative */
    CB_FLAG_BOOL,  /* int *, set to 1, takes no value */
    CB_FLAG_LIST,  /* cb_strlist *, repeatable and comma-separated */
};

typedef struct cb_strlist {
    const char *items[64];
    size_t count;
} cb_strlist;

typedef struct cb_flag {
    const char *name; /* "--bytes" */
    enum cb_flag_type type;
    void *dst;
    const char *arg;  /* metavariable for help, NULL for BOOL */
    const char *help;
} cb_flag;

/* cb_flags_parse parses argv[first..argc) against |flags| (terminated by a
 * NULL name). Non-flag words are collected in |positional| (may be NULL:
 * then none are allowed). Returns 0, or 2 after printing one line to stderr. */
int cb_flags_parse(const char *cmd, int argc, char **argv, int first, const cb_flag *flags,
                   cb_strlist *positional);

/* cb_flags_help prints the flag table. */
void cb_flags_help(const cb_flag *flags);

/* cb_strlist_has reports whether |l| holds |s|. */
int cb_strlist_has(const cb_strlist *l, const char *s);

#endif
