/* nss_shim.h — what the NSS shim's files share (shim_nss.c runs a case;
 * nss_material.c loads certificates and keys; nss_db.c owns NSS's
 * initialisation and its cert DB; nss_layer.c is the NSPR I/O layer). */
#ifndef CABOUND_NSS_SHIM_H
#define CABOUND_NSS_SHIM_H

#include <stddef.h>
#include <stdint.h>

#include <cert.h>
#include <keyhi.h>
#include <prerror.h>
#include <prio.h>
#include <seccomon.h>

#include "shim.h"

void nss_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
const char *nss_err_name(PRErrorCode code);

/* ---- nss_material.c */
enum entry_kind { ENT_CERTS, ENT_KEY };
struct cache_entry {
    enum entry_kind kind;
    unsigned long used; /* the case that last used it (nss_case_no) */
    char *path;
    uint8_t *content;
    size_t len;
    CERTCertificate **certs; /* ENT_CERTS: every CERTIFICATE block, in order */
    size_t ncerts;
    SECKEYPrivateKey *key;   /* ENT_KEY: a session object in the internal slot */
};

extern unsigned long nss_case_no; /* the case being run, for the cache's ageing */
void nss_cache_clear(void);
void nss_cache_trim(void);
SECItem *nss_pem_next(const char *text, size_t *pos, char *label, size_t labellen);
struct cache_entry *nss_load_certs(const char *path);
SECItem *nss_read_key_der(const char *path, const uint8_t *content);
SECKEYPrivateKey *nss_import_key(const char *path, const SECItem *der, PRBool perm);
SECKEYPrivateKey *nss_load_key(const char *path);

/* ---- nss_db.c */
enum db_kind { DB_EMPTY, DB_TRUSTED_CAS, DB_USER_CERTS };
int nss_init(void);
void nss_reset(void);
void nss_db_trusted_cas(const char *pem);
void nss_db_user_certs(const struct shim_cred *creds, size_t n);
int nss_db_holds_trusted_cas(void);

/* ---- nss_layer.c */
struct snoop {
    int on_write; /* the client writes its ClientHello, the server reads it */
    uint8_t buf[64];
    size_t n;
};
void nss_layer_init(void);
void nss_layer_push(PRFileDesc *tcp, struct snoop *s);
int nss_client_random(const struct snoop *s, uint8_t out[32]);

#endif
