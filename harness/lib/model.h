/* model.h — truncation models: what a server policy would put on the wire
 * for a configured list. Models are data (a kind and a cap), so a stack's
 * observed policy can be named beside the reference ones. */
#ifndef CABOUND_MODEL_H
#define CABOUND_MODEL_H

#include <stddef.h>

#include "calist.h"

enum cb_model_kind {
    CB_MODEL_ALL_OR_REFUSE, /* send all; refuse when list bytes exceed cap */
    CB_MODEL_CAP_LIST,      /* whole DNs while list bytes stay <= cap */
    CB_MODEL_FIT_MESSAGE,   /* whole DNs while the handshake message stays <= cap */
};

typedef struct cb_model {
    const char *name;
    enum cb_model_kind kind;
    size_t cap;
    const char *why; /* where the policy comes from */
} cb_model;

/* The verdict a model predicts for the server side. */
enum cb_model_verdict { CB_MV_FULL, CB_MV_TRUNCATED, CB_MV_EMPTY, CB_MV_REFUSED };
const char *cb_model_verdict_name(enum cb_model_verdict v);

typedef struct cb_model_result {
    enum cb_model_verdict verdict;
    size_t kept;       /* DNs sent: a prefix of the list */
    size_t list_bytes; /* list bytes of that prefix */
} cb_model_result;

/* cb_models returns the built-in models (NULL-name terminated). */
const cb_model *cb_models(void);

/* cb_model_find looks a model up by name; "fit-in-message N" (or
 * "fit-in-message:N") makes a message-size model with cap N in |tmp|.
 * Returns NULL for an unknown name. */
const cb_model *cb_model_find(const char *name, cb_model *tmp);

/* cb_model_apply predicts what |m| sends for |l|. |message_overhead| is the
 * number of bytes of the handshake message outside the list bytes
 * (cb_cr12_overhead() or cb_cr13_overhead() for the codec's encoding); only
 * CB_MODEL_FIT_MESSAGE uses it. */
cb_model_result cb_model_apply(const cb_model *m, const cb_calist *l, size_t message_overhead);

#endif
