/* eap.h — cabound deploy eap: one case through FreeRADIUS's EAP-TLS
 * (`tls-config { ca_file }` sends the list) and eapol_test as the Wi-Fi
 * client, the TLS flight in EAP fragments inside RADIUS, measured by a UDP
 * proxy that reassembles it (eaptls.h). */
#ifndef CABOUND_EAP_H
#define CABOUND_EAP_H

#include <jansson.h>
#include <stddef.h>

#include "case.h"

/* The configuration copied (never edited in place). */
#define CB_EAP_SYSTEM_RADDB "/etc/freeradius/3.0"

/* cb_eap_run runs |c| (TLS 1.2, source trust-store) and returns its results
 * line (docs/results.md, plus "app"). Returns 0; -2 when the case cannot be built (bad parameters); or -1 with why in |err|
 * (a program missing or not starting: an error, not an observation). */
int cb_eap_run(cb_runner *r, const cb_case *c, json_t **line, char *err, size_t errlen);

#endif
