#include "tls13.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "buf.h"

#define HS_CLIENT_HELLO 1
#define HS_SERVER_HELLO 2
#define HS_FINISHED 20
#define HS_KEY_UPDATE 24
#define EXT_SUPPORTED_VERSIONS 43
#define TAG_LEN 16
#define IV_LEN 12

/* RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello with this random,
 * SHA-256("HelloRetryRequest"). */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

typedef struct suite {
    uint16_t id;
    const char *digest, *cipher;
    size_t hash_len, key_len;
} suite;

static const suite suites[] = {
    {CB_TLS_AES_128_GCM_SHA256, "SHA256", "AES-128-GCM", 32, 16},
    {CB_TLS_AES_256_GCM_SHA384, "SHA384", "AES-256-GCM", 48, 32},
    {CB_TLS_CHACHA20_POLY1305_SHA256, "SHA256", "ChaCha20-Poly1305", 32, 32},
};

static void note(cb_tls13_dir *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
    va_end(ap);
}

void cb_tls13_dir_free(cb_tls13_dir *d)
{
    cb_hs_reasm_free(&d->hs);
    memset(d, 0, sizeof(*d));
}

/* The keys of one direction in one epoch. */
typedef struct traffic {
    uint8_t secret[48];
    uint8_t key[32], iv[IV_LEN];
    uint64_t seq;
} traffic;

typedef struct crypto {
    const suite *s;
    EVP_KDF *kdf;
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *ctx;
} crypto;

/* expand_label is HKDF-Expand-Label(secret, label, "", len) of RFC 8446 7.1. */
static int expand_label(const crypto *c, const uint8_t *secret, const char *label, uint8_t *out, size_t len)
{
    uint8_t info[2 + 1 + 255 + 1];
    size_t ll = 6 + strlen(label);
    if (ll > 255)
        return -1;
    info[0] = (uint8_t)(len >> 8);
    info[1] = (uint8_t)len;
    info[2] = (uint8_t)ll;
    memcpy(info + 3, "tls13 ", 6);
    memcpy(info + 9, label, ll - 6);
    info[3 + ll] = 0; /* empty context: traffic keys hash no transcript */
    EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(c->kdf);
    if (!kctx)
        return -1;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)c->s->digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, c->s->hash_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, 4 + ll),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_end(),
    };
    int ok = EVP_KDF_derive(kctx, out, len, params) == 1;
    EVP_KDF_CTX_free(kctx);
    return ok ? 0 : -1;
}

/* set_secret installs |secret| and derives the write key and IV (RFC 8446
 * 7.3); the sequence number starts again at 0 with every new key. */
static int set_secret(const crypto *c, traffic *t, const uint8_t *secret)
{
    memmove(t->secret, secret, c->s->hash_len);
    t->seq = 0;
    if (expand_label(c, t->secret, "key", t->key, c->s->key_len) != 0 ||
        expand_label(c, t->secret, "iv", t->iv, IV_LEN) != 0)
        return -1;
    return 0;
}

/* open_record decrypts one TLSCiphertext (RFC 8446 5.2) into |out| (room for
 * the record's length) and returns the plaintext length, or -1 when the
 * record does not authenticate. */
static long open_record(const crypto *c, traffic *t, const cb_record *r, uint8_t *out)
{
    if (r->len <= TAG_LEN)
        return -1;
    uint8_t nonce[IV_LEN], aad[5];
    memcpy(nonce, t->iv, IV_LEN);
    for (int i = 0; i < 8; i++)
        nonce[IV_LEN - 1 - i] ^= (uint8_t)(t->seq >> (8 * i));
    /* The additional data is the record header exactly as it was sent. */
    aad[0] = r->type;
    aad[1] = (uint8_t)(r->version >> 8);
    aad[2] = (uint8_t)r->version;
    aad[3] = (uint8_t)(r->len >> 8);
    aad[4] = (uint8_t)r->len;
    size_t ct = r->len - TAG_LEN;
    int l1 = 0, l2 = 0, l0 = 0;
    int ok = EVP_DecryptInit_ex(c->ctx, c->cipher, NULL, t->key, nonce) == 1 &&
             EVP_DecryptUpdate(c->ctx, NULL, &l0, aad, 5) == 1 &&
             EVP_DecryptUpdate(c->ctx, out, &l1, r->payload, (int)ct) == 1 &&
             EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, r->payload + ct) == 1 &&
             EVP_DecryptFinal_ex(c->ctx, out + l1, &l2) == 1;
    ERR_clear_error();
    if (!ok)
        return -1;
    return (long)l1 + l2;
}

/* find_server_hello reassembles the server's plaintext handshake records:
 * cb_stream's own reassembly stops at the first CCS, which comes right after
 * a HelloRetryRequest, before the real ServerHello. */
