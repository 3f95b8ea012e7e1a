/* mbedtls_shim.h — what the Mbed TLS shim's files share (shim_mbedtls.c runs
 * a case; mbedtls_cache.c parses certificates and keys once; mbedtls_conn.c
 * holds one connection's I/O and the library's callbacks). */
#ifndef CABOUND_MBEDTLS_SHIM_H
#define CABOUND_MBEDTLS_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "shim.h"

/* CB_MBEDTLS3: the 3.x API (3.6 LTS is the one built and tested). */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define CB_MBEDTLS3 1
#include <psa/crypto.h>
#else
#define CB_MBEDTLS3 0
#endif
/* TLS 1.3 where the build has it (3.6's default mbedtls_config.h: on). */
#if CB_MBEDTLS3 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define CB_TLS13 1
#else
#define CB_TLS13 0
#endif

#if !CB_MBEDTLS3 && defined(MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL)
#error "this shim assumes the Mbed TLS 2.28 configuration without TLS 1.3"
#endif
#if !CB_MBEDTLS3 && !defined(MBEDTLS_SSL_EXPORT_KEYS)
#error "this shim needs MBEDTLS_SSL_EXPORT_KEYS"
#endif
#if !defined(MBEDTLS_DEBUG_C) || !defined(MBEDTLS_SSL_KEEP_PEER_CERTIFICATE)
#error "this shim needs MBEDTLS_DEBUG_C and MBEDTLS_SSL_KEEP_PEER_CERTIFICATE"
#endif

/* The debug level that carries "send alert level=%u message=%u". */
#define ALERT_DEBUG_LEVEL 3

extern mbedtls_ctr_drbg_context mb_drbg; /* shim_mbedtls.c: seeded once */
extern int mb_debug_echo;               /* CABOUND_MBEDTLS_DEBUG */

/* ---- mbedtls_cache.c */
enum ent_kind { ENT_CRT, ENT_KEY };

struct ent {
    enum ent_kind kind;
    char *path;
    uint8_t *data; /* file content the objects were parsed from */
    size_t len;
    mbedtls_x509_crt crt;
    mbedtls_pk_context pk;
    int failed; /* ENT_CRT: how many certificates of the bundle did not parse */
    unsigned long used; /* the case that last used it (mb_case_no) */
    struct ent *next;
};

extern unsigned long mb_case_no; /* the case being run, for the cache's ageing */
void mb_cache_trim(void);
struct ent *mb_load(enum ent_kind kind, const char *path, int *ret, char *err, size_t errlen);

/* ---- mbedtls_conn.c */
struct conn {
    const struct shim_case *c;
    struct shim_obs *obs;
    int fd;
    int pending_alert; /* between "send alert" and "<= send alert message" */
    /* client: the outgoing records before ChangeCipherSpec */
    bool tap_on;
    uint8_t *tap, *hs;
    size_t tap_len, tap_cap, hs_len, hs_cap;
    bool cert_msg_seen;
    uint8_t *sent_der; /* first certificate of the client's Certificate */
    size_t sent_len;
    /* server: the client's end-entity certificate as given to verification */
    uint8_t *peer_der;
    size_t peer_len;
    /* client, TLS 1.3: the Certificate is encrypted, so the tap cannot see
     * it; the library's own trace of what it wrote stands in (on_debug). */
    bool tls13;
    int own_cert_state; /* 0 before, 1 in "write certificate", 2 done */
    char own_serial[200];
};
int mb_bio_send(void *ctx, const unsigned char *buf, size_t len);
int mb_bio_recv(void *ctx, unsigned char *buf, size_t len);
void mb_on_debug(void *ctx, int level, const char *file, int line, const char *str);
#if CB_MBEDTLS3
void mb_on_keys(void *ctx, mbedtls_ssl_key_export_type type, const unsigned char *secret,
                size_t secret_len, const unsigned char client_random[32],
                const unsigned char server_random[32], mbedtls_tls_prf_types prf);
#else
int mb_on_keys(void *ctx, const unsigned char *ms, const unsigned char *kb, size_t maclen,
               size_t keylen, size_t ivlen, const unsigned char client_random[32],
               const unsigned char server_random[32], mbedtls_tls_prf_types prf);
#endif
int mb_on_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags);

#endif
