/* mbedtls_conn.c — one connection: the socket I/O under Mbed TLS, the tap
 * that reads the client's own Certificate, and the library's callbacks
 * (debug lines for alerts, key export, verification). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mbedtls/net_sockets.h>

#include "mbedtls_shim.h"

static int append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *p, size_t n)
{
    if (*len + n > *cap) {
        size_t nc = *cap ? *cap : 4096;
        while (nc < *len + n)
            nc *= 2;
        uint8_t *nb = realloc(*buf, nc);
        if (!nb)
            return -1;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    return 0;
}

static void tap_handshake(struct conn *k)
{
    while (k->hs_len >= 4) {
        size_t mlen = (size_t)k->hs[1] << 16 | (size_t)k->hs[2] << 8 | k->hs[3];
        if (k->hs_len < 4 + mlen)
            return;
        const uint8_t *m = k->hs + 4;
        if (k->hs[0] == MBEDTLS_SSL_HS_CERTIFICATE && !k->cert_msg_seen && mlen >= 3) {
            k->cert_msg_seen = true;
            size_t list = (size_t)m[0] << 16 | (size_t)m[1] << 8 | m[2];
            if (list >= 3 && mlen >= 6) {
                size_t clen = (size_t)m[3] << 16 | (size_t)m[4] << 8 | m[5];
                if (clen <= mlen - 6 && (k->sent_der = malloc(clen ? clen : 1))) {
                    memcpy(k->sent_der, m + 6, clen);
                    k->sent_len = clen;
                }
            }
        }
        memmove(k->hs, k->hs + 4 + mlen, k->hs_len - 4 - mlen);
        k->hs_len -= 4 + mlen;
    }
}

/* tap reads the client's own plaintext records until its ChangeCipherSpec. */
static void tap(struct conn *k, const uint8_t *p, size_t n)
{
    if (!k->tap_on)
        return;
    if (append(&k->tap, &k->tap_len, &k->tap_cap, p, n) != 0) {
        k->tap_on = false;
        return;
    }
    size_t off = 0;
    while (k->tap_on && k->tap_len - off >= 5) {
        const uint8_t *r = k->tap + off;
        size_t rlen = (size_t)r[3] << 8 | r[4];
        if (k->tap_len - off < 5 + rlen)
            break;
        if (r[0] == MBEDTLS_SSL_MSG_CHANGE_CIPHER_SPEC)
            k->tap_on = false;
        else if (r[0] == MBEDTLS_SSL_MSG_HANDSHAKE) {
            if (append(&k->hs, &k->hs_len, &k->hs_cap, r + 5, rlen) != 0)
                k->tap_on = false;
            tap_handshake(k);
        }
        off += 5 + rlen;
    }
    memmove(k->tap, k->tap + off, k->tap_len - off);
    k->tap_len -= off;
}

