/* shim_nss.c — the NSS shim (NSS 3.87, Debian libnss3-dev; see ../README.md
 * for the contract and NOTES.md beside this file for what NSS does).
 *
 * Setting the list on the server:
 *   explicit     SSL_SetTrustAnchors(fd, CERTCertList *) with the certificates
 *                of calist_pem, in order. It is NSS's only per-socket API for
 *                the list; it takes certificates and sends their derSubject
 *                bytes (CERT_DistNamesFromCertList), so the shim checks that
 *                each subject is byte-equal to the DN of calist at that index.
 *                The certificates are decoded (CERT_DecodeDERCertificate), not
 *                entered into the cert DB: SSL_SetTrustAnchors copies only
 *                their subjects (lib/ssl/sslsecur.c), and a list is new in
 *                every case.
 *   trust-store  NSS's default when no list is set: ssl_GetCertificateRequestCAs
 *                falls back to CERT_GetSSLCACerts, the subjects of every
 *                certificate in the cert DB trusted as a client CA ("T,,"),
 *                computed once per NSS initialisation. The shim imports
 *                calist_pem into its cert DB with that trust (re-initialising
 *                NSS with an empty DB when the set changes) and verifies
 *                client certificates with NSS's own SSL_AuthCertificate
 *                against that DB, as selfserv does.
 *   none         no SSL_SetTrustAnchors and no certificate trusted as a client
 *                CA in the DB, so the list NSS derives is empty.
 * Reading the list on the client: SSL_GetClientAuthDataHook's callback
 *   receives the CERTDistNames exactly as parsed (DER, in order).
 *   native       the callback delegates to NSS_GetClientAuthData (NSS's
 *                default hook), which picks a user certificate (one with a
 *                private key) from the cert DB whose chain has an issuer
 *                matching the names; the shim imports client_creds into its
 *                DB for that.
 *   by-issuer    the callback picks with shim_pick_by_issuer on derIssuer.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cert.h>
#include <keyhi.h>
#include <nss.h>
#include <nssb64.h>
#include <pk11pub.h>
#include <prerror.h>
#include <prio.h>
#include <prnetdb.h>
#include <private/pprio.h>
#include <secerr.h>
#include <ssl.h>
#include <sslerr.h>
#include <sslexp.h>
#include <sslproto.h>

#include "shim.h"
#include "verify_anchors.h"

/* ------------------------------------------------------------------ state */

static char g_dbdir[PATH_MAX];  /* the process's own cert/key DB (sql:) */
static int g_nss_up;            /* NSS_Initialize succeeded */
static PRDescIdentity g_layer_id = PR_INVALID_IO_LAYER;
static PRIOMethods g_layer_methods;
static PRCloseFN g_default_close;

