#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cb_model builtin[] = {
    {"rfc", CB_MODEL_ALL_OR_REFUSE, 65535,
     "RFC 5246 7.4.4 / RFC 8446 4.2.4: the vector holds at most 2^16-1 bytes; a "
     "conforming server sends the whole list or does not send it"},
    /* Microsoft documents that Schannel's list of trusted issuers sent in a
     * CertificateRequest is limited to 16 KB and that a longer list is cut
     * (event 36885, "the list has thus been truncated"; KB 933430), and that
     * clients whose CA fell off the end send no certificate. The documents do
     * not say which bytes count toward the 16 KB. We read it as the list bytes
     * (each DN with its 2-byte length) and drop whole trailing DNs, which is
     * what the event text describes; the cut is never mid-DN. */
    {"schannel-16k", CB_MODEL_CAP_LIST, 16384,
     "Windows Schannel trusted-issuer list cap (event 36885, KB 933430): whole trailing DNs "
     "dropped once the list passes 16384 list bytes"},
    {NULL, CB_MODEL_ALL_OR_REFUSE, 0, NULL},
};

const cb_model *cb_models(void) { return builtin; }

const char *cb_model_verdict_name(enum cb_model_verdict v)
{
    switch (v) {
    case CB_MV_FULL: return "full";
    case CB_MV_TRUNCATED: return "truncated";
    case CB_MV_EMPTY: return "empty";
    case CB_MV_REFUSED: return "refused";
    }
    return "?";
}

const cb_model *cb_model_find(const char *name, cb_model *tmp)
{
    for (const cb_model *m = builtin; m->name; m++)
        if (strcmp(m->name, name) == 0)
            return m;
    static const char fit[] = "fit-in-message";
    size_t n = strlen(fit);
    if (strncmp(name, fit, n) == 0 && (name[n] == ' ' || name[n] == ':')) {
        char *end;
        const char *num = name + n + 1;
        if (*num < '0' || *num > '9')
            return NULL;
        unsigned long long cap = strtoull(num, &end, 10);
        if (*end || cap < 4 || cap > (1ull << 24) + 3)
            return NULL;
        *tmp = (cb_model){name, CB_MODEL_FIT_MESSAGE, (size_t)cap,
                          "stop at the first DN that no longer fits in a handshake message of the cap"};
        return tmp;
    }
    return NULL;
}

cb_model_result cb_model_apply(const cb_model *m, const cb_calist *l, size_t message_overhead)
{
    cb_model_result r = {CB_MV_FULL, l->count, cb_calist_list_bytes(l)};
    if (m->kind == CB_MODEL_ALL_OR_REFUSE) {
        if (r.list_bytes > m->cap)
            r = (cb_model_result){CB_MV_REFUSED, 0, 0};
        return r;
    }
    size_t budget;
    if (m->kind == CB_MODEL_CAP_LIST)
        budget = m->cap;
    else
        budget = m->cap > message_overhead ? m->cap - message_overhead : 0;
    size_t kept = 0, bytes = 0;
    while (kept < l->count && bytes + 2 + l->dns[kept].len <= budget)
        bytes += 2 + l->dns[kept++].len;
    r.kept = kept;
    r.list_bytes = bytes;
    if (kept < l->count)
        r.verdict = kept ? CB_MV_TRUNCATED : CB_MV_EMPTY;
    return r;
}
