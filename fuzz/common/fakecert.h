/* fakecert.h — a certificate that carries a given DN, for the stacks that
 * take their CA list only from certificates (GnuTLS, Mbed TLS, NSS trust
 * anchors): subject = issuer = the DN, the fixed P-256 key of creds.h, CA
 * basic constraints, and a signature that verifies nothing (no stack checks
 * a trust anchor's signature when it is loaded). */
#ifndef CABOUND_FUZZ_FAKECERT_H
#define CABOUND_FUZZ_FAKECERT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* fz_fakecert appends to |out| the DER certificate for |dn| (any bytes: a DN
 * that is not DER makes a certificate that is not DER either) with serial
 * number 0x01000000 + |serial| (mod 2^24). Returns 0 or -1 (out of memory). */
int fz_fakecert(const uint8_t *dn, size_t dn_len, uint32_t serial, cb_buf *out);

#endif
