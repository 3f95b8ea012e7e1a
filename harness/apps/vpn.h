/* vpn.h — cabound deploy vpn: one case through an OpenVPN server (--ca =
 * the list's PEM bundle, which OpenVPN's OpenSSL backend also sends as the
 * CertificateRequest's list) and an OpenVPN client, TCP on loopback, the
 * TLS bytes taken out of the control channel's P_CONTROL packets by a TCP
 * proxy (ovpn.h). */
#ifndef CABOUND_VPN_H
#define CABOUND_VPN_H

#include <jansson.h>
#include <stddef.h>

#include "case.h"

/* cb_vpn_run runs |c| (TLS 1.2) and returns its results line
 * (docs/results.md, plus "app"). Returns 0; -2 when the case cannot be built (bad parameters); or -1 with why in |err|. */
int cb_vpn_run(cb_runner *r, const cb_case *c, json_t **line, char *err, size_t errlen);

#endif
