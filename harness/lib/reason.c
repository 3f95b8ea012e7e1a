#include "reason.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* next_code finds the next negative error code in |p|: a '-' that starts a
 * word (not "2^16-1" or "16-bit") followed by a decimal or 0x number that
 * ends a word. */
static const char *next_code(const char *p, long long *code)
{
    for (const char *s = p; (s = strchr(s, '-')) != NULL; s++) {
        if (s > p && (isalnum((unsigned char)s[-1]) || s[-1] == '^' || s[-1] == '_' || s[-1] == '-'))
            continue;
        const char *d = s + 1;
        int hex = d[0] == '0' && (d[1] == 'x' || d[1] == 'X');
        const char *q = hex ? d + 2 : d;
        size_t n = 0;
        while (hex ? isxdigit((unsigned char)q[n]) : isdigit((unsigned char)q[n]))
            n++;
        if (n == 0 || n > 12 || isalnum((unsigned char)q[n]) || q[n] == '_')
            continue;
        *code = -strtoll(q, NULL, hex ? 16 : 10);
        return q + n;
    }
    return NULL;
}

static int seen_alert(const cb_reason_facts *f, int a)
{
    for (size_t i = 0; i < f->n_alerts; i++)
        if (f->alerts[i] == a)
            return 1;
    return 0;
}

int cb_reason_contradicts(const char *reason, const cb_reason_facts *f, char *why, size_t whylen)
{
    /* Error codes: the reason may name several (alternatives, or the
     * peer's); one of them must be one a side reported. */
    long long code, first = 0;
    int named = 0, matched = 0;
    for (const char *p = reason; (p = next_code(p, &code)) != NULL;) {
        if (!named)
            first = code;
        named = 1;
        for (int s = 0; s < 2; s++)
            matched |= f->has_error[s] && f->error[s] == code;
    }
    if (named && !matched) {
        if (f->has_error[0])
            snprintf(why, whylen, "names error %lld, the stack reported %lld", first, f->error[0]);
        else
            snprintf(why, whylen, "names error %lld, the stack reported no error", first);
        return 1;
    }
    /* "alert N": somebody sent it. */
    for (const char *p = reason; (p = strstr(p, "alert ")) != NULL;) {
        p += 6;
        if (!isdigit((unsigned char)*p))
            continue;
        char *end;
        long a = strtol(p, &end, 10);
        if (isalnum((unsigned char)*end))
            continue;
        if (!seen_alert(f, (int)a)) {
            snprintf(why, whylen, "names alert %ld, which no side sent", a);
            return 1;
        }
        p = end;
    }
    if ((strstr(reason, "without an alert") || strstr(reason, "without alert") || strstr(reason, "no alert")) &&
        f->own_alert >= 0) {
        snprintf(why, whylen, "says no alert, the stack sent alert %d", f->own_alert);
        return 1;
    }
    return 0;
}
