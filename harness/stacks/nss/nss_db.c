/* nss_db.c — NSS's initialisation over the shim's own cert/key DB, and what
 * that DB holds: trusted client CAs (the trust-store list) or user
 * certificates (NSS_GetClientAuthData's choice). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nss.h>
#include <pk11pub.h>
#include <ssl.h>

#include "nss_shim.h"

static char g_dbdir[PATH_MAX];  /* the process's own cert/key DB (sql:) */
static int g_nss_up;            /* NSS_Initialize succeeded */

/* ------------------------------------------------- NSS and its cert DB */

/* What the process's cert DB holds beyond the empty state. NSS computes the
 * trust-store list once per initialisation (ssl_SetupCAList, PR_CallOnce),
 * and NSS_GetClientAuthData searches every user certificate of the DB, so a
 * change of either set re-initialises NSS over an empty DB. */
static enum db_kind g_db_kind = DB_EMPTY;
static uint8_t *g_db_blob; /* what was imported, to compare */
static size_t g_db_bloblen;

static void wipe_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    char p[PATH_MAX + 256];
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        unlink(p);
    }
    closedir(d);
}

static int nss_open(void)
{
    char cfg[PATH_MAX + 8];
    snprintf(cfg, sizeof(cfg), "sql:%s", g_dbdir);
    /* No module DB and no builtin roots: the DB holds only what a case puts there. */
    if (NSS_Initialize(cfg, "", "", "secmod.db", NSS_INIT_NOMODDB | NSS_INIT_NOROOTINIT) !=
        SECSuccess) {
        fprintf(stderr, "cabound-shim-nss: NSS_Initialize(%s): %s\n", cfg, nss_err_name(PR_GetError()));
        return -1;
    }
    g_nss_up = 1;
    if (NSS_SetDomesticPolicy() != SECSuccess) {
        fprintf(stderr, "cabound-shim-nss: NSS_SetDomesticPolicy: %s\n", nss_err_name(PR_GetError()));
        return -1;
    }
    PK11SlotInfo *slot = PK11_GetInternalKeySlot();
    if (slot && PK11_NeedUserInit(slot))
        PK11_InitPin(slot, NULL, ""); /* an empty password, as certutil --empty-password */
    if (slot)
        PK11_FreeSlot(slot);
    g_db_kind = DB_EMPTY;
    return 0;
}

static void nss_close(void)
{
    nss_cache_clear();
    free(g_db_blob);
    g_db_blob = NULL;
    g_db_bloblen = 0;
    if (g_nss_up) {
        SSL_ClearSessionCache();
        if (NSS_Shutdown() != SECSuccess)
            fprintf(stderr, "cabound-shim-nss: NSS_Shutdown: %s\n", nss_err_name(PR_GetError()));
        g_nss_up = 0;
    }
    if (g_dbdir[0])
        wipe_dir(g_dbdir);
}

void nss_reset(void)
{
    nss_close();
    if (nss_open() != 0)
        nss_fatal("cannot re-initialise NSS");
}

static void at_exit(void)
{
    nss_close();
    if (g_dbdir[0])
        rmdir(g_dbdir);
}

static int db_is(enum db_kind kind, const uint8_t *blob, size_t len)
{
    return g_db_kind == kind && g_db_bloblen == len && (len == 0 || memcmp(g_db_blob, blob, len) == 0);
}

static void db_set(enum db_kind kind, uint8_t *blob, size_t len)
{
    free(g_db_blob);
    g_db_kind = kind;
    g_db_blob = blob;
    g_db_bloblen = len;
}

static void import_perm_cert(CERTCertificate *cert, const char *nick, const char *trust)
{
    PK11SlotInfo *slot = PK11_GetInternalKeySlot();
    SECStatus rv = PK11_ImportCert(slot, cert, CK_INVALID_HANDLE, nick, PR_FALSE);
    PK11_FreeSlot(slot);
    if (rv != SECSuccess)
        nss_fatal("PK11_ImportCert(%s): %s", nick, nss_err_name(PR_GetError()));
    if (trust) {
        CERTCertTrust t;
        CERT_DecodeTrustString(&t, trust);
        if (CERT_ChangeCertTrust(CERT_GetDefaultCertDB(), cert, &t) != SECSuccess)
            nss_fatal("CERT_ChangeCertTrust(%s): %s", nick, nss_err_name(PR_GetError()));
    }
}

