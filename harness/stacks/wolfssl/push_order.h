/* push_order.h — where wolfSSL_sk_X509_NAME_push puts a name, measured
 * rather than guessed from a version number. 5.5.4 prepends and returns
 * WOLFSSL_SUCCESS (src/ssl.c wolfSSL_sk_push: "push new x509 onto head of
 * stack"); 5.9.2 appends and returns the new count, as OpenSSL does
 * (src/ssl_sk.c wolfSSL_sk_push -> wolfSSL_sk_insert(stack, data, -1)).
 * Shared by the wolfSSL shim and its fuzz glue (fuzz/stacks/wolfssl.c);
 * include it after <wolfssl/ssl.h>. */
#ifndef CABOUND_WOLFSSL_PUSH_ORDER_H
#define CABOUND_WOLFSSL_PUSH_ORDER_H

/* cb_wolfssl_push_appends sets *appends to 1 when a push appends, 0 when it
 * prepends; returns 0, or -1 when wolfSSL could not push at all. */
static inline int cb_wolfssl_push_appends(int *appends)
{
    WOLF_STACK_OF(WOLFSSL_X509_NAME) *sk = wolfSSL_sk_X509_NAME_new(NULL);
    WOLFSSL_X509_NAME *a = wolfSSL_X509_NAME_new(), *b = wolfSSL_X509_NAME_new();
    int ok = sk && a && b && wolfSSL_sk_X509_NAME_push(sk, a) > 0;
    if (!ok)
        wolfSSL_X509_NAME_free(a);
    ok = ok && wolfSSL_sk_X509_NAME_push(sk, b) > 0;
    if (!ok)
        wolfSSL_X509_NAME_free(b);
    if (ok)
        *appends = wolfSSL_sk_X509_NAME_value(sk, 0) == a;
    wolfSSL_sk_X509_NAME_pop_free(sk, NULL);
    return ok ? 0 : -1;
}

#endif
