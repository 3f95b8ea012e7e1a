/* pki_cache.c — the PKI cache's directories (made whole in a scratch
 * directory, then published by one rename) and the hashes that name them. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pki_internal.h"

char *pki_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + 1 + strlen(name) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

int pki_mkdir_p(const char *path, char *err, size_t errlen)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(buf))
        return fail(err, errlen, "bad directory name \"%s\"", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0)
            continue;
        char c = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return fail(err, errlen, "mkdir %s: %s", buf, strerror(errno));
        buf[i] = c;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return fail(err, errlen, "%s: not a directory", path);
    return 0;
}

int pki_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int pki_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A temporary directory of ours holds only plain files. */
void pki_remove_flat_dir(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char *f = pki_join(path, e->d_name);
            if (f)
                unlink(f);
            free(f);
        }
        closedir(d);
    }
    rmdir(path);
}

/* pki_publish_dir makes a finished temporary directory visible under its final
 * name in one step. Losing the race to another worker is success: its copy
 * is as good as ours. */
int pki_publish_dir(const char *tmp, const char *final, char *err, size_t errlen)
{
    if (chmod(tmp, 0755) != 0) {
        int e = errno;
        pki_remove_flat_dir(tmp);
        return fail(err, errlen, "chmod %s: %s", tmp, strerror(e));
    }
    if (rename(tmp, final) == 0)
        return 0;
    int e = errno;
    pki_remove_flat_dir(tmp);
    if ((e == EEXIST || e == ENOTEMPTY) && pki_is_dir(final))
        return 0;
    return fail(err, errlen, "rename %s to %s: %s", tmp, final, strerror(e));
}

/* ---- hashing: cache names ---- */


void pki_hash_init(pki_hasher *h, const char *what)
{
    h->md = EVP_MD_CTX_new();
    h->ok = h->md && EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) == 1;
    if (h->ok)
        h->ok = EVP_DigestUpdate(h->md, what, strlen(what) + 1) == 1;
}

void pki_hash_bytes(pki_hasher *h, const void *p, size_t n)
{
    if (h->ok && n)
        h->ok = EVP_DigestUpdate(h->md, p, n) == 1;
}

/* Lengths are hashed before data so that no two inputs share a stream. */
void pki_hash_u64(pki_hasher *h, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
    pki_hash_bytes(h, b, 8);
}

void pki_hash_blob(pki_hasher *h, const void *p, size_t n)
{
    pki_hash_u64(h, n);
    pki_hash_bytes(h, p, n);
}

/* pki_hash_final writes 32 hex digits (128 bits: plenty to name cache entries). */
int pki_hash_final(pki_hasher *h, char hex[33])
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    int ok = h->ok && EVP_DigestFinal_ex(h->md, d, &dl) == 1 && dl >= 16;
    EVP_MD_CTX_free(h->md);
    h->md = NULL;
    if (!ok)
        return -1;
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return 0;
}
