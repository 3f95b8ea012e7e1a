/* bench_floor.c — the floor ci/bench compares cabound against: one stack's
 * own handshake cost, both sides in one process over memory, with no
 * harness, no relay and no processes. It runs the same-stack pair of the
 * fuzz targets (common/pair.h) through a whole TLS 1.2 handshake with a
 * client certificate, each side verifying the other's chain as a shim does
 * (fz_verify_peers), on a list of the given size (a new list each time, as
 * a run's cases have: no stack gets to reuse one), and prints the mean
 * microseconds per handshake. What a case does beyond this is cabound's:
 * two processes and the relay between them, files, JSON, the measurement,
 * and one application byte and close_notify each way.
 *
 * A stack whose list comes from trust anchors (GnuTLS, Mbed TLS) loads
 * them from PEM bundles when a third argument names a file that lists them,
 * one path per line (ci/bench gives it the bundles cabound made for the
 * same cases, so that both parse the same certificates); they are read into
 * memory first and used in turn. Without it, minimal certificates are made
 * for each list (common/fakecert.h).
 *
 * usage: bench_floor_STACK LIST_BYTES ITERATIONS [PEM_LIST] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fileio.h"
#include "listgen.h"
#include "pair.h"

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s LIST_BYTES ITERATIONS [PEM_LIST]\n", argv[0]);
        return 2;
    }
    char err[256];
    char *pems[1000];
    size_t pem_len[1000], n_pems = 0;
    FILE *pl = argc == 4 ? fopen(argv[3], "r") : NULL;
    if (argc == 4 && !pl) {
        perror(argv[3]);
        return 2;
    }
    char line[4096];
    while (pl && n_pems < 1000 && fgets(line, sizeof(line), pl)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0])
            continue;
        if (!(pems[n_pems] = cb_read_file(line, &pem_len[n_pems], err, sizeof(err)))) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
        n_pems++;
    }
    if (pl)
        fclose(pl);
    size_t bytes = strtoul(argv[1], NULL, 10), iters = strtoul(argv[2], NULL, 10);
    fz_verify_peers = 1;
    if (fz_stack_init() != 0)
        return 1;
    if (iters == 0 || iters > 10000)
        return 2;
    cb_calist *l = calloc(iters, sizeof(*l));
    for (size_t i = 0; l && i < iters; i++) {
        cb_calist_init(&l[i]);
        cb_listgen g = {bytes, 40, 120, i + 1, NULL, NULL, NULL};
        if (cb_listgen_build(&g, &l[i], err, sizeof(err)) != 0) {
            fprintf(stderr, "%s\n", err);
            return 2;
        }
    }
    if (!l)
        return 1;
    enum fz_source src = fz_stack_supports(0, FZ_SRC_EXPLICIT) ? FZ_SRC_EXPLICIT : FZ_SRC_TRUST;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t ok = 0;
    for (size_t i = 0; i < iters; i++) {
        fz_pair_conf conf = {0, src, &l[i], NULL, 1, NULL, 0};
        if (n_pems && src == FZ_SRC_TRUST) {
            conf.list_pem = pems[i % n_pems];
            conf.list_pem_len = pem_len[i % n_pems];
        }
        fz_pair_result r;
        fz_pair_result_init(&r);
        fz_stack_run(&conf, &r);
        ok += r.cr_seen && !r.server_failed && !r.client_failed;
        fz_pair_trace(&conf, &r); /* CABOUND_FUZZ_TRACE: one line per handshake */
        fz_pair_result_free(&r);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us = ((t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3) / (double)(iters ? iters : 1);
    printf("%.1f %zu/%zu\n", us, ok, iters);
    for (size_t i = 0; i < iters; i++)
        cb_calist_free(&l[i]);
    free(l);
    for (size_t i = 0; i < n_pems; i++)
        free(pems[i]);
    return ok ? 0 : 1;
}