static int find_server_hello(const cb_stream *s2c, cb_tls13_dir *out, cb_hs_reasm *tmp, const cb_hs_msg **sh)
{
    *sh = NULL;
    for (size_t i = 0; i < s2c->n_records && s2c->records[i].type != CB_CT_APPLICATION_DATA; i++)
        if (s2c->records[i].type == CB_CT_HANDSHAKE &&
            cb_hs_reasm_add(tmp, s2c->records[i].payload, s2c->records[i].len, i) != 0)
            return -1;
    for (size_t i = 0; i < tmp->count; i++) {
        const cb_hs_msg *m = &tmp->msgs[i];
        if (m->type != HS_SERVER_HELLO)
            continue;
        if (m->len >= 34 && memcmp(m->body + 2, hrr_random, 32) == 0) {
            out->hello_retry = 1;
            continue;
        }
        *sh = m;
        return 0;
    }
    return 0;
}

/* server_hello_params reads the cipher suite and the negotiated version
 * (supported_versions, else legacy_version). Returns 0 or -1 (malformed). */
static int server_hello_params(const cb_hs_msg *sh, uint16_t *suite_id, uint16_t *version)
{
    const uint8_t *p = sh->body;
    size_t len = sh->len;
    if (len < 2 + 32 + 1)
        return -1;
    *version = (uint16_t)cb_get_u16(p);
    size_t off = 2 + 32;
    off += 1 + p[off];
    if (off + 3 > len)
        return -1;
    *suite_id = (uint16_t)cb_get_u16(p + off);
    off += 3;
    if (off == len)
        return 0; /* no extensions at all: a TLS 1.2-or-older ServerHello */
    if (off + 2 > len)
        return -1;
    size_t end = off + 2 + cb_get_u16(p + off);
    if (end > len)
        return -1;
    for (off += 2; off + 4 <= end;) {
        size_t type = cb_get_u16(p + off), xl = cb_get_u16(p + off + 2);
        if (off + 4 + xl > end)
            return -1;
        if (type == EXT_SUPPORTED_VERSIONS && xl == 2)
            *version = (uint16_t)cb_get_u16(p + off + 4);
        off += 4 + xl;
    }
    return 0;
}

static void see_alert(cb_tls13_dir *out, const uint8_t *p, size_t len, size_t record, int plain)
{
    if (len < 2)
        return;
    if (out->n_alerts < CB_TLS13_MAX_ALERTS)
        out->alerts[out->n_alerts++] = (cb_tl_alert){record, p[0], p[1], plain};
    if (out->alert >= 0)
        return;
    out->alert_level = p[0];
    out->alert = p[1];
    out->alert_record = (long)record;
}

enum epoch { EPOCH_PLAIN, EPOCH_HANDSHAKE, EPOCH_APPLICATION };

/* decrypt_records walks the direction's records; the epoch state lives here
 * so the set-up code stays apart from the per-record rules. */
static void decrypt_records(const cb_stream *dir, const cb_keylog *kl, const uint8_t *client_random, int server_side,
                            crypto *c, traffic *t, cb_tls13_dir *out)
{
    const char *app_label = server_side ? "SERVER_TRAFFIC_SECRET_0" : "CLIENT_TRAFFIC_SECRET_0";
    enum epoch epoch = EPOCH_PLAIN;
    uint8_t *plain = malloc(65536);
    if (!plain) {
        note(out, "out of memory");
        out->available = 0;
        return;
    }
    out->available = 1;
    size_t i, stop = SIZE_MAX; /* stop: the first record not read, when that one was not */
    for (i = 0; i < dir->n_records; i++) {
        const cb_record *r = &dir->records[i];
        if (r->type == CB_CT_CHANGE_CIPHER_SPEC)
            continue; /* middlebox compatibility (RFC 8446 D.4) */
        if (r->type == CB_CT_ALERT) {
            see_alert(out, r->payload, r->len, i, 1);
            continue;
        }
        if (r->type != CB_CT_APPLICATION_DATA)
            continue; /* plaintext handshake: ClientHello or ServerHello */
        if (epoch == EPOCH_PLAIN)
            epoch = EPOCH_HANDSHAKE;
        long n = open_record(c, t, r, plain);
        if (n < 0) {
            if (epoch == EPOCH_HANDSHAKE && t->seq == 0) {
                out->available = 0;
                note(out, "AEAD failure at record %zu, the first of the handshake epoch (wrong secret?)", i);
            } else {
                note(out, "AEAD failure at record %zu (%s epoch, seq %llu); stopped there", i,
                     epoch == EPOCH_HANDSHAKE ? "handshake" : "application", (unsigned long long)t->seq);
            }
            stop = i;
            break;
        }
        t->seq++;
        out->records_decrypted++;
        /* TLSInnerPlaintext: content, the real type, then zero padding. */
        size_t m = (size_t)n;
        while (m > 0 && plain[m - 1] == 0)
            m--;
        if (m == 0) {
            note(out, "record %zu: inner plaintext is all padding (no content type); stopped there", i);
            stop = i;
            break;
        }
        uint8_t type = plain[m - 1];
        size_t clen = m - 1;
        if (clen > out->max_inner)
            out->max_inner = clen;
        if (clen > CB_MAX_PLAINTEXT)
            out->oversize_inner++;
        int finished = 0, key_update = 0;
        if (type == CB_CT_HANDSHAKE) {
            size_t before = out->hs.count;
            if (cb_hs_reasm_add(&out->hs, plain, clen, i) != 0) {
                note(out, "record %zu: handshake reassembly failed (out of memory or a message over 2^24)", i);
                break;
            }
            for (size_t k = before; k < out->hs.count; k++) {
                finished |= epoch == EPOCH_HANDSHAKE && out->hs.msgs[k].type == HS_FINISHED;
                key_update |= epoch == EPOCH_APPLICATION && out->hs.msgs[k].type == HS_KEY_UPDATE;
            }
        } else if (type == CB_CT_ALERT) {
            see_alert(out, plain, clen, i, 0);
        }
        /* Keys change at record boundaries (RFC 8446 5.1): after the record
         * that completed the Finished or a KeyUpdate. */
        if (finished) {
            size_t sl = 0;
            const uint8_t *s = cb_keylog_find(kl, app_label, client_random, &sl);
            if (!s || sl != c->s->hash_len) {
                note(out, "%s %s the key log; stopped after the handshake", app_label,
                     s ? "has the wrong length in" : "missing from");
                break;
            }
            if (set_secret(c, t, s) != 0) {
                note(out, "HKDF failed for %s", app_label);
                break;
            }
            epoch = EPOCH_APPLICATION;
        } else if (key_update) {
            uint8_t next[48];
            if (expand_label(c, t->secret, "traffic upd", next, c->s->hash_len) != 0 || set_secret(c, t, next) != 0) {
                note(out, "HKDF failed for a KeyUpdate");
                break;
            }
        }
    }
    /* A break after record i read it; the two marked above did not. */
    out->read_until = stop != SIZE_MAX ? stop : i < dir->n_records ? i + 1 : dir->n_records;
    free(plain);
}

