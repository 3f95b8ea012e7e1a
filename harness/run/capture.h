/* capture.h — a case's bytes as files a person opens in Wireshark: the
 * connection as the client saw it (rewritten cases: the rewritten bytes),
 * the server's original beside it when the relay rewrote, and the key log. */
#ifndef CABOUND_CAPTURE_H
#define CABOUND_CAPTURE_H

#include <jansson.h>

#include "relay.h"

/* cb_capture_write writes OUT_DIR/captures/NAME.pcap (NAME from |case_id|),
 * NAME.server-sent.pcap when the relay rewrote the CertificateRequest, and
 * NAME.keylog (a copy of |keylog|), and records their paths relative to
 * |out_dir| in |line| ("pcap", "pcap_server_sent", "keylog"). A file that
 * cannot be written is left out of |line|; returns the number written. */
int cb_capture_write(const char *out_dir, const char *case_id, unsigned case_no, const cb_relay_result *rr,
                     const char *keylog, json_t *line);

#endif