typedef SECStatus (*secret_cb_setter)(PRFileDesc *, SSLSecretCallback, void *);
static secret_cb_setter g_set_secret_cb;

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...)
{
    va_list ap;
    fputs("cabound-shim-nss: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(3);
}

static const char *err_name(PRErrorCode code)
{
    const char *n = PR_ErrorToName(code);
    return n ? n : "unknown error";
}

static void set_nss_error(struct shim_obs *obs, PRErrorCode code)
{
    char text[512];
    const char *s = PORT_ErrorToString(code);
    snprintf(text, sizeof(text), "%s: %s", err_name(code), s ? s : "");
    shim_set_error(obs, code, text);
}

/* ------------------------------------------------------- material cache */

/* Files are cached by content (not by path alone, so that a regenerated
 * PKI at the same path is seen). Every NSS object here is released before
 * NSS_Shutdown. */
enum entry_kind { ENT_CERTS, ENT_KEY };
struct cache_entry {
    enum entry_kind kind;
    unsigned long used; /* the case that last used it (g_case_no) */
    char *path;
    uint8_t *content;
    size_t len;
    CERTCertificate **certs; /* ENT_CERTS: every CERTIFICATE block, in order */
    size_t ncerts;
    SECKEYPrivateKey *key;   /* ENT_KEY: a session object in the internal slot */
};
static struct cache_entry **g_cache; /* entries never move: callers keep pointers */
static size_t g_ncache, g_capcache;
static unsigned long g_case_no;

static void entry_free(struct cache_entry *e)
{
    for (size_t j = 0; j < e->ncerts; j++)
        CERT_DestroyCertificate(e->certs[j]);
    free(e->certs);
    if (e->key)
        SECKEY_DestroyPrivateKey(e->key);
    free(e->content);
    free(e->path);
    free(e);
}

static void cache_clear(void)
{
    for (size_t i = 0; i < g_ncache; i++)
        entry_free(g_cache[i]);
    free(g_cache);
    g_cache = NULL;
    g_ncache = g_capcache = 0;
}

/* cache_trim drops what the last few cases did not use (a run's trust-store
 * lists would otherwise pile up); it runs between cases, when no pointer
 * into the cache is held. */
static void cache_trim(void)
{
    size_t kept = 0;
    for (size_t i = 0; i < g_ncache; i++) {
        if (g_case_no - g_cache[i]->used > 4)
            entry_free(g_cache[i]);
        else
            g_cache[kept++] = g_cache[i];
    }
    g_ncache = kept;
}

static struct cache_entry *cache_find(enum entry_kind kind, const char *path, const uint8_t *content,
                                      size_t len)
{
    for (size_t i = 0; i < g_ncache; i++) {
        struct cache_entry *e = g_cache[i];
        if (e->kind == kind && e->len == len && strcmp(e->path, path) == 0 &&
            memcmp(e->content, content, len) == 0) {
            e->used = g_case_no;
            return e;
        }
    }
    return NULL;
}

static struct cache_entry *cache_add(enum entry_kind kind, const char *path, uint8_t *content,
                                     size_t len)
{
    if (g_ncache == g_capcache) {
        size_t cap = g_capcache ? g_capcache * 2 : 16;
        struct cache_entry **n = realloc(g_cache, cap * sizeof(*n));
        if (!n)
            fatal("out of memory");
        g_cache = n;
        g_capcache = cap;
    }
    struct cache_entry *e = calloc(1, sizeof(*e));
    if (!e)
        fatal("out of memory");
    g_cache[g_ncache++] = e;
    e->kind = kind;
    e->used = g_case_no;
    e->path = strdup(path);
    e->content = content;
    e->len = len;
    if (!e->path)
        fatal("out of memory");
    return e;
}

/* pem_next decodes the next PEM block at or after *pos into DER (caller
 * frees with SECITEM_FreeItem(item, PR_TRUE)) and its label. */
static SECItem *pem_next(const char *text, size_t *pos, char *label, size_t labellen)
{
    const char *b = strstr(text + *pos, "-----BEGIN ");
    if (!b)
        return NULL;
    const char *ls = b + 11;
    const char *le = strstr(ls, "-----");
    if (!le)
        return NULL;
    size_t ll = (size_t)(le - ls);
    if (ll >= labellen)
        ll = labellen - 1;
    memcpy(label, ls, ll);
    label[ll] = 0;
    const char *body = le + 5;
    const char *end = strstr(body, "-----END ");
    if (!end)
        return NULL;
    *pos = (size_t)(end - text) + 9;
    /* NSS's base64 decoder skips the line breaks. */
    SECItem *der = NSSBase64_DecodeBuffer(NULL, NULL, body, (PRUint32)(end - body));
    return der;
}

/* load_certs returns the certificates of a PEM bundle as temporary NSS
 * certificates (CERT_NewTempCertificate), cached. */
static struct cache_entry *load_certs(const char *path)
{
    size_t len;
    uint8_t *content = shim_read_file(path, &len);
    if (!content)
        fatal("%s: %s", path, strerror(errno));
    struct cache_entry *e = cache_find(ENT_CERTS, path, content, len);
    if (e) {
        free(content);
        return e;
    }
    e = cache_add(ENT_CERTS, path, content, len);
    size_t pos = 0, cap = 0;
    char label[64];
    SECItem *der;
    while ((der = pem_next((const char *)content, &pos, label, sizeof(label))) != NULL) {
        if (strcmp(label, "CERTIFICATE") != 0 && strcmp(label, "TRUSTED CERTIFICATE") != 0) {
            SECITEM_FreeItem(der, PR_TRUE);
            continue;
        }
        CERTCertificate *cert =
            CERT_NewTempCertificate(CERT_GetDefaultCertDB(), der, NULL, PR_FALSE, PR_TRUE);
        SECITEM_FreeItem(der, PR_TRUE);
        if (!cert)
            fatal("%s: certificate %zu: %s", path, e->ncerts, err_name(PR_GetError()));
        if (e->ncerts == cap) {
            cap = cap ? cap * 2 : 8;
            CERTCertificate **n = realloc(e->certs, cap * sizeof(*n));
            if (!n)
                fatal("out of memory");
            e->certs = n;
        }
        e->certs[e->ncerts++] = cert;
    }
    if (e->ncerts == 0)
        fatal("%s: no PEM certificate", path);
    return e;
}

/* ---- minimal DER, only to wrap a SEC1 "EC PRIVATE KEY" into PKCS#8 ---- */

static int der_tlv(const uint8_t *p, size_t n, uint8_t *tag, size_t *hdr, size_t *clen)
{
    if (n < 2)
        return -1;
    *tag = p[0];
    size_t l = p[1], h = 2;
    if (l & 0x80) {
        size_t k = l & 0x7f;
        if (k == 0 || k > 3 || n < 2 + k)
            return -1;
        l = 0;
        for (size_t i = 0; i < k; i++)
            l = (l << 8) | p[2 + i];
        h += k;
    }
    if (h + l > n)
        return -1;
    *hdr = h;
    *clen = l;
    return 0;
}

static size_t der_put_hdr(uint8_t *out, uint8_t tag, size_t len)
{
    out[0] = tag;
    if (len < 0x80) {
        out[1] = (uint8_t)len;
        return 2;
    }
    if (len < 0x100) {
        out[1] = 0x81;
        out[2] = (uint8_t)len;
        return 3;
    }
    out[1] = 0x82;
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    return 4;
}

static SECItem *sec1_to_pkcs8(const SECItem *sec1)
{
    static const uint8_t p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    static const uint8_t ecpk[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
    const uint8_t *curve = p256;
    size_t curvelen = sizeof(p256);
    uint8_t tag;
    size_t h, l;
    if (der_tlv(sec1->data, sec1->len, &tag, &h, &l) != 0 || tag != 0x30)
        return NULL;
    const uint8_t *p = sec1->data + h, *end = p + l;
    while (p < end) { /* version, privateKey, [0] parameters, [1] publicKey */
        uint8_t t;
        size_t hh, ll;
        if (der_tlv(p, (size_t)(end - p), &t, &hh, &ll) != 0)
            return NULL;
        if (t == 0xa0) {
            curve = p + hh;
            curvelen = ll;
        }
        p += hh + ll;
    }
    size_t alg = sizeof(ecpk) + curvelen;
    size_t body = 3 + 4 + alg + 4 + sec1->len;
    SECItem *out = SECITEM_AllocItem(NULL, NULL, (unsigned)(body + 4));
    if (!out)
        return NULL;
    uint8_t *o = out->data;
    size_t n = 0;
    uint8_t tmp[4];
    size_t inner = 3 + der_put_hdr(tmp, 0x30, alg) + alg + der_put_hdr(tmp, 0x04, sec1->len) + sec1->len;
    n += der_put_hdr(o + n, 0x30, inner);
    o[n++] = 0x02, o[n++] = 0x01, o[n++] = 0x00;
    n += der_put_hdr(o + n, 0x30, alg);
    memcpy(o + n, ecpk, sizeof(ecpk)), n += sizeof(ecpk);
    memcpy(o + n, curve, curvelen), n += curvelen;
    n += der_put_hdr(o + n, 0x04, sec1->len);
    memcpy(o + n, sec1->data, sec1->len), n += sec1->len;
    out->len = (unsigned)n;
    return out;
}

/* read_key_der returns the PKCS#8 DER of the first private key in |path|. */
static SECItem *read_key_der(const char *path, const uint8_t *content)
{
    size_t pos = 0;
    char label[64];
    SECItem *der;
    while ((der = pem_next((const char *)content, &pos, label, sizeof(label))) != NULL) {
        if (strcmp(label, "PRIVATE KEY") == 0)
            return der;
        if (strcmp(label, "EC PRIVATE KEY") == 0) {
            SECItem *p8 = sec1_to_pkcs8(der);
            SECITEM_FreeItem(der, PR_TRUE);
            if (!p8)
                fatal("%s: malformed EC PRIVATE KEY", path);
            return p8;
        }
        SECITEM_FreeItem(der, PR_TRUE);
    }
    fatal("%s: no PRIVATE KEY or EC PRIVATE KEY PEM block", path);
}

static SECKEYPrivateKey *import_key(const char *path, const SECItem *der, PRBool perm)
{
    PK11SlotInfo *slot = PK11_GetInternalKeySlot();
    SECKEYPrivateKey *key = NULL;
    SECStatus rv = PK11_ImportDERPrivateKeyInfoAndReturnKey(slot, (SECItem *)der, NULL, NULL, perm,
                                                            PR_TRUE, KU_ALL, &key, NULL);
    PK11_FreeSlot(slot);
    if (rv != SECSuccess || !key)
        fatal("%s: PK11_ImportDERPrivateKeyInfoAndReturnKey: %s", path, err_name(PR_GetError()));
    return key;
}

/* load_key returns the private key of |path| as a session object, cached. */
static SECKEYPrivateKey *load_key(const char *path)
{
    size_t len;
    uint8_t *content = shim_read_file(path, &len);
    if (!content)
        fatal("%s: %s", path, strerror(errno));
    struct cache_entry *e = cache_find(ENT_KEY, path, content, len);
    if (e) {
        free(content);
        return e->key;
    }
    e = cache_add(ENT_KEY, path, content, len);
    SECItem *der = read_key_der(path, content);
    e->key = import_key(path, der, PR_FALSE);
    SECITEM_FreeItem(der, PR_TRUE);
    return e->key;
}

/* ------------------------------------------------- NSS and its cert DB */

/* What the process's cert DB holds beyond the empty state. NSS computes the
 * trust-store list once per initialisation (ssl_SetupCAList, PR_CallOnce),
 * and NSS_GetClientAuthData searches every user certificate of the DB, so a
 * change of either set re-initialises NSS over an empty DB. */
enum db_kind { DB_EMPTY, DB_TRUSTED_CAS, DB_USER_CERTS };
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
        fprintf(stderr, "cabound-shim-nss: NSS_Initialize(%s): %s\n", cfg, err_name(PR_GetError()));
        return -1;
    }
    g_nss_up = 1;
    if (NSS_SetDomesticPolicy() != SECSuccess) {
        fprintf(stderr, "cabound-shim-nss: NSS_SetDomesticPolicy: %s\n", err_name(PR_GetError()));
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
    cache_clear();
    free(g_db_blob);
    g_db_blob = NULL;
    g_db_bloblen = 0;
    if (g_nss_up) {
        SSL_ClearSessionCache();
        if (NSS_Shutdown() != SECSuccess)
            fprintf(stderr, "cabound-shim-nss: NSS_Shutdown: %s\n", err_name(PR_GetError()));
        g_nss_up = 0;
    }
    if (g_dbdir[0])
        wipe_dir(g_dbdir);
}

static void nss_reset(void)
{
    nss_close();
    if (nss_open() != 0)
        fatal("cannot re-initialise NSS");
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
        fatal("PK11_ImportCert(%s): %s", nick, err_name(PR_GetError()));
    if (trust) {
        CERTCertTrust t;
        CERT_DecodeTrustString(&t, trust);
        if (CERT_ChangeCertTrust(CERT_GetDefaultCertDB(), cert, &t) != SECSuccess)
            fatal("CERT_ChangeCertTrust(%s): %s", nick, err_name(PR_GetError()));
    }
}

/* db_trusted_cas makes the DB hold exactly the certificates of |pem| as CAs
 * trusted to issue client certificates ("T,,", what certutil -t "T,," sets
 * for a server's client CAs). */
static void db_trusted_cas(const char *pem)
{
    size_t len;
    uint8_t *content = shim_read_file(pem, &len);
    if (!content)
        fatal("%s: %s", pem, strerror(errno));
    if (db_is(DB_TRUSTED_CAS, content, len)) {
        free(content);
        return;
    }
    nss_reset();
    struct cache_entry *e = load_certs(pem);
    char nick[64];
    for (size_t i = 0; i < e->ncerts; i++) {
        snprintf(nick, sizeof(nick), "cabound-ca-%zu", i);
        import_perm_cert(e->certs[i], nick, "T,,");
    }
    db_set(DB_TRUSTED_CAS, content, len);
}

/* db_user_certs makes the DB hold exactly |creds| as user certificates
 * (certificate and private key as token objects), for NSS_GetClientAuthData. */
static void db_user_certs(const struct shim_cred *creds, size_t n)
{
    size_t len = 0;
    uint8_t *blob = NULL;
    for (size_t i = 0; i < 2 * n; i++) {
        const char *path = i % 2 ? creds[i / 2].key : creds[i / 2].cert;
        size_t l;
        uint8_t *c = shim_read_file(path, &l);
        if (!c)
            fatal("%s: %s", path, strerror(errno));
        uint8_t *nb = realloc(blob, len + sizeof(size_t) + l);
        if (!nb)
            fatal("out of memory");
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
            fatal("%s: %s", creds[i].key, strerror(errno));
        SECItem *der = read_key_der(creds[i].key, kc);
        SECKEY_DestroyPrivateKey(import_key(creds[i].key, der, PR_TRUE));
        SECITEM_FreeItem(der, PR_TRUE);
        free(kc);
        struct cache_entry *e = load_certs(creds[i].cert);
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

static int nss_init(void)
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

    g_layer_id = PR_GetUniqueIdentity("cabound-fd");
    g_layer_methods = *PR_GetDefaultIOMethods();
    g_default_close = g_layer_methods.close;

    void *p = SSL_GetExperimentalAPI("SSL_SecretCallback");
    memcpy(&g_set_secret_cb, &p, sizeof(g_set_secret_cb));
    return 0;
}

/* --------------------------------------------------- the NSPR I/O layer */

/* NSS reads the socket through NSPR: the connection's fd is dup'ed and
 * imported with PR_ImportTCPSocket (PR_Close closes only the dup), under a
 * thin layer that (1) answers getpeername with 127.0.0.1 for a socket that
 * is not INET/INET6 — NSS's ssl_GetPeerInfo fails an AF_UNIX socketpair with
 * PR_ADDRESS_NOT_SUPPORTED_ERROR otherwise — and (2) keeps the first bytes of
 * the client's first flight, whose ClientHello.random labels key-log lines:
 * NSS has no public API for the client random. Every other method (shutdown
 * included) is NSPR's default, which forwards to the layer below. */
struct snoop {
    int on_write; /* the client writes its ClientHello, the server reads it */
    uint8_t buf[64];
    size_t n;
};

static void snoop_add(PRFileDesc *fd, const void *data, PRInt32 n, int writing)
{
    struct snoop *s = (struct snoop *)fd->secret;
    if (!s || n <= 0 || s->on_write != writing || s->n >= sizeof(s->buf))
        return;
    size_t k = sizeof(s->buf) - s->n;
    if ((size_t)n < k)
        k = (size_t)n;
    memcpy(s->buf + s->n, data, k);
    s->n += k;
}

static PRInt32 PR_CALLBACK layer_read(PRFileDesc *fd, void *buf, PRInt32 amount)
{
    PRInt32 rv = fd->lower->methods->read(fd->lower, buf, amount);
    snoop_add(fd, buf, rv, 0);
    return rv;
}

static PRInt32 PR_CALLBACK layer_recv(PRFileDesc *fd, void *buf, PRInt32 amount, PRIntn flags,
                                      PRIntervalTime timeout)
{
    PRInt32 rv = fd->lower->methods->recv(fd->lower, buf, amount, flags, timeout);
    if (!(flags & PR_MSG_PEEK))
        snoop_add(fd, buf, rv, 0);
    return rv;
}

static PRInt32 PR_CALLBACK layer_write(PRFileDesc *fd, const void *buf, PRInt32 amount)
{
    PRInt32 rv = fd->lower->methods->write(fd->lower, buf, amount);
    snoop_add(fd, buf, rv, 1);
    return rv;
}

static PRInt32 PR_CALLBACK layer_send(PRFileDesc *fd, const void *buf, PRInt32 amount, PRIntn flags,
                                      PRIntervalTime timeout)
{
    PRInt32 rv = fd->lower->methods->send(fd->lower, buf, amount, flags, timeout);
    snoop_add(fd, buf, rv, 1);
    return rv;
}

static PRStatus PR_CALLBACK layer_getpeername(PRFileDesc *fd, PRNetAddr *addr)
{
    PRStatus rv = fd->lower->methods->getpeername(fd->lower, addr);
    if (rv == PR_SUCCESS && (addr->raw.family == PR_AF_INET || addr->raw.family == PR_AF_INET6))
        return rv;
    memset(addr, 0, sizeof(*addr));
    return PR_SetNetAddr(PR_IpAddrLoopback, PR_AF_INET, 0, addr);
}

static PRStatus PR_CALLBACK layer_close(PRFileDesc *fd)
{
    fd->secret = NULL; /* the snoop lives in run()'s frame */
    return g_default_close(fd);
}

static int client_random(const struct snoop *s, uint8_t out[32])
{
    /* record header (5) + handshake header (4) + legacy_version (2) */
    if (s->n < 43 || s->buf[0] != 22 || s->buf[5] != 1)
        return 0;
    memcpy(out, s->buf + 11, 32);
    return 1;
}

/* ------------------------------------------------------------ callbacks */

#define ALERT_CLOSE_NOTIFY 0 /* AlertDescription; NSS keeps its enum in a private header */

struct conn {
    const struct shim_case *c;
    struct shim_obs *obs;
    struct snoop snoop;
    int native_verify;         /* trust-store: SSL_AuthCertificate against the DB */
    CERTCertList *anchors;     /* otherwise: CERT_PKIXVerifyCert with these only */
    struct cache_entry **cred_certs;
    SECKEYPrivateKey **cred_keys;
    size_t ncreds;
    int close_sent, close_received;
    int keylog_warned;
};

static void PR_CALLBACK alert_sent_cb(const PRFileDesc *fd, void *arg, const SSLAlert *alert)
{
    struct conn *cn = arg;
    (void)fd;
    if (alert->description == ALERT_CLOSE_NOTIFY)
        cn->close_sent = 1;
    else if (cn->obs->alert_sent < 0)
        cn->obs->alert_sent = alert->description;
}

static void PR_CALLBACK alert_received_cb(const PRFileDesc *fd, void *arg, const SSLAlert *alert)
{
    struct conn *cn = arg;
    (void)fd;
    if (alert->description == ALERT_CLOSE_NOTIFY)
        cn->close_received = 1;
    else if (cn->obs->alert_received < 0)
        cn->obs->alert_received = alert->description;
}

/* TLS 1.3 only: NSS hands over each traffic secret (epoch 2 = handshake,
 * 3 + N = application N) per direction. */
static void PR_CALLBACK secret_cb(PRFileDesc *fd, PRUint16 epoch, SSLSecretDirection dir,
                                  PK11SymKey *secret, void *arg)
{
    struct conn *cn = arg;
    (void)fd;
    if (!cn->c->keylog)
        return;
    int client_side = (cn->c->role == SHIM_CLIENT) == (dir == ssl_secret_write);
    const char *who = client_side ? "CLIENT" : "SERVER";
    char label[64];
    if (epoch == 1)
        snprintf(label, sizeof(label), "CLIENT_EARLY_TRAFFIC_SECRET");
    else if (epoch == 2)
        snprintf(label, sizeof(label), "%s_HANDSHAKE_TRAFFIC_SECRET", who);
    else
        snprintf(label, sizeof(label), "%s_TRAFFIC_SECRET_%d", who, epoch - 3);
    uint8_t cr[32];
    SECItem *data = NULL;
    if (PK11_ExtractKeyValue(secret) == SECSuccess)
        data = PK11_GetKeyData(secret);
    if (!client_random(&cn->snoop, cr) || !data || !data->data) {
        if (!cn->keylog_warned)
            fprintf(stderr, "cabound-shim-nss: cannot log %s: %s\n", label,
                    data ? "no client random seen" : err_name(PR_GetError()));
        cn->keylog_warned = 1;
        return;
    }
    shim_keylog_secret(cn->c, label, cr, sizeof(cr), data->data, data->len);
}

static void keep_peer_cert(struct conn *cn, PRFileDesc *fd)
{
    if (cn->c->role != SHIM_SERVER || cn->obs->peer_cert)
        return;
    CERTCertificate *peer = SSL_PeerCertificate(fd);
    if (!peer)
        return;
    cn->obs->peer_cert = malloc(peer->derCert.len);
    if (cn->obs->peer_cert) {
        memcpy(cn->obs->peer_cert, peer->derCert.data, peer->derCert.len);
        cn->obs->peer_cert_len = peer->derCert.len;
    }
    CERT_DestroyCertificate(peer);
}

static SECStatus auth_cert_cb(void *arg, PRFileDesc *fd, PRBool checkSig, PRBool isServer)
{
    struct conn *cn = arg;
    keep_peer_cert(cn, fd);
    if (cn->native_verify)
        return SSL_AuthCertificate(CERT_GetDefaultCertDB(), fd, checkSig, isServer);
    if (!cn->anchors) {
        PORT_SetError(SEC_ERROR_UNTRUSTED_ISSUER);
        return SECFailure;
    }
    CERTCertificate *peer = SSL_PeerCertificate(fd);
    if (!peer) {
        PORT_SetError(SSL_ERROR_NO_CERTIFICATE);
        return SECFailure;
    }
    SECStatus rv = nss_verify_with_anchors(peer, cn->anchors, isServer, SSL_RevealPinArg(fd));
    CERT_DestroyCertificate(peer);
    return rv;
}

static SECStatus client_auth_cb(void *arg, PRFileDesc *fd, CERTDistNames *caNames,
                                CERTCertificate **pRetCert, SECKEYPrivateKey **pRetKey)
{
    struct conn *cn = arg;
    struct shim_obs *obs = cn->obs;
    obs->received_exposed = true;
    for (int i = 0; caNames && i < caNames->nnames; i++)
        if (cb_calist_push(&obs->received, caNames->names[i].data, caNames->names[i].len, NULL) != 0)
            fatal("out of memory");

    if (cn->c->select == SHIM_SEL_BY_ISSUER) {
        size_t n = cn->ncreds;
        const uint8_t **iss = calloc(n ? n : 1, sizeof(*iss));
        size_t *lens = calloc(n ? n : 1, sizeof(*lens));
        if (!iss || !lens)
            fatal("out of memory");
        for (size_t i = 0; i < n; i++) {
            iss[i] = cn->cred_certs[i]->certs[0]->derIssuer.data;
            lens[i] = cn->cred_certs[i]->certs[0]->derIssuer.len;
        }
        int idx = shim_pick_by_issuer(&obs->received, iss, lens, n);
        free(iss);
        free(lens);
        obs->sent_cert = idx;
        if (idx < 0)
            return SECFailure; /* NSS sends an empty Certificate */
        *pRetCert = CERT_DupCertificate(cn->cred_certs[idx]->certs[0]);
        *pRetKey = SECKEY_CopyPrivateKey(cn->cred_keys[idx]);
        return SECSuccess;
    }

    /* native: NSS's own default hook does the choosing. */
    SECStatus rv = NSS_GetClientAuthData(NULL, fd, caNames, pRetCert, pRetKey);
    if (rv != SECSuccess) {
        obs->sent_cert = -1;
        return rv;
    }
    obs->sent_cert = -2;
    for (size_t i = 0; i < cn->ncreds; i++)
        if (SECITEM_ItemsAreEqual(&cn->cred_certs[i]->certs[0]->derCert, &(*pRetCert)->derCert)) {
            obs->sent_cert = (int)i;
            break;
        }
    return rv;
}

/* ------------------------------------------------------------------ run */

/* cert.h declares CERT_DecodeDERCertificate, but libnss3 exports it as
 * __CERT_DecodeDERCertificate (lib/nss/nssrenam.h, lib/nss/nss.def; the
 * renaming header is not installed). */
extern CERTCertificate *__CERT_DecodeDERCertificate(SECItem *der, PRBool copy, char *nickname);

/* decode_list returns the certificates of calist_pem, decoded outside the
 * cert DB, when each one's subject is the DN of calist at its index; NULL
 * with the case marked unsupported otherwise. */
static CERTCertList *decode_list(const struct shim_case *c, struct shim_obs *obs)
{
    size_t len;
    uint8_t *content = shim_read_file(c->calist_pem, &len);
    if (!content)
        fatal("%s: %s", c->calist_pem, strerror(errno));
    CERTCertList *l = CERT_NewCertList();
    if (!l)
        fatal("out of memory");
    size_t pos = 0, n = 0;
    char label[64];
    SECItem *der;
    const char *why = NULL;
    while (!why && (der = pem_next((const char *)content, &pos, label, sizeof(label))) != NULL) {
        if (strcmp(label, "CERTIFICATE") != 0) {
            SECITEM_FreeItem(der, PR_TRUE);
            continue;
        }
        CERTCertificate *cert = __CERT_DecodeDERCertificate(der, PR_TRUE, NULL);
        SECITEM_FreeItem(der, PR_TRUE);
        if (!cert)
            fatal("%s: certificate %zu: %s", c->calist_pem, n, err_name(PR_GetError()));
        const SECItem *sub = &cert->derSubject;
        if (n >= c->calist.count)
            why = "calist_pem holds more certificates than calist has DNs";
        else if (sub->len != c->calist.dns[n].len || memcmp(sub->data, c->calist.dns[n].der, sub->len))
            why = "the subject of a calist_pem certificate is not the DN of calist at its index; "
                  "SSL_SetTrustAnchors sends subjects";
        if (CERT_AddCertToListTail(l, cert) != SECSuccess)
            fatal("out of memory");
        n++;
    }
    free(content);
    if (!why && n != c->calist.count)
        why = "calist_pem holds fewer certificates than calist has DNs";
    if (why) {
        shim_unsupported(obs, "%s (certificate %zu of %s)", why, n ? n - 1 : 0, c->calist_pem);
        CERT_DestroyCertList(l);
        return NULL;
    }
    return l;
}

static CERTCertList *cert_list(const struct cache_entry *e)
{
    CERTCertList *l = CERT_NewCertList();
    if (!l)
        fatal("out of memory");
    for (size_t i = 0; i < e->ncerts; i++)
        if (CERT_AddCertToListTail(l, CERT_DupCertificate(e->certs[i])) != SECSuccess)
            fatal("out of memory");
    return l;
}

static void nss_run(const struct shim_case *c, int fd, struct shim_obs *obs)
{
    int server = c->role == SHIM_SERVER;
    struct conn cn;
    memset(&cn, 0, sizeof(cn));
    cn.c = c;
    cn.obs = obs;
    cn.snoop.on_write = !server;
    obs->alerts_exposed = true;
    CERTCertList *ta_list = NULL;
    CERTCertificate *server_cert = NULL;
    SECKEYPrivateKey *server_key = NULL;
    g_case_no++;
    cache_trim();

    /* 1. The cert DB a case needs (this may re-initialise NSS, so first). */
    if (server && c->source == SHIM_SRC_TRUST_STORE)
        db_trusted_cas(c->calist_pem);
    else if (server && c->source == SHIM_SRC_NONE && g_db_kind == DB_TRUSTED_CAS)
        nss_reset();
    else if (!server && c->select == SHIM_SEL_NATIVE)
        db_user_certs(c->client_creds, c->n_client_creds);

    /* 2. Certificates and keys. */
    if (server) {
        server_cert = load_certs(c->cert)->certs[0];
        server_key = load_key(c->key);
        if (c->source == SHIM_SRC_EXPLICIT) {
            if (!c->calist_pem) {
                shim_unsupported(obs, "NSS's explicit list API (SSL_SetTrustAnchors) takes "
                                      "certificates: calist_source explicit needs calist_pem");
                return;
            }
            if (!(ta_list = decode_list(c, obs)))
                return;
        }
        if (c->source == SHIM_SRC_TRUST_STORE)
            cn.native_verify = 1;
        else if (c->trust)
            cn.anchors = cert_list(load_certs(c->trust));
    } else {
        if (c->trust)
            cn.anchors = cert_list(load_certs(c->trust));
        cn.ncreds = c->n_client_creds;
        cn.cred_certs = calloc(cn.ncreds ? cn.ncreds : 1, sizeof(*cn.cred_certs));
        cn.cred_keys = calloc(cn.ncreds ? cn.ncreds : 1, sizeof(*cn.cred_keys));
        if (!cn.cred_certs || !cn.cred_keys)
            fatal("out of memory");
        for (size_t i = 0; i < cn.ncreds; i++) {
            cn.cred_certs[i] = load_certs(c->client_creds[i].cert);
            if (c->select == SHIM_SEL_BY_ISSUER)
                cn.cred_keys[i] = load_key(c->client_creds[i].key);
        }
    }

    /* 3. The NSPR stack: TCP (a dup of fd) < our layer < SSL. */
    int dfd = dup(fd);
    if (dfd < 0)
        fatal("dup: %s", strerror(errno));
    PRFileDesc *tcp = PR_ImportTCPSocket(dfd);
    if (!tcp)
        fatal("PR_ImportTCPSocket: %s", err_name(PR_GetError()));
    PRFileDesc *layer = PR_CreateIOLayerStub(g_layer_id, &g_layer_methods);
    if (!layer)
        fatal("PR_CreateIOLayerStub: %s", err_name(PR_GetError()));
    layer->secret = (PRFilePrivate *)&cn.snoop;
    if (PR_PushIOLayer(tcp, PR_TOP_IO_LAYER, layer) != PR_SUCCESS)
        fatal("PR_PushIOLayer: %s", err_name(PR_GetError()));
    PRFileDesc *ssl = SSL_ImportFD(NULL, tcp);
    if (!ssl)
        fatal("SSL_ImportFD: %s", err_name(PR_GetError()));

    PRUint16 v = c->tls == 12 ? SSL_LIBRARY_VERSION_TLS_1_2 : SSL_LIBRARY_VERSION_TLS_1_3;
    SSLVersionRange vr = {v, v};
    int bad = SSL_OptionSet(ssl, SSL_SECURITY, PR_TRUE) != SECSuccess ||
              SSL_OptionSet(ssl, SSL_HANDSHAKE_AS_CLIENT, !server) != SECSuccess ||
              SSL_OptionSet(ssl, SSL_HANDSHAKE_AS_SERVER, server) != SECSuccess ||
              SSL_OptionSet(ssl, SSL_NO_CACHE, PR_TRUE) != SECSuccess ||
              SSL_VersionRangeSet(ssl, &vr) != SECSuccess ||
              SSL_AuthCertificateHook(ssl, auth_cert_cb, &cn) != SECSuccess ||
              SSL_AlertSentCallback(ssl, alert_sent_cb, &cn) != SECSuccess ||
              SSL_AlertReceivedCallback(ssl, alert_received_cb, &cn) != SECSuccess;
    if (!bad && g_set_secret_cb && c->keylog)
        bad = g_set_secret_cb(ssl, secret_cb, &cn) != SECSuccess;
    if (!bad && server) {
        bad = SSL_OptionSet(ssl, SSL_REQUEST_CERTIFICATE, PR_TRUE) != SECSuccess ||
              SSL_OptionSet(ssl, SSL_REQUIRE_CERTIFICATE,
                            c->require_cert ? SSL_REQUIRE_ALWAYS : SSL_REQUIRE_NEVER) != SECSuccess ||
              SSL_ConfigServerCert(ssl, server_cert, server_key, NULL, 0) != SECSuccess;
        if (!bad && ta_list)
            bad = SSL_SetTrustAnchors(ssl, ta_list) != SECSuccess;
    } else if (!bad) {
        bad = SSL_GetClientAuthDataHook(ssl, client_auth_cb, &cn) != SECSuccess;
    }
    if (!bad)
        bad = SSL_ResetHandshake(ssl, server) != SECSuccess;
    if (bad)
        fatal("configuring the SSL socket: %s", err_name(PR_GetError()));

    /* 4. Handshake, then one byte from server to client. */
    PRIntervalTime to = PR_MillisecondsToInterval((PRUint32)(c->timeout_ms > 0 ? c->timeout_ms : 1));
    int ok = 0;
    if (SSL_ForceHandshakeWithTimeout(ssl, to) == SECSuccess) {
        char b = 'x';
        PRInt32 n = 1;
        if (!server && c->app_request)
            n = PR_Send(ssl, c->app_request, (PRInt32)strlen(c->app_request), 0, to) > 0 ? 1 : -1;
        if (n == 1)
            n = server ? PR_Send(ssl, &b, 1, 0, to) : PR_Recv(ssl, &b, 1, 0, to);
        if (n == 1 && shim_app_byte_ok(c, (unsigned char)b))
            ok = 1;
        else if (n == 0)
            shim_set_error(obs, PR_END_OF_FILE_ERROR,
                           "PR_END_OF_FILE_ERROR: PR_Recv returned 0 (peer closed) before the byte");
        else if (n == 1)
            shim_set_error(obs, 0, "the application byte was not 'x'");
        else
            set_nss_error(obs, PR_GetError());
    } else {
        set_nss_error(obs, PR_GetError());
    }
    obs->handshake_ok = ok;
    keep_peer_cert(&cn, ssl);
    if (!ok) {
        if (obs->alert_sent < 0 && cn.close_sent)
            obs->alert_sent = ALERT_CLOSE_NOTIFY;
        if (obs->alert_received < 0 && cn.close_received)
            obs->alert_received = ALERT_CLOSE_NOTIFY;
    }

    /* 5. close_notify (NSS sends it on close after a completed handshake);
     * PR_Close closes the dup, never |fd|. */
    PR_Close(ssl);
    if (ta_list)
        CERT_DestroyCertList(ta_list);
    if (cn.anchors)
        CERT_DestroyCertList(cn.anchors);
    free(cn.cred_certs);
    free(cn.cred_keys);
}

/* --------------------------------------------------------------- stack */

static const char *nss_version(void)
{
    return NSS_GetVersion();
}

static void nss_layer_methods(void)
{
    g_layer_methods.read = layer_read;
    g_layer_methods.recv = layer_recv;
    g_layer_methods.write = layer_write;
    g_layer_methods.send = layer_send;
    g_layer_methods.getpeername = layer_getpeername;
    g_layer_methods.close = layer_close;
}

static int nss_init_all(void)
{
    if (nss_init() != 0)
        return -1;
    nss_layer_methods();
    return 0;
}

static const char *const tls_versions[] = {"1.2", "1.3", NULL};
static const char *const sources[] = {"explicit", "trust-store", "none", NULL};
static const char *const selects[] = {"native", "by-issuer", NULL};

static const struct shim_stack nss_stack = {
    .name = "nss",
    .version = nss_version,
    .library_symbol = (void (*)(void))SSL_ImportFD,
    .tls = tls_versions,
    .sources = sources,
    .selects = selects,
    .init = nss_init_all,
    .run = nss_run,
};

int main(int argc, char **argv)
{
    return shim_main(argc, argv, &nss_stack);
}
