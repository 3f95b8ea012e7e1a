/* curl_flavour.c — cabound-curl-flavour: a client that fetches one URL
 * through a chosen libcurl build (Debian's libcurl3-gnutls, libcurl3-nss:
 * Debian 12 ships no curl binary on them), the way an application does
 * through libcurl's documented easy API. The build is loaded with dlopen by
 * its file name, so one program serves every flavour and links none.
 *
 *   cabound-curl-flavour LIBFILE --version
 *   cabound-curl-flavour LIBFILE TLS CAFILE CERT KEY HOST PORT
 *
 * Prints the body on stdout; on failure the CURLcode and its text on stderr
 * and exit 1. Options mirror the curl command line the curl shim runs:
 * --cacert, --cert/--key, --tlsv1.2 --tls-max 1.2 (or 1.3), --http0.9,
 * --resolve HOST:PORT:127.0.0.1, -v. */
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef CURL *(*init_fn)(void);
typedef CURLcode (*setopt_fn)(CURL *, CURLoption, ...);
typedef CURLcode (*perform_fn)(CURL *);
typedef void (*cleanup_fn)(CURL *);
typedef const char *(*strerror_fn)(CURLcode);
typedef char *(*version_fn)(void);
typedef struct curl_slist *(*slist_append_fn)(struct curl_slist *, const char *);
typedef void (*slist_free_fn)(struct curl_slist *);

static void *sym(void *h, const char *name)
{
    void *p = dlsym(h, name);
    if (!p) {
        fprintf(stderr, "cabound-curl-flavour: %s: %s\n", name, dlerror());
        exit(2);
    }
    return p;
}

/* body prints what the server sent after a marker the shim looks for
 * (libcurl's verbose lines share the output). */
/* LOAD sets a function pointer from dlsym without the object-to-function
 * pointer cast ISO C forbids (POSIX guarantees the representation). */
#define LOAD(var, name)                                                                                              \
    do {                                                                                                             \
        void *p_ = sym(h, name);                                                                                     \
        memcpy(&(var), &p_, sizeof(var));                                                                            \
    } while (0)

static size_t body(char *ptr, size_t size, size_t n, void *user)
{
    int *first = user;
    if (*first) {
        fputs("\ncabound-body: ", stdout);
        *first = 0;
    }
    size_t w = fwrite(ptr, size, n, stdout) * size;
    fflush(stdout);
    return w;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 8) {
        fprintf(stderr, "usage: %s LIBFILE --version | LIBFILE TLS CAFILE CERT KEY HOST PORT\n", argv[0]);
        return 2;
    }
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "cabound-curl-flavour: %s\n", dlerror());
        return 2;
    }
    version_fn version;
    LOAD(version, "curl_version");
    if (argc == 3) {
        printf("%s\n", version());
        return 0;
    }
    init_fn init;
    LOAD(init, "curl_easy_init");
    setopt_fn setopt;
    LOAD(setopt, "curl_easy_setopt");
    perform_fn perform;
    LOAD(perform, "curl_easy_perform");
    cleanup_fn cleanup;
    LOAD(cleanup, "curl_easy_cleanup");
    strerror_fn errtext;
    LOAD(errtext, "curl_easy_strerror");
    slist_append_fn slist_append;
    LOAD(slist_append, "curl_slist_append");
    slist_free_fn slist_free;
    LOAD(slist_free, "curl_slist_free_all");
    const char *tls = argv[2], *ca = argv[3], *cert = argv[4], *key = argv[5], *host = argv[6], *port = argv[7];
    char url[512], resolve[512];
    snprintf(url, sizeof(url), "https://%s:%s/", host, port);
    snprintf(resolve, sizeof(resolve), "%s:%s:127.0.0.1", host, port);
    struct curl_slist *res = slist_append(NULL, resolve);
    CURL *c = init();
    if (!c || !res)
        return 2;
    long ver = strcmp(tls, "1.3") == 0 ? (long)(CURL_SSLVERSION_TLSv1_3 | CURL_SSLVERSION_MAX_TLSv1_3)
                                       : (long)(CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2);
    setopt(c, CURLOPT_URL, url);
    setopt(c, CURLOPT_RESOLVE, res);
    setopt(c, CURLOPT_CAINFO, ca);
    setopt(c, CURLOPT_SSLCERT, cert);
    setopt(c, CURLOPT_SSLKEY, key);
    setopt(c, CURLOPT_SSLVERSION, ver);
    setopt(c, CURLOPT_HTTP09_ALLOWED, 1L);
    setopt(c, CURLOPT_VERBOSE, 1L);
    int first = 1;
    setopt(c, CURLOPT_WRITEFUNCTION, body);
    setopt(c, CURLOPT_WRITEDATA, &first);
    CURLcode rc = perform(c);
    if (rc != CURLE_OK)
        fprintf(stderr, "curl: (%d) %s\n", (int)rc, errtext(rc));
    cleanup(c);
    slist_free(res);
    return rc == CURLE_OK ? 0 : 1;
}
