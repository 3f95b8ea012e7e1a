/* oracle.h — verdicts and consistency rules for one case. Pure: measured
 * facts in, verdicts and failed rules out; no processes, no files. */
#ifndef CABOUND_ORACLE_H
#define CABOUND_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "calist.h"
#include "codec.h"
#include "timeline.h"

/* What the server put on the wire. "unmeasured" is not a guess: the bytes
 * could not be read (TLS 1.3 without secrets). */
enum cb_server_verdict {
    CB_SV_FULL,
    CB_SV_TRUNCATED,
    CB_SV_EMPTY,
    CB_SV_OMITTED,
    CB_SV_REFUSED,
    CB_SV_MALFORMED,
    CB_SV_UNMEASURED,
};

/* What the client did with the CertificateRequest it received. */
enum cb_client_verdict {
    CB_CV_SELECTED,
    CB_CV_SENT_EMPTY,
    CB_CV_REJECTED,  /* refused the CertificateRequest */
    CB_CV_ABORTED,   /* answered it, then failed by itself */
    CB_CV_NOT_ASKED, /* no CertificateRequest reached it */
    CB_CV_UNMEASURED,
};

/* Consistency rules, stable ids shown in reports. */
enum cb_rule {
    CB_RULE_PREFIX,      /* CA-PREFIX: the wire carries the list or a whole-DN prefix, in order */
    CB_RULE_RECORD_SIZE, /* REC-2E14: no plaintext record over 2^14 */
    CB_RULE_SELECT,      /* SEL-ISSUER: by-issuer choice is consistent with the list received */
    CB_RULE_ALERT,       /* ALERT-ON-FAIL: a failed handshake ends with an alert */
    CB_RULE_API_WIRE,    /* API-WIRE: the list a client API exposes equals the wire's */
    CB_RULE_ALERT_PROTECTED, /* ALERT-PROTECTED: a TLS 1.3 alert sent with handshake keys in hand is encrypted */
    CB_RULE_COUNT
};

/* The side a rule hit is about: the stack whose expectation records it. */
enum cb_side { CB_SIDE_SERVER = 0, CB_SIDE_CLIENT = 1 };

const char *cb_server_verdict_name(enum cb_server_verdict v);
const char *cb_client_verdict_name(enum cb_client_verdict v);
const char *cb_rule_id(enum cb_rule r);
const char *cb_rule_text(enum cb_rule r);
int cb_server_verdict_parse(const char *s);
int cb_client_verdict_parse(const char *s);
int cb_rule_parse(const char *s);
const char *cb_side_name(enum cb_side s);
/* cb_rule_fixed_side: the side a rule is always about (CA-PREFIX and
 * REC-2E14 the server, SEL-ISSUER and API-WIRE the client), or -1 for the
 * rules that can be about either (ALERT-ON-FAIL, ALERT-PROTECTED). */
int cb_rule_fixed_side(enum cb_rule r);

/* Tri-state facts: yes, no, or not measurable. */
enum cb_tri { CB_NO = 0, CB_YES = 1, CB_UNKNOWN = -1 };

typedef struct cb_oracle_in {
    int tls13;
    const cb_calist *configured; /* what the server was told to send */
    /* server side, measured on the wire */
    int wire_measured;           /* 0: bytes unavailable (TLS 1.3 without secrets) */
    int cr_present;              /* a CertificateRequest was sent */
    int list_present;            /* 1.3: the extension was in it (1.2: = cr_present) */
    const cb_decoded *wire_list; /* the list as decoded from the wire */
    size_t oversize_plain;       /* plaintext records over 2^14 (1.3: inner plaintexts) */
    size_t broken_at;            /* 0, or 1 + the offset where the server's bytes stopped being TLS records */
    size_t cr_cut_declared;      /* no whole CertificateRequest: the size (with header) of one the bytes stop inside */
    size_t cr_cut_have;          /* 0, or how many of its bytes came */
    int ext_block_bad;           /* 1.3: the CertificateRequest's extensions block length is wrong */
    size_t ext_block_declared, ext_block_actual;
    int server_failed;           /* the server's handshake failed or it faulted */
    /* what reached the client (differs from wire_list when rewritten in flight) */
    const cb_calist *client_got; /* NULL: unknown */
    int cr_reached_client;       /* enum cb_tri */
    /* client side */
    int client_failed;
    int client_fault;            /* crash, timeout, shim error */
    int client_sent_cert_msg;    /* enum cb_tri: answered with a Certificate message */
    int sent_cert;               /* -2 unknown, -1 empty, >= 0 index */
    int client_alert_sent;       /* enum cb_tri: the server got a fatal alert from the client */
    int by_issuer;               /* the client chooses by issuer (shim by-issuer mode) */
    const cb_calist *cred_issuers; /* issuer DN of each client credential, in order */
    int api_exposed;             /* the client's API delivered a list (its callback ran) */
    const cb_calist *api_list;   /* what the client API exposed */
    const char *api_reference;   /* NULL, or which DNs of a malformed list the API is held to (said in the hit) */
    const cb_calist *api_reference_list; /* those DNs; NULL: client_got */
    /* per side, [CB_SIDE_SERVER] and [CB_SIDE_CLIENT] */
    int fault[2];                /* the shim crashed, hung or broke the contract */
    int ending[2];               /* enum cb_tl_ending of a side whose handshake failed */
    int alert_desc[2];           /* its first alert (not close_notify), -1 none or unknown */
    int plain_alert_after_keys[2]; /* TLS 1.3: it sent a plaintext alert with handshake keys in hand */
} cb_oracle_in;

typedef struct cb_rule_hit {
    enum cb_rule rule;
    enum cb_side side;
    char why[160];
} cb_rule_hit;

typedef struct cb_oracle_out {
    enum cb_server_verdict server;
    char server_detail[160];
    enum cb_client_verdict client;
    unsigned failed;     /* bit (1 << rule) per failed rule, either side */
    unsigned checked[2]; /* per side: bit per rule that applied to it */
    char why[CB_RULE_COUNT][160]; /* the first hit's why, per rule */
    cb_rule_hit hits[2 * CB_RULE_COUNT]; /* every hit, with its side */
    size_t n_hits;
} cb_oracle_out;

/* cb_oracle_judge fills |out| from |in|. */
void cb_oracle_judge(const cb_oracle_in *in, cb_oracle_out *out);

#endif
