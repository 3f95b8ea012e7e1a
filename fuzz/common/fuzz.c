#include "fuzz.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fz_violation(const char *invariant, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cabound-fuzz: invariant %s violated at %s:%d: ", invariant, file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

void fz_oom(const char *where)
{
    fprintf(stderr, "cabound-fuzz: out of memory in %s\n", where);
    abort();
}

/* ---- known findings ----------------------------------------------------- */

#define MAX_KNOWN 64

static struct known {
    char stack[32], rule[32], detail[48];
    char reason[400];
    unsigned long hits;
} known[MAX_KNOWN];
static size_t n_known;
static int known_loaded;

static int load_known(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    size_t lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\n' || *p == 0)
            continue;
        struct known k = {{0}, {0}, {0}, {0}, 0};
        int used = 0;
        if (sscanf(p, "%31s %31s %47s %n", k.stack, k.rule, k.detail, &used) < 3 || !p[used] || p[used] == '\n') {
            fprintf(stderr, "cabound-fuzz: %s:%zu: want \"STACK RULE DETAIL reason\"; line ignored\n", path,
                    lineno);
            continue;
        }
        snprintf(k.reason, sizeof(k.reason), "%s", p + used);
        k.reason[strcspn(k.reason, "\n")] = 0;
        if (n_known < MAX_KNOWN)
            known[n_known++] = k;
    }
    fclose(f);
    return 0;
}

void fz_setup(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (known_loaded)
        return;
    known_loaded = 1;
    const char *env = getenv("CABOUND_FUZZ_KNOWN");
    if (env && *env) {
        if (load_known(env) != 0)
            fprintf(stderr, "cabound-fuzz: CABOUND_FUZZ_KNOWN=%s cannot be read\n", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 32);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            strcpy(slash + 1, "known-findings.txt");
            if (load_known(exe) == 0)
                return;
        }
    }
#ifdef FZ_SOURCE_DIR
    load_known(FZ_SOURCE_DIR "/known-findings.txt");
#endif
}

static const char *known_alias;

void fz_set_known_alias(const char *stack) { known_alias = stack; }

int fz_known(const char *stack, const char *rule, const char *detail)
{
    for (size_t i = 0; i < n_known; i++) {
        int mine = strcmp(known[i].stack, stack) == 0 || (known_alias && strcmp(known[i].stack, known_alias) == 0);
        if (!mine || strcmp(known[i].rule, rule) != 0 ||
            (strcmp(known[i].detail, "*") != 0 && strcmp(known[i].detail, detail) != 0))
            continue;
        if (known[i].hits++ == 0)
            fprintf(stderr, "cabound-fuzz: known finding %s %s %s (suppressed from now on): %s\n", stack, rule,
                    detail, known[i].reason);
        return 1;
    }
    return 0;
}
