/* cabound gen-list — write a CA list of exact list bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_flags.h"
#include "commands.h"
#include "dnsource.h"
#include "flags.h"
#include "listfile.h"
#include "listgen.h"

/* cb_parse_range reads "MIN-MAX" or "N". Returns 0 or -1. */
static int parse_range(const char *s, size_t *lo, size_t *hi)
{
    char *end;
    unsigned long long a = strtoull(s, &end, 10);
    if (end == s)
        return -1;
    unsigned long long b = a;
    if (*end == '-') {
        const char *t = end + 1;
        b = strtoull(t, &end, 10);
        if (end == t)
            return -1;
    }
    if (*end || a > 65535 || b > 65535)
        return -1;
    *lo = (size_t)a;
    *hi = (size_t)b;
    return 0;
}

int cmd_gen_list(int argc, char **argv)
{
    size_t bytes = (size_t)-1;
    uint64_t seed = 1;
    const char *dn_size = "40-120", *out = NULL, *base_path = NULL;
    int help = 0;
    cb_strlist real = {0};
    const cb_flag flags[] = {
        {"--bytes", CB_FLAG_SIZE, &bytes, "T", "exact list bytes: the sum of 2 + len(DN) (required unless --base; at most 16777216)"},
        {"--seed", CB_FLAG_U64, &seed, "S", "seed of the filler DNs (default 1)"},
        {"--dn-size", CB_FLAG_STR, &dn_size, "MIN-MAX", "filler DN sizes in bytes (default 40-120)"},
        {"--real", CB_FLAG_LIST, &real, "FILE@POS",
         "place the DNs of FILE (a list file, or PEM certificates' subjects) at POS: first, "
         "middle, last, absent or an index; repeatable"},
        {"--base", CB_FLAG_STR, &base_path, "FILE", "DNs that open the list (a list file, or PEM certificates' subjects, e.g. a CA bundle); --bytes defaults to their size"},
        {"--out", CB_FLAG_STR, &out, "FILE", "list file to write (required)"},
        {"--help", CB_FLAG_BOOL, &help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    if (cb_flags_parse("gen-list", argc, argv, 2, flags, NULL) != 0)
        return CB_EXIT_USAGE;
    if (help) {
        printf("usage: cabound gen-list --bytes T [--seed S] [--dn-size MIN-MAX] [--real FILE@POS] --out FILE\n\n");
        cb_flags_help(flags);
        printf("\nexamples:\n  cabound gen-list --bytes 16385 --out l.calist\n"
               "  cabound gen-list --bytes 70000 --dn-size 60-200 --real client-ca.pem@last --out l.calist\n");
        return CB_EXIT_OK;
    }
    if ((bytes == (size_t)-1 && !base_path) || !out) {
        fprintf(stderr, "cabound gen-list: --bytes (or --base) and --out are required\n");
        return CB_EXIT_USAGE;
    }
    if (bytes != (size_t)-1 && bytes > CB_MAX_LIST_BYTES) {
        fprintf(stderr, "cabound gen-list: --bytes: at most %u (a documented limit), got %zu\n", CB_MAX_LIST_BYTES, bytes);
        return CB_EXIT_USAGE;
    }
    if (seed > INT64_MAX) {
        fprintf(stderr, "cabound gen-list: --seed: 0..9223372036854775807 (2^63-1)\n");
        return CB_EXIT_USAGE;
    }
    size_t lo, hi;
    if (parse_range(dn_size, &lo, &hi) != 0) {
        fprintf(stderr, "cabound gen-list: --dn-size: expected MIN-MAX within 0-65535, got \"%s\"\n", dn_size);
        return CB_EXIT_USAGE;
    }
    cb_calist reals, list, base;
    cb_calist_init(&reals);
    cb_calist_init(&list);
    cb_calist_init(&base);
    cb_placement where[256];
    char err[512];
    int rc = CB_EXIT_USAGE;
    for (size_t i = 0; i < real.count; i++) {
        char spec[1024];
        snprintf(spec, sizeof(spec), "%s", real.items[i]);
        char *at = strrchr(spec, '@');
        cb_placement w;
        if (!at || cb_placement_parse(at + 1, &w) != 0) {
            fprintf(stderr, "cabound gen-list: --real: expected FILE@first|middle|last|absent|INDEX, got \"%s\"\n", real.items[i]);
            goto done;
        }
        *at = 0;
        size_t before = reals.count;
        char label[32];
        snprintf(label, sizeof(label), "real:%zu", i);
        if (cb_dns_load(spec, label, &reals, err, sizeof(err)) != 0) {
            fprintf(stderr, "cabound gen-list: %s\n", err);
            goto done;
        }
        for (size_t j = before; j < reals.count && j < 256; j++)
            where[j] = w;
        if (reals.count > 256) {
            fprintf(stderr, "cabound gen-list: at most 256 real DNs\n");
            goto done;
        }
    }
    if (base_path) {
        if (cb_dns_load(base_path, NULL, &base, err, sizeof(err)) != 0) {
            fprintf(stderr, "cabound gen-list: %s\n", err);
            goto done;
        }
        if (bytes == (size_t)-1) {
            bytes = cb_calist_list_bytes(&base);
            for (size_t i = 0; i < reals.count; i++)
                bytes += where[i].kind == CB_POS_ABSENT ? 0 : 2 + reals.dns[i].len;
        }
    }
    cb_listgen g = {bytes, lo, hi, seed, base_path ? &base : NULL, &reals, where};
    if (cb_listgen_build(&g, &list, err, sizeof(err)) != 0) {
        fprintf(stderr, "cabound gen-list: %s\n", err);
        goto done;
    }
    char comment[256];
    snprintf(comment, sizeof(comment), "cabound gen-list --bytes %zu --seed %llu --dn-size %s\nlist_bytes=%zu dns=%zu",
             bytes, (unsigned long long)seed, dn_size, cb_calist_list_bytes(&list), list.count);
    if (cb_listfile_write(out, &list, comment, err, sizeof(err)) != 0) {
        fprintf(stderr, "cabound gen-list: %s\n", err);
        goto done;
    }
    printf("%s: %zu DNs, %zu list bytes\n", out, list.count, cb_calist_list_bytes(&list));
    rc = CB_EXIT_OK;
done:
    cb_calist_free(&reals);
    cb_calist_free(&list);
    cb_calist_free(&base);
    return rc;
}