int cb_tls13_decrypt(const cb_stream *client_to_server, const cb_stream *server_to_client, const cb_keylog *kl,
                     int server_side, cb_tls13_dir *out)
{
    memset(out, 0, sizeof(*out));
    cb_hs_reasm_init(&out->hs);
    out->alert_level = out->alert = -1;
    out->alert_record = -1;

    const cb_hs_reasm *ch = &client_to_server->hs;
    if (ch->count == 0 || ch->msgs[0].type != HS_CLIENT_HELLO || ch->msgs[0].len < 2 + 32) {
        note(out, "no ClientHello in the client's stream");
        return -1;
    }
    const uint8_t *client_random = ch->msgs[0].body + 2;

    cb_hs_reasm tmp;
    cb_hs_reasm_init(&tmp);
    const cb_hs_msg *sh;
    uint16_t suite_id = 0, version = 0;
    if (find_server_hello(server_to_client, out, &tmp, &sh) != 0) {
        note(out, "out of memory reading the ServerHello");
    } else if (!sh) {
        note(out, out->hello_retry ? "HelloRetryRequest without a ServerHello after it" : "no ServerHello");
    } else if (server_hello_params(sh, &suite_id, &version) != 0) {
        note(out, "malformed ServerHello");
    } else if (version != 0x0304) {
        note(out, "not TLS 1.3: the ServerHello selects version 0x%04x", version);
    }
    cb_hs_reasm_free(&tmp);
    if (out->reason[0])
        return -1;
    out->cipher_suite = suite_id;

    crypto c = {NULL, NULL, NULL, NULL};
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
        if (suites[i].id == suite_id)
            c.s = &suites[i];
    if (!c.s) {
        note(out, "unsupported cipher suite 0x%04x", suite_id);
        return -1;
    }
    const char *hs_label = server_side ? "SERVER_HANDSHAKE_TRAFFIC_SECRET" : "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
    size_t sl = 0;
    const uint8_t *secret = cb_keylog_find(kl, hs_label, client_random, &sl);
    if (!secret) {
        note(out, "%s for this client_random is missing from the key log", hs_label);
        return -1;
    }
    if (sl != c.s->hash_len) {
        note(out, "%s has %zu bytes, the suite's hash %zu", hs_label, sl, c.s->hash_len);
        return -1;
    }
    traffic t;
    c.kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    c.cipher = EVP_CIPHER_fetch(NULL, c.s->cipher, NULL);
    c.ctx = EVP_CIPHER_CTX_new();
    if (!c.kdf || !c.cipher || !c.ctx)
        note(out, "libcrypto lacks HKDF or %s", c.s->cipher);
    else if (set_secret(&c, &t, secret) != 0)
        note(out, "HKDF failed for %s", hs_label);
    else
        decrypt_records(server_side ? server_to_client : client_to_server, kl, client_random, server_side, &c, &t,
                        out);
    ERR_clear_error();
    EVP_CIPHER_CTX_free(c.ctx);
    EVP_CIPHER_free(c.cipher);
    EVP_KDF_free(c.kdf);
    OPENSSL_cleanse(&t, sizeof(t));
    return out->available ? 0 : -1;
}
