/* tls12.h — read the alerts a TLS 1.2 connection encrypted after
 * ChangeCipherSpec, with the master secret from the key log (CLIENT_RANDOM),
 * so a failed handshake's alert is known, not just its presence. AEAD suites
 * only (AES-GCM and ChaCha20-Poly1305, which every stack here negotiates with
 * ECDSA certificates). */
#ifndef CABOUND_TLS12_H
#define CABOUND_TLS12_H

#include "keylog.h"
#include "record.h"
#include "timeline.h"

/* cb_tls12_alerts decrypts each direction's records after its
 * ChangeCipherSpec and stores the description of the first alert it finds
 * in *from_server / *from_client (-1 when that direction has none). Returns
 * 0, or -1 when the connection cannot be decrypted (no ClientHello or
 * ServerHello, secret not in the key log, a suite that is not AEAD, or a
 * record that does not authenticate); the outputs are then untouched. */
int cb_tls12_alerts(const cb_stream *c2s, const cb_stream *s2c, const cb_keylog *kl, int *from_server,
                    int *from_client);

/* cb_tls12_alert_list is cb_tls12_alerts that also lists every encrypted
 * alert of each direction (record index, level, description; at most |max|
 * each) in |server_list| and |client_list| when they are not NULL. A
 * direction that did not decrypt lists none (its count is 0). */
int cb_tls12_alert_list(const cb_stream *c2s, const cb_stream *s2c, const cb_keylog *kl, int *from_server,
                        int *from_client, cb_tl_alert *server_list, size_t *n_server, cb_tl_alert *client_list,
                        size_t *n_client, size_t max);

#endif
