/* capture_records.h — the TLS records of a case's capture (the pcap the run
 * kept under captures/, written by harness/wire/pcap_out.c: one TCP
 * connection over IPv4 and Ethernet, the server on port 443), for the
 * upstream report's "what was on the wire". Only record headers and
 * plaintext alerts are read: nothing is decrypted here (the key log beside
 * the pcap lets Wireshark do that). Internal to cabound_report. */
#ifndef CABOUND_CAPTURE_RECORDS_H
#define CABOUND_CAPTURE_RECORDS_H

#include <stddef.h>

/* Bytes read per direction at most; a longer capture is cut (and said). */
#define CB_CAPTURE_MAX_BYTES ((size_t)64 << 20)

typedef struct cb_cap_record {
    int from_server;
    unsigned type;     /* content type: 20 ccs, 21 alert, 22 handshake, 23 application data */
    size_t len;        /* the record header's length field */
    double t_ms;       /* time of the packet that carried its header, from the first packet */
    int alert_level;   /* a plaintext alert (a 2-byte alert record): level and description; else -1 */
    int alert_desc;
} cb_cap_record;

typedef struct cb_capture {
    cb_cap_record *v;
    size_t n;
    size_t packets;
    size_t bytes[2];     /* payload bytes [client->server, server->client] */
    int fin[2];          /* that direction's FIN was seen */
    double fin_ms[2];
    int cut;             /* a direction passed CB_CAPTURE_MAX_BYTES, or the last record was incomplete */
    char note[300];      /* why the file ended early ("" when it did not): what came before is kept */
} cb_capture;

/* cb_capture_read reads the records of |path|. Returns 0, or -1 with
 * "PATH: why" in |err| (not a pcap, another link type, not the harness's
 * TCP connection). Free with cb_capture_free either way. */
int cb_capture_read(const char *path, cb_capture *out, char *err, size_t errlen);
void cb_capture_free(cb_capture *c);

/* cb_content_type_name is "handshake", "alert", ... or "type N". */
const char *cb_content_type_name(unsigned type, char *buf, size_t buflen);

#endif
