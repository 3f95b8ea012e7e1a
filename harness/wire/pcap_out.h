/* pcap_out.h — write what the relay saw as a capture file that Wireshark
 * dissects as TLS: a synthetic TCP connection over IPv4 between
 * 127.0.0.1:<client port> and 127.0.0.2:443. */
#ifndef CABOUND_PCAP_OUT_H
#define CABOUND_PCAP_OUT_H

#include <stddef.h>
#include <stdint.h>

/* The largest TCP payload of one packet. */
#define CB_PCAP_SEGMENT 16000
#define CB_PCAP_SERVER_PORT 443

typedef struct cb_chunk {
    int from_server;
    const uint8_t *data;
    size_t len;
    double t_sec; /* capture time: seconds (since the epoch, or since the case began) */
    int fin;      /* no data: the sender closed its side here (FIN) */
} cb_chunk;

/* cb_pcap_client_port returns the client's port for case |case_no|: one of
 * the 16384 dynamic ports (49152..65535), so that captures of different
 * cases merged into one file stay apart as TCP streams. */
unsigned cb_pcap_client_port(unsigned case_no);

/* cb_pcap_write writes |path| (Ethernet link type): a three-way handshake,
 * then the |n| chunks in order, each cut into segments of at most
 * CB_PCAP_SEGMENT payload bytes (PSH on a chunk's last segment), every data
 * segment followed by the receiver's pure ACK. A |fin| chunk is that side's
 * FIN/ACK, where it came, and the peer's ACK; a side with no fin chunk sends
 * its FIN after the last chunk (the client's first). Other chunks of zero
 * bytes are left out. Sequence numbers, IP and TCP checksums are correct, and
 * packet times never go backwards (a packet is never earlier than its chunk's
 * t_sec, and at least 1 us after the previous packet). Returns 0 on success;
 * -1 with "PATH: reason" in |err|. */
int cb_pcap_write(const char *path, const cb_chunk *chunks, size_t n, unsigned case_no, char *err, size_t errlen);

#endif
