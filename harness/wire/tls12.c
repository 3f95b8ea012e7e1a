#include "tls12.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <string.h>

#include "buf.h"

struct suite {
    uint16_t id;
    const char *cipher; /* EVP name */
    const char *digest; /* PRF hash */
    size_t key_len, iv_len;
    int chacha;
};

static const struct suite suites[] = {
    {0xC02B, "AES-128-GCM", "SHA256", 16, 4, 0}, {0xC02F, "AES-128-GCM", "SHA256", 16, 4, 0},
    {0xC02C, "AES-256-GCM", "SHA384", 32, 4, 0}, {0xC030, "AES-256-GCM", "SHA384", 32, 4, 0},
    {0xCCA9, "ChaCha20-Poly1305", "SHA256", 32, 12, 1}, {0xCCA8, "ChaCha20-Poly1305", "SHA256", 32, 12, 1},
};

static const cb_hs_msg *first(const cb_hs_reasm *h, uint8_t type)
{
    for (size_t i = 0; i < h->count; i++)
        if (h->msgs[i].type == type)
            return &h->msgs[i];
    return NULL;
}

static int prf(const char *digest, const uint8_t *secret, size_t slen, const char *label, const uint8_t *s1,
               const uint8_t *s2, uint8_t *out, size_t outlen)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    uint8_t seed[13 + 64];
    size_t ll = strlen(label);
    memcpy(seed, label, ll);
    memcpy(seed + ll, s1, 32);
    memcpy(seed + ll + 32, s2, 32);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, slen),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, ll + 64),
        OSSL_PARAM_construct_end(),
    };
    int ok = ctx && EVP_KDF_derive(ctx, out, outlen, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok ? 0 : -1;
}

/* open_record decrypts one record; returns the plaintext length or -1. */
static long open_record(const struct suite *s, const uint8_t *key, const uint8_t *iv, uint64_t seq,
                        const cb_record *r, uint8_t *out)
{
    size_t explicit_len = s->chacha ? 0 : 8, tag = 16;
    if (r->len < explicit_len + tag)
        return -1;
    size_t clen = r->len - explicit_len - tag;
    uint8_t nonce[12];
    if (s->chacha) {
        memcpy(nonce, iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
    } else {
        memcpy(nonce, iv, 4);
        memcpy(nonce + 4, r->payload, 8);
    }
    uint8_t aad[13];
    for (int i = 0; i < 8; i++)
        aad[i] = (uint8_t)(seq >> (56 - 8 * i));
    aad[8] = r->type;
    aad[9] = (uint8_t)(r->version >> 8);
    aad[10] = (uint8_t)r->version;
    aad[11] = (uint8_t)(clen >> 8);
    aad[12] = (uint8_t)clen;
    EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, s->cipher, NULL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, m = 0;
    int ok = c && ctx && EVP_DecryptInit_ex2(ctx, c, NULL, NULL, NULL) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1 &&
             EVP_DecryptInit_ex2(ctx, NULL, key, nonce, NULL) == 1 && EVP_DecryptUpdate(ctx, NULL, &n, aad, 13) == 1 &&
             EVP_DecryptUpdate(ctx, out, &n, r->payload + explicit_len, (int)clen) == 1 &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, (void *)(r->payload + explicit_len + clen)) == 1 &&
             EVP_DecryptFinal_ex(ctx, out + n, &m) == 1;
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return ok ? (long)(n + m) : -1;
}

/* direction_alert walks one direction's records after its CCS. */
static int direction_alert(const struct suite *s, const cb_stream *st, const uint8_t *key, const uint8_t *iv, int *alert,
                           cb_tl_alert *list, size_t *n_list, size_t max)
{
    int after_ccs = 0;
    uint64_t seq = 0;
    uint8_t *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    *alert = -1;
    for (size_t i = 0; i < st->n_records && (*alert < 0 || list); i++) {
        const cb_record *r = &st->records[i];
        if (r->type == CB_CT_CHANGE_CIPHER_SPEC) {
            after_ccs = 1;
            continue;
        }
        if (!after_ccs)
            continue;
        if (r->len > cap) {
            uint8_t *nb = realloc(buf, r->len);
            if (!nb) {
                rc = -1;
                break;
            }
            buf = nb;
            cap = r->len;
        }
        long n = open_record(s, key, iv, seq++, r, buf);
        if (n < 0) {
            rc = -1;
            break;
        }
        if (r->type == CB_CT_ALERT && n == 2) {
            if (*alert < 0)
                *alert = buf[1];
            if (list && *n_list < max)
                list[(*n_list)++] = (cb_tl_alert){i, buf[0], buf[1], 0};
        }
    }
    free(buf);
    return rc;
}

int cb_tls12_alerts(const cb_stream *c2s, const cb_stream *s2c, const cb_keylog *kl, int *from_server, int *from_client)
{
    return cb_tls12_alert_list(c2s, s2c, kl, from_server, from_client, NULL, NULL, NULL, NULL, 0);
}

int cb_tls12_alert_list(const cb_stream *c2s, const cb_stream *s2c, const cb_keylog *kl, int *from_server,
                        int *from_client, cb_tl_alert *server_list, size_t *n_server, cb_tl_alert *client_list,
                        size_t *n_client, size_t max)
{
    const cb_hs_msg *ch = first(&c2s->hs, 1), *sh = first(&s2c->hs, 2);
    if (!ch || !sh || ch->len < 34 || sh->len < 35)
        return -1;
    const uint8_t *cr = ch->body + 2, *sr = sh->body + 2;
    size_t sid = sh->body[34];
    if (sh->len < 35 + sid + 2)
        return -1;
    uint16_t id = (uint16_t)cb_get_u16(sh->body + 35 + sid);
    const struct suite *s = NULL;
    for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
        if (suites[i].id == id)
            s = &suites[i];
    size_t mlen = 0;
    const uint8_t *master = s ? cb_keylog_find(kl, "CLIENT_RANDOM", cr, &mlen) : NULL;
    if (!master || mlen != 48)
        return -1;
    /* key_block: client key, server key, client IV, server IV (no MAC keys for AEAD). */
    uint8_t kb[2 * 32 + 2 * 12];
    size_t need = 2 * (s->key_len + s->iv_len);
    if (prf(s->digest, master, mlen, "key expansion", sr, cr, kb, need) != 0)
        return -1;
    const uint8_t *ck = kb, *sk = kb + s->key_len, *civ = kb + 2 * s->key_len, *siv = civ + s->iv_len;
    int a_s = -1, a_c = -1;
    size_t ns = 0, nc = 0;
    int rs = direction_alert(s, s2c, sk, siv, &a_s, server_list, &ns, max);
    int rcl = direction_alert(s, c2s, ck, civ, &a_c, client_list, &nc, max);
    if (n_server)
        *n_server = rs == 0 ? ns : 0;
    if (n_client)
        *n_client = rcl == 0 ? nc : 0;
    if (rs != 0 && rcl != 0)
        return -1;
    if (rs == 0)
        *from_server = a_s;
    if (rcl == 0)
        *from_client = a_c;
    return 0;
}
