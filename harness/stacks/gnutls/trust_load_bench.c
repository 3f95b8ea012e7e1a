/* trust_load_bench.c — the measurement behind NOTES.md's "Cost of a large
 * list": how long GnuTLS takes to load each PEM bundle given (cabound's
 * work/pki/list-*.pem) as trust anchors the way gnutls_certificate_set_
 * x509_trust_file does (gnutls_x509_trust_list_add_trust_file with
 * GNUTLS_TL_USE_IN_TLS), into a trust list with the default 127 buckets and
 * into one with 16 buckets per CA (what the shim does), and how long one
 * certificate takes to import. Prints the mean milliseconds of each.
 *
 * usage: build/gnutls-trust-load-bench BUNDLE.pem... */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* load_ms loads |path| into a new trust list of |size| buckets (0: the
 * default); returns the milliseconds taken, or -1. *n gets the CA count. */
static double load_ms(const char *path, unsigned size, int *n)
{
    gnutls_x509_trust_list_t tl;
    double t0 = now_ms();
    if (gnutls_x509_trust_list_init(&tl, size) < 0)
        return -1;
    *n = gnutls_x509_trust_list_add_trust_file(tl, path, NULL, GNUTLS_X509_FMT_PEM, GNUTLS_TL_USE_IN_TLS, 0);
    double t = now_ms() - t0;
    gnutls_x509_trust_list_deinit(tl, 1);
    return *n < 0 ? -1 : t;
}

/* import_ms parses |path|'s certificates alone; *n gets their count. */
static double import_ms(const char *path, unsigned *n)
{
    gnutls_datum_t pem;
    gnutls_x509_crt_t *crts = NULL;
    if (gnutls_load_file(path, &pem) < 0)
        return -1;
    double t0 = now_ms();
    int r = gnutls_x509_crt_list_import2(&crts, n, &pem, GNUTLS_X509_FMT_PEM, 0);
    double t = now_ms() - t0;
    for (unsigned i = 0; r >= 0 && i < *n; i++)
        gnutls_x509_crt_deinit(crts[i]);
    gnutls_free(crts);
    gnutls_free(pem.data);
    return r < 0 ? -1 : t;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s BUNDLE.pem...\n", argv[0]);
        return 2;
    }
    if (gnutls_global_init() < 0)
        return 1;
    double sum_default = 0, sum_sized = 0, sum_import = 0;
    unsigned certs = 0;
    int n = 0;
    for (int i = 1; i < argc; i++) {
        unsigned k = 0;
        double a = load_ms(argv[i], 0, &n), c = import_ms(argv[i], &k);
        double b = load_ms(argv[i], 16u * (unsigned)n + 1, &n);
        if (a < 0 || b < 0 || c < 0) {
            fprintf(stderr, "%s: not a PEM bundle GnuTLS loads\n", argv[i]);
            return 1;
        }
        sum_default += a, sum_sized += b, sum_import += c, certs += k;
    }
    int m = argc - 1;
    printf("%d bundles, %.0f CAs each: load %.2f ms with 127 buckets, %.2f ms with 16 per CA; "
           "import alone %.1f us per certificate\n",
           m, (double)certs / m, sum_default / m, sum_sized / m, 1000 * sum_import / certs);
    gnutls_global_deinit();
    return 0;
}
