/* botan.h — the C interface between the Botan glue's two halves: botan.c
 * (C, speaks pair.h) and botan.cc (C++, Botan's TLS API), since the core's
 * headers are C only and Botan's are C++ only. */
#ifndef CABOUND_FUZZ_BOTAN_H
#define CABOUND_FUZZ_BOTAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An endpoint's transport (fz_io in botan.c). */
typedef struct fzb_io {
    void *ctx;
    void (*write)(void *ctx, const uint8_t *p, size_t n);
    size_t (*read)(void *ctx, uint8_t *p, size_t max); /* 0: nothing waiting */
} fzb_io;

/* What the client's find_cert_chain saw: begin() once, then dn() per DN,
 * as X509_DN::BER_encode gives it. */
typedef struct fzb_list_hooks {
    void *ctx;
    void (*begin)(void *ctx);
    void (*dn)(void *ctx, const uint8_t *der, size_t len);
} fzb_list_hooks;

enum fzb_list { FZB_LIST_NONE, FZB_LIST_NAMES, FZB_LIST_CERTS };

/* fzb_init loads the DER credentials once; with |verify_peers| both sides
 * verify the peer against |ca| and the server requires a certificate.
 * Returns 0, or -1 (reason on stderr). */
int fzb_init(const uint8_t *ca, size_t ca_len, const uint8_t *scert, size_t scert_len, const uint8_t *skey,
             size_t skey_len, const uint8_t *ccert, size_t ccert_len, const uint8_t *ckey, size_t ckey_len,
             int verify_peers);

/* fzb_server_new makes a server whose list is |n| names (FZB_LIST_NAMES:
 * DN bytes, each decoded as an X509_DN) or the subjects of |n|
 * certificates (FZB_LIST_CERTS: DER), in order; taken[i] says whether
 * item i was configured (it decoded). NULL when memory runs out. */
void *fzb_server_new(fzb_io io, enum fzb_list kind, const uint8_t *const *items, const size_t *lens, size_t n,
                     int *taken);
/* fzb_client_new makes a client (it writes its ClientHello at once). */
void *fzb_client_new(fzb_io io, fzb_list_hooks hooks);
/* fzb_step feeds the waiting bytes: 1 handshake done, 0 wants more, -1
 * failed (fzb_error says why). */
int fzb_step(void *side);
const char *fzb_error(void *side);
void fzb_free(void *side);

#ifdef __cplusplus
}
#endif

#endif