/* nss_db_trusted_cas makes the DB hold exactly the certificates of |pem| as CAs
 * trusted to issue client certificates ("T,,", what certutil -t "T,," sets
 * for a server's client CAs). */
void nss_db_trusted_cas(const char *pem)
{
    size_t len;
    uint8_t *content = shim_read_file(pem, &len);
    if (!content)
        nss_fatal("%s: %s", pem, strerror(errno));
    if (db_is(DB_TRUSTED_CAS, content, len)) {
        free(content);
        return;
    }
    nss_reset();
    struct cache_entry *e = nss_load_certs(pem);
    char nick[64];
    for (size_t i = 0; i < e->ncerts; i++) {
        snprintf(nick, sizeof(nick), "cabound-ca-%zu", i);
        import_perm_cert(e->certs[i], nick, "T,,");
    }
    db_set(DB_TRUSTED_CAS, content, len);
}

/* nss_db_user_certs makes the DB hold exactly |creds| as user certificates
 * (certificate and private key as token objects), for NSS_GetClientAuthData. */
void nss_db_user_certs(const struct shim_cred *creds, size_t n)
{
    size_t len = 0;
    uint8_t *blob = NULL;
    for (size_t i = 0; i < 2 * n; i++) {
        const char *path = i % 2 ? creds[i / 2].key : creds[i / 2].cert;
        size_t l;
        uint8_t *c = shim_read_file(path, &l);
        if (!c)
            nss_fatal("%s: %s", path, strerror(errno));
        uint8_t *nb = realloc(blob, len + sizeof(size_t) + l);
        if (!nb)
            nss_fatal("out of memory");
        blob = nb;
        memcpy(blob + len, &l, sizeof(size_t));
        memcpy(blob + len + sizeof(size_t), c, l);
        len += sizeof(size_t) + l;
        free(c);
    }
    if (db_is(DB_USER_CERTS, blob, len)) {
        free(blob);
        return;
    }
    nss_reset();
    char nick[64];
    for (size_t i = 0; i < n; i++) {
        size_t kl;
        uint8_t *kc = shim_read_file(creds[i].key, &kl);
        if (!kc)
            nss_fatal("%s: %s", creds[i].key, strerror(errno));
        SECItem *der = nss_read_key_der(creds[i].key, kc);
        SECKEY_DestroyPrivateKey(nss_import_key(creds[i].key, der, PR_TRUE));
        SECITEM_FreeItem(der, PR_TRUE);
        free(kc);
        struct cache_entry *e = nss_load_certs(creds[i].cert);
        snprintf(nick, sizeof(nick), "cabound-client-%zu", i);
        import_perm_cert(e->certs[0], nick, NULL);
    }
    db_set(DB_USER_CERTS, blob, len);
}

/* remove_stale_dbdirs removes the DB directories of shims that died without
 * running their exit handler (the harness kills a shim past its deadline). */
static void remove_stale_dbdirs(const char *base)
{
    DIR *d = opendir(base);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        long pid;
        char rest[32];
        if (sscanf(de->d_name, "cabound-nss-%ld-%31s", &pid, rest) != 2 || pid <= 0)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char dir[PATH_MAX + 256];
        snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
        wipe_dir(dir);
        rmdir(dir);
    }
    closedir(d);
}

int nss_init(void)
{
    /* A tmpfs makes the sqlite DB about 4x faster to fill (trust-store
     * lists of hundreds of CAs); any writable directory works. */
    const char *tmp = getenv("TMPDIR");
    if (access("/dev/shm", W_OK | X_OK) == 0)
        tmp = "/dev/shm";
    else if (!tmp || !*tmp)
        tmp = "/tmp";
    remove_stale_dbdirs(tmp);
    snprintf(g_dbdir, sizeof(g_dbdir), "%s/cabound-nss-%ld-XXXXXX", tmp, (long)getpid());
    if (!mkdtemp(g_dbdir)) {
        fprintf(stderr, "cabound-shim-nss: mkdtemp(%s): %s\n", g_dbdir, strerror(errno));
        g_dbdir[0] = 0;
        return -1;
    }
    /* The sqlite DB is local: skip NSS's timing probe for network file systems. */
    setenv("NSS_SDB_USE_CACHE", "no", 0);
    atexit(at_exit);
    if (nss_open() != 0)
        return -1;

    return 0;
}


int nss_db_holds_trusted_cas(void)
{
    return g_db_kind == DB_TRUSTED_CAS;
}