int mb_bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct conn *k = ctx;
    for (;;) {
        ssize_t n = send(k->fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = write(k->fd, buf, len);
        if (n >= 0) {
            tap(k, buf, (size_t)n);
            return (int)n;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return MBEDTLS_ERR_SSL_TIMEOUT; /* SO_SNDTIMEO expired */
        if (errno == EPIPE || errno == ECONNRESET)
            return MBEDTLS_ERR_NET_CONN_RESET;
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
}

int mb_bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct conn *k = ctx;
    for (;;) {
        ssize_t n = read(k->fd, buf, len);
        if (n >= 0)
            return (int)n; /* 0: EOF, which Mbed TLS reports as MBEDTLS_ERR_SSL_CONN_EOF */
        if (errno == EINTR)
            continue;
        /* SO_RCVTIMEO expired: end the case, never return WANT_READ (that
         * would make the blocking handshake loop spin). */
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return MBEDTLS_ERR_SSL_TIMEOUT;
        if (errno == ECONNRESET)
            return MBEDTLS_ERR_NET_CONN_RESET;
        return MBEDTLS_ERR_NET_RECV_FAILED;
    }
}

void mb_on_debug(void *ctx, int level, const char *file, int line, const char *str)
{
    struct conn *k = ctx;
    unsigned a, b;
    if (mb_debug_echo >= level)
        fprintf(stderr, "mbedtls %d %s:%d: %s", level, file, line, str);
    /* With MBEDTLS_THREADING_C (Debian's build) debug_send_line (library/
     * debug.c) prefixes every line with "%p: ", the context's address. */
    if (strncmp(str, "0x", 2) == 0) {
        const char *p = strstr(str, ": ");
        if (p)
            str = p + 2;
    }
#if CB_TLS13
    /* TLS 1.3 client: ssl_tls13_write_certificate_body (library/
     * ssl_tls13_generic.c, 3.6.7) prints MBEDTLS_SSL_DEBUG_CRT(3, "own
     * certificate", crt) for the chain it then copies into the message, inside
     * "=> write certificate" ... "<= write certificate"; no line: an empty
     * Certificate. The serial number line identifies which credential. */
    if (k->tls13 && k->c->role == SHIM_CLIENT) {
        if (strncmp(str, "=> write certificate", 20) == 0 && k->own_cert_state == 0)
            k->own_cert_state = 1;
        else if (strncmp(str, "<= write certificate", 20) == 0 && k->own_cert_state == 1)
            k->own_cert_state = 2;
        else if (k->own_cert_state == 1 && !k->own_serial[0] &&
                 strncmp(str, "serial number", 13) == 0)
            snprintf(k->own_serial, sizeof(k->own_serial), "%s", str);
    }
#endif
    if (sscanf(str, "send alert level=%u message=%u", &a, &b) == 2) {
        k->pending_alert = (int)b;
    } else if (strncmp(str, "<= send alert message", 21) == 0) {
        /* the alert record was written; close_notify is no error report */
        if (k->pending_alert > 0 && k->obs->alert_sent < 0)
            k->obs->alert_sent = k->pending_alert;
        k->pending_alert = -1;
    } else if (sscanf(str, "got an alert message, type: [%u:%u]", &a, &b) == 2) {
        if (b != MBEDTLS_SSL_ALERT_MSG_CLOSE_NOTIFY && k->obs->alert_received < 0)
            k->obs->alert_received = (int)b;
    }
}

#if CB_MBEDTLS3
/* 3.x: one callback per secret (mbedtls_ssl_set_export_keys_cb, ssl.h),
 * the TLS 1.2 master secret and the TLS 1.3 traffic secrets. */
void mb_on_keys(void *ctx, mbedtls_ssl_key_export_type type, const unsigned char *secret,
                    size_t secret_len, const unsigned char client_random[32],
                    const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    struct conn *k = ctx;
    const char *label = NULL;
    (void)server_random, (void)prf;
    switch (type) {
    case MBEDTLS_SSL_KEY_EXPORT_TLS12_MASTER_SECRET: label = "CLIENT_RANDOM"; break;
#if CB_TLS13
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_HANDSHAKE_TRAFFIC_SECRET:
        label = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_HANDSHAKE_TRAFFIC_SECRET:
        label = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_CLIENT_APPLICATION_TRAFFIC_SECRET:
        label = "CLIENT_TRAFFIC_SECRET_0";
        break;
    case MBEDTLS_SSL_KEY_EXPORT_TLS1_3_SERVER_APPLICATION_TRAFFIC_SECRET:
        label = "SERVER_TRAFFIC_SECRET_0";
        break;
#endif
    default: break;
    }
    if (label)
        shim_keylog_secret(k->c, label, client_random, 32, secret, secret_len);
}
#else
int mb_on_keys(void *ctx, const unsigned char *ms, const unsigned char *kb, size_t maclen,
                   size_t keylen, size_t ivlen, const unsigned char client_random[32],
                   const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    struct conn *k = ctx;
    (void)kb, (void)maclen, (void)keylen, (void)ivlen, (void)server_random, (void)prf;
    shim_keylog_secret(k->c, "CLIENT_RANDOM", client_random, 32, ms, 48);
    return 0;
}
#endif

/* mb_on_verify sees the client's end-entity certificate even when verification
 * then fails (mbedtls_ssl_get_peer_cert only has it after a success). It
 * leaves the verdict alone. */
int mb_on_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    struct conn *k = ctx;
    (void)flags;
    if (depth == 0 && !k->peer_der && crt->raw.len && (k->peer_der = malloc(crt->raw.len))) {
        memcpy(k->peer_der, crt->raw.p, crt->raw.len);
        k->peer_len = crt->raw.len;
    }
    return 0;
}
