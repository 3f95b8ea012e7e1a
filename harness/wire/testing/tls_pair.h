/* tls_pair.h — TEST SUPPORT ONLY: a real OpenSSL client and server talking
 * through memory BIOs, with every byte captured in the order a relay would
 * see it. It links libssl, so it is compiled into the wire tests and never
 * into cabound_wire (the harness links libcrypto only). */
#ifndef CABOUND_TLS_PAIR_H
#define CABOUND_TLS_PAIR_H

#include <stddef.h>

#include "buf.h"
#include "calist.h"
#include "pcap_out.h"

typedef struct tp_config {
    int tls13;                              /* 1: TLS 1.3 only, 0: TLS 1.2 only */
    const char *ciphersuite;                /* TLS 1.3 suite name (e.g. "TLS_AES_128_GCM_SHA256"), NULL default */
    const char *server_cert, *server_key;   /* the server's credential */
    const char *server_ca;                  /* the client's trust anchor */
    const char *client_cert, *client_key;   /* NULL: the client has no certificate */
    const char *client_cas;                 /* the server's trust anchors */
    const cb_calist *ca_list;               /* SSL_CTX_set_client_CA_list; NULL: none */
    const char *keylog;                     /* key log lines are appended here (both sides log) */
    const char *client_groups, *server_groups; /* NULL: defaults; differing first groups force a HelloRetryRequest */
} tp_config;

typedef struct tp_capture {
    cb_buf c2s, s2c;          /* every byte of each direction */
    cb_chunk *chunks;         /* what crossed, in order; data owned here */
    size_t n_chunks, cap_chunks;
    int client_ok, server_ok; /* handshake completed on that side */
    int byte_crossed;         /* the server's application byte reached the client */
    char error[256];          /* why the run itself failed (set-up), empty otherwise */
} tp_capture;

/* tp_run runs one connection: handshake, one application byte from the
 * server, close_notify both ways. A failed handshake is a normal outcome
 * (see client_ok/server_ok). Returns 0, or -1 when it could not be set up
 * (then capture->error says why). Free |capture| with tp_capture_free. */
int tp_run(const tp_config *cfg, tp_capture *capture);

/* tp_capture_free releases the bytes and chunks of |capture| and zeroes it. */
void tp_capture_free(tp_capture *capture);

#endif
