/* record.h — streaming TLS record and handshake parsing for one direction of
 * a connection. Fed arbitrary chunks; yields the same records and messages
 * for every chunking. */
#ifndef CABOUND_RECORD_H
#define CABOUND_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CB_CT_CHANGE_CIPHER_SPEC 20
#define CB_CT_ALERT 21
#define CB_CT_HANDSHAKE 22
#define CB_CT_APPLICATION_DATA 23
#define CB_MAX_PLAINTEXT 16384

typedef struct cb_record {
    uint8_t type;
    uint16_t version;
    size_t len;
    size_t offset;    /* stream offset of the 5-byte header */
    uint8_t *payload; /* len bytes */
} cb_record;

typedef struct cb_hs_msg {
    uint8_t type;
    size_t len;          /* body length from the 24-bit header */
    uint8_t *body;       /* len bytes */
    size_t first_record; /* index of the record holding the header */
    size_t last_record;  /* index of the record holding the last byte */
} cb_hs_msg;

/* cb_hs_reasm reassembles handshake messages from the payloads of successive
 * handshake records (or decrypted TLS 1.3 inner plaintexts). */
typedef struct cb_hs_reasm {
    cb_hs_msg *msgs;
    size_t count, cap;
    uint8_t *pending; /* a message whose bytes are still arriving */
    size_t pending_len, pending_cap;
    size_t pending_first;
    int error; /* out of memory, or a message claiming over CB_HS_MAX */
} cb_hs_reasm;

#define CB_HS_MAX (1u << 24)

void cb_hs_reasm_init(cb_hs_reasm *h);
void cb_hs_reasm_free(cb_hs_reasm *h);
/* cb_hs_reasm_add appends handshake bytes that arrived in record
 * |record_index|. Returns 0, or -1 once h->error is set. */
int cb_hs_reasm_add(cb_hs_reasm *h, const uint8_t *data, size_t len, size_t record_index);
/* cb_hs_reasm_partial reports how many bytes of an unfinished message wait. */
size_t cb_hs_reasm_partial(const cb_hs_reasm *h);

enum cb_stream_stop {
    CB_STREAM_RUNNING,
    CB_STREAM_ENCRYPTED, /* CCS or application_data seen: handshake parsing stops */
    CB_STREAM_NOT_TLS,   /* a record header that TLS cannot produce */
};

typedef struct cb_stream {
    cb_record *records;
    size_t n_records, cap_records;
    cb_hs_reasm hs; /* plaintext handshake messages */
    enum cb_stream_stop stop;
    size_t bytes;           /* bytes fed so far */
    size_t max_record;      /* largest record length seen */
    size_t oversize_plain;  /* plaintext records (before encryption) over 2^14 */
    int error;              /* out of memory */
    /* internal */
    uint8_t hdr[5];
    size_t hdr_have;
    uint8_t *cur; /* payload of the record being read */
    size_t cur_have;
} cb_stream;

void cb_stream_init(cb_stream *s);
void cb_stream_free(cb_stream *s);
/* cb_stream_feed consumes |len| bytes. Records keep being split after the
 * handshake turns encrypted (TLS 1.3 decryption needs them); only bytes that
 * cannot be TLS stop the stream. Returns 0, or -1 on out of memory. */
int cb_stream_feed(cb_stream *s, const uint8_t *data, size_t len);
/* cb_records_put frames |len| bytes of |type| as records of at most |max|
 * bytes each (one empty record for no bytes) and appends them to |out|.
 * Returns 0, or -1 when memory runs out. */
int cb_records_put(cb_buf *out, uint8_t type, uint16_t version, const uint8_t *p, size_t len, size_t max);

/* cb_stream_pending reports bytes of an incomplete record at the end. */
size_t cb_stream_pending(const cb_stream *s);

#endif
