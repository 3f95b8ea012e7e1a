/* timeline.h — what each side of a case did and saw, in the order the relay
 * saw it: the relay's own log of reads, writes and closes, laid over the
 * records each direction carried. Blame follows cause: a side that closed
 * without an alert before any close or alert of its peer could have reached
 * it failed silently; a side that spoke only after one did was reacting.
 * Pure: buffers in, facts out. */
#ifndef CABOUND_TIMELINE_H
#define CABOUND_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* One action of the relay. Sides: 0 the server, 1 the client. */
enum cb_io_kind {
    CB_IO_READ,  /* bytes read from |side|: [off, off+len) of what it sent */
    CB_IO_EOF,   /* |side| closed its end (FIN) */
    CB_IO_WRITE, /* bytes written toward |side|: [off, off+len) of what it received */
    CB_IO_SHUT,  /* the peer's close passed on to |side| */
};

typedef struct cb_tl_io {
    uint8_t kind, side;
    size_t off, len;
    double t_ms; /* since the case began */
} cb_tl_io;

/* One alert record of a direction, as far as the harness could read it. */
typedef struct cb_tl_alert {
    size_t record;  /* index into the direction's records */
    int level, desc;/* -1: encrypted and not read */
    int plain;      /* a plaintext record (content type 21, unprotected) */
} cb_tl_alert;

/* One direction's bytes as parsed: its records (stream offsets) and alerts. */
typedef struct cb_tl_dir {
    const cb_record *records;
    size_t n_records;
    const cb_tl_alert *alerts;
    size_t n_alerts;
    size_t read_until; /* records from this index on are protected and were not opened: an alert may hide there */
} cb_tl_dir;

#define CB_TL_NONE (-1L)

/* What one side did, as indices into the io log (CB_TL_NONE when never). */
typedef struct cb_tl_side {
    long alert;        /* the read that completed its first alert other than close_notify */
    int alert_desc;    /* its description, -1 unknown */
    int alert_plain;
    long close_notify; /* the read that completed its first close_notify */
    long closed;       /* its FIN */
    long saw_peer;     /* the first write or shutdown toward it that delivered a peer's alert (any) or close */
    long saw_unread;   /* the first write toward it that delivered a record the harness could not open */
    int unreadable;    /* it sent records the harness could not open */
} cb_tl_side;

/* cb_timeline_sides fills |out| for both sides. |sent[s]| is what side s
 * sent (read from it); |got[s]| what it received (written to it; differs
 * from the peer's |sent| when the relay rewrote a message). */
void cb_timeline_sides(const cb_tl_io *io, size_t n_io, const cb_tl_dir *sent[2], const cb_tl_dir *got[2],
                       cb_tl_side out[2]);

/* How a side that failed its handshake ended. */
enum cb_tl_ending {
    CB_END_ALERTED,  /* sent an alert (not close_notify) before any peer signal reached it */
    CB_END_SILENT,   /* closed without one before any peer signal reached it */
    CB_END_REACTED,  /* spoke or closed only after the peer's alert or close reached it */
    CB_END_UNKNOWN,  /* its records could not be read, or it never closed */
};

/* cb_timeline_ending classifies |s|. */
enum cb_tl_ending cb_timeline_ending(const cb_tl_side *s);

/* cb_timeline_read_of returns the index of the read from |side| that
 * completed byte |end| - 1 of what it sent, or CB_TL_NONE; with |write|
 * set, the write toward |side| that delivered it. */
long cb_timeline_io_of(const cb_tl_io *io, size_t n_io, int side, int write, size_t end);

/* One line of the compact timeline: a run of like records of one side, or a
 * close, e.g. "S hs*3", "C alert:50/plain", "C fin". */
typedef struct cb_tl_event {
    double t_ms;
    char text[48];
} cb_tl_event;

/* cb_timeline_events lists what each side sent and each close, in the
 * relay's order, into |ev| (at most |max|; longer logs end with "..."), and
 * returns the count. */
size_t cb_timeline_events(const cb_tl_io *io, size_t n_io, const cb_tl_dir *sent[2], cb_tl_event *ev, size_t max);

#endif
