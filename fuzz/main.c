/* main.c — the replay driver (GnuTLS fuzz/main.c style): linked instead of
 * libFuzzer, it runs a target's LLVMFuzzerTestOneInput over every file of
 * the directories (or files) given, so that seeds and every reproducer ever
 * found run in the ordinary test suite under any compiler and sanitizer.
 *
 *   TARGET-replay [-m N] PATH...
 *
 * Each file is also run cut short (its first half, all but its last byte),
 * and, when the target has a custom mutator, N mutants of it (default 8)
 * and a cross-over with the previous file: the mutator then runs under the
 * sanitizers too. An input over 16 KB (the boundary seeds: a whole TLS
 * handshake with a big list per run in the stack targets, slow under the
 * sanitizers) gets only the cut of its last byte and one mutant: its half
 * and its cross-over are lists of other big sizes, which other seeds are. A missing directory is skipped with a note. Exit status 0
 * when every input ran; a target's invariant failure aborts. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The target's side; the optional ones are weak. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);
__attribute__((weak)) size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
__attribute__((weak)) size_t LLVMFuzzerCustomCrossOver(const uint8_t *d1, size_t s1, const uint8_t *d2, size_t s2,
                                                       uint8_t *out, size_t max_out, unsigned int seed);

static uint64_t rng_state = 0x63616275ull;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* LLVMFuzzerMutate stands in for libFuzzer's: a few byte-level edits. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size)
{
    for (int k = 1 + (int)(rng() % 3); k > 0; k--) {
        size_t at = size ? rng() % size : 0;
        switch (rng() % 4) {
        case 0: /* flip a bit */
            if (size)
                data[at] ^= (uint8_t)(1u << (rng() % 8));
            break;
        case 1: /* set a byte */
            if (size)
                data[at] = (uint8_t)rng();
            break;
        case 2: /* insert a byte */
            if (size < max_size) {
                memmove(data + at + 1, data + at, size - at);
                data[at] = (uint8_t)rng();
                size++;
            }
            break;
        default: /* erase a byte */
            if (size > 1) {
                memmove(data + at, data + at + 1, size - at - 1);
                size--;
            }
            break;
        }
    }
    return size;
}

static size_t n_files, n_runs, n_mutants = 8;
static uint8_t *prev;
static size_t prev_len;

/* run calls the target on an exact-size copy, so that ASan sees any read
 * past the end. */
static void run(const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        fprintf(stderr, "replay: out of memory\n");
        exit(2);
    }
    if (len)
        memcpy(copy, data, len);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    n_runs++;
}

static void replay(const uint8_t *data, size_t len)
{
    int big = len > 16384;
    run(data, len);
    if (len > 1) {
        if (!big)
            run(data, len / 2);
        run(data, len - 1);
    }
    if (!LLVMFuzzerCustomMutator)
        return;
    /* Room for the mutator to steer a list onto 2^16. */
    size_t max = len + 70000;
    uint8_t *buf = malloc(max);
    if (!buf)
        exit(2);
    /* Big inputs are slow under the sanitizers: one mutant is enough. */
    size_t mutants = big && n_mutants > 1 ? 1 : n_mutants;
    for (size_t i = 0; i < mutants; i++) {
        memcpy(buf, data, len);
        run(buf, LLVMFuzzerCustomMutator(buf, len, max, (unsigned)rng()));
    }
    if (LLVMFuzzerCustomCrossOver && prev && !big)
        run(buf, LLVMFuzzerCustomCrossOver(data, len, prev, prev_len, buf, max, (unsigned)rng()));
    free(buf);
}

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *n = realloc(data, cap);
            if (!n)
                exit(2);
            data = n;
        }
        size_t got = fread(data + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(data);
        return -1;
    }
    replay(data, len);
    free(prev);
    prev = data;
    prev_len = len;
    n_files++;
    return 0;
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s (skipped)\n", path, strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (n + 1) * sizeof(*nn));
        size_t l = strlen(path) + strlen(e->d_name) + 2;
        if (!nn || !(nn[n] = malloc(l)))
            exit(2);
        names = nn;
        snprintf(names[n++], l, "%s/%s", path, e->d_name);
    }
    closedir(d);
    if (n) /* an empty directory: names is NULL, which qsort may not take */
        qsort(names, n, sizeof(*names), cmp); /* a reproducible order */
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) && replay_file(names[i]) != 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-m") == 0) {
        n_mutants = strtoul(argv[2], NULL, 10);
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-m MUTANTS] DIR|FILE...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize && LLVMFuzzerInitialize(&argc, &argv) != 0) {
        fprintf(stderr, "replay: LLVMFuzzerInitialize failed\n");
        return 1;
    }
    int rc = 0;
    for (int i = first; i < argc; i++)
        if (replay_path(argv[i]) != 0)
            rc = 1;
    free(prev);
    printf("replay: %zu files, %zu runs%s\n", n_files, n_runs, rc ? ", some unreadable" : "");
    return rc;
}
