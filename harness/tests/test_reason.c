/* Reasons held to their observation: the error codes, alerts and "no alert"
 * a reason names must be what the case showed. */
#include "check.h"
#include "reason.h"

int main(void)
{
    char why[200];
    cb_reason_facts f = {{1, 1}, {-132, -5938}, -1, {50}, 1};
    /* wolfSSL's reason naming -404 on a case that failed with -132. */
    CHECK(cb_reason_contradicts("src/internal.c DoCertificateRequest: MAX_HANDSHAKE_SZ ... -404 without an alert", &f,
                                why, sizeof(why)) == 1);
    CHECK(strstr(why, "-404") != NULL && strstr(why, "-132") != NULL);
    /* One of several codes named, or the peer's, is fine. */
    CHECK(cb_reason_contradicts("fails with -404 or -132 (BUFFER_E)", &f, why, sizeof(why)) == 0);
    CHECK(cb_reason_contradicts("the NSS server sees -5938", &f, why, sizeof(why)) == 0);
    /* Hex codes, Mbed TLS style. */
    cb_reason_facts m = {{1, 0}, {-0x7a80, 0}, 50, {50}, 1};
    CHECK(cb_reason_contradicts("ssl_tls.c: -0x7a80 with decode_error", &m, why, sizeof(why)) == 0);
    CHECK(cb_reason_contradicts("ssl_tls.c: -28800 (fragmentation)", &m, why, sizeof(why)) == 1);
    /* Not codes: ranges, powers, words. */
    CHECK(cb_reason_contradicts("lists up to 2^16-1 bytes, 16-bit length, TLS-1.3, x-509", &m, why, sizeof(why)) == 0);
    /* Alerts: named ones must have been sent; "without an alert" must be true. */
    CHECK(cb_reason_contradicts("refuses with alert 50", &m, why, sizeof(why)) == 0);
    CHECK(cb_reason_contradicts("refuses with alert 40", &m, why, sizeof(why)) == 1);
    CHECK(strstr(why, "alert 40") != NULL);
    CHECK(cb_reason_contradicts("fails without an alert", &m, why, sizeof(why)) == 1);
    CHECK(cb_reason_contradicts("fails without an alert", &f, why, sizeof(why)) == 0);
    /* A code named where the stack reported none. */
    cb_reason_facts none = {{0, 0}, {0, 0}, -1, {0}, 0};
    CHECK(cb_reason_contradicts("returns -404", &none, why, sizeof(why)) == 1);
    CHECK(strstr(why, "no error") != NULL);
    CHECK(cb_reason_contradicts("sends the whole configured list, in order (RFC 5246 7.4.4)", &none, why, sizeof(why)) == 0);
    CHECK_DONE();
}
