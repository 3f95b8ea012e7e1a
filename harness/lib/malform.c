#include "malform.h"

#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "dn.h"

static const char *const names[] = {"empty",       "zero-length-dn", "not-der",        "trailing-bytes",
                                    "inner-overrun", "outer-mismatch", "dn-cut",        "wrapped-length",
                                    "duplicates",  "dn-65000",       NULL};

const char *const *cb_malform_names(void) { return names; }

/* A DER-looking blob that is not a Name: an INTEGER. */
static const uint8_t not_a_name[] = {0x02, 0x04, 0xde, 0xad, 0xbe, 0xef};

static int push_fillers(cb_calist *l, size_t upto_list_bytes)
{
    uint8_t dn[200];
    for (size_t i = 0; cb_calist_list_bytes(l) < upto_list_bytes; i++) {
        size_t left = upto_list_bytes - cb_calist_list_bytes(l);
        size_t len = left - 2 > 150 ? 150 : left - 2;
        if (left < 2 + CB_DN_MIN_WITH_ATTR + 150)
            len = left - 2 >= CB_DN_MIN_WITH_ATTR ? left - 2 : CB_DN_MIN_WITH_ATTR;
        if (!cb_dn_possible(len))
            len--;
        if (cb_dn_build(dn, len, 0x6d616c66, i) != 0 || cb_calist_push(l, dn, len, NULL) != 0)
            return -1;
    }
    return 0;
}

int cb_malform_list(const char *name, const cb_calist *base, cb_calist *out)
{
    if (strcmp(name, "empty") == 0)
        return 0;
    if (strcmp(name, "zero-length-dn") == 0)
        return cb_calist_push(out, (const uint8_t *)"", 0, NULL) || cb_calist_copy_prefix(out, base, base->count) ? -1 : 0;
    if (strcmp(name, "not-der") == 0)
        return cb_calist_push(out, not_a_name, sizeof(not_a_name), NULL) || cb_calist_copy_prefix(out, base, base->count) ? -1 : 0;
    if (strcmp(name, "duplicates") == 0)
        return cb_calist_copy_prefix(out, base, base->count) || cb_calist_copy_prefix(out, base, base->count) ? -1 : 0;
    if (strcmp(name, "dn-65000") == 0) {
        uint8_t *big = malloc(65000);
        int rc = !big || cb_dn_build(big, 65000, 0x6269, 0) != 0 || cb_calist_push(out, big, 65000, NULL) != 0;
        free(big);
        /* Whatever of the base still fits behind it within 65535 list bytes. */
        for (size_t i = 0; !rc && i < base->count; i++)
            if (cb_calist_list_bytes(out) + 2 + base->dns[i].len <= 65535)
                rc = cb_calist_push(out, base->dns[i].der, base->dns[i].len, base->dns[i].label);
        return rc ? -1 : 0;
    }
    if (strcmp(name, "wrapped-length") == 0) {
        /* Past 65535 list bytes, any 16-bit encoder must wrap or refuse. */
        if (cb_calist_copy_prefix(out, base, base->count) != 0)
            return -1;
        return push_fillers(out, 65536 + 100 + cb_calist_list_bytes(base));
    }
    return -1;
}

int cb_malform_vector(const char *name, const cb_calist *base, cb_buf *out)
{
    cb_calist l;
    cb_calist_init(&l);
    int rc = 0;
    if (cb_malform_list(name, base, &l) == 0) {
        rc = cb_encode_vector(&l, out);
    } else if (strcmp(name, "trailing-bytes") == 0) {
        rc = cb_encode_vector(base, out) || cb_buf_put(out, "\xde\xad", 2);
    } else if (strcmp(name, "inner-overrun") == 0) {
        /* The last DN claims 16 bytes more than the list holds. */
        rc = cb_encode_vector(base, out);
        if (!rc && base->count) {
            size_t off = out->len - base->dns[base->count - 1].len - 2;
            size_t claimed = base->dns[base->count - 1].len + 16;
            out->p[off] = (uint8_t)(claimed >> 8);
            out->p[off + 1] = (uint8_t)claimed;
        }
    } else if (strcmp(name, "outer-mismatch") == 0) {
        /* The outer length claims one DN more than follows. */
        rc = cb_encode_vector(base, out);
        if (!rc) {
            size_t claimed = cb_calist_list_bytes(base) + 100;
            out->p[0] = (uint8_t)(claimed >> 8);
            out->p[1] = (uint8_t)claimed;
        }
    } else if (strcmp(name, "dn-cut") == 0) {
        /* Lengths intact, bytes stop halfway through the last DN. */
        rc = cb_encode_vector(base, out);
        if (!rc && base->count)
            out->len -= base->dns[base->count - 1].len / 2 + 1;
    } else {
        rc = -1;
    }
    cb_calist_free(&l);
    return rc;
}
