/* dnstr.h — a DER Name as a string for people (RFC 4514), by libcrypto. */
#ifndef CABOUND_DNSTR_H
#define CABOUND_DNSTR_H

#include <stddef.h>
#include <stdint.h>

/* cb_dn_string writes |der| (one DER Name) as an RFC 4514 string, the
 * last RDN first, as RFC 4514 2.1 orders them ("CN=Root,O=Example,C=US" for
 * a Name encoded C, O, CN; UTF-8 kept as UTF-8),
 * into |out| (cut at |outlen| with "..." at the end). Bytes that are not
 * one whole DER Name give "(not a DER Name: N bytes)". Returns 0, or -1 for
 * the not-a-Name case. */
int cb_dn_string(const uint8_t *der, size_t len, char *out, size_t outlen);

#endif
