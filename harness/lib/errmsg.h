/* errmsg.h — the one form of an input error: "NAME:LINE: message", or
 * "NAME: message" when no line applies. Every parser and reader uses it. */
#ifndef CABOUND_ERRMSG_H
#define CABOUND_ERRMSG_H

#include <stddef.h>

/* cb_fail_at writes the message into |err| (may be NULL) and returns -1. */
int cb_fail_at(char *err, size_t errlen, const char *name, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* cb_hex_value returns the value of one hex digit, or -1. */
static inline int cb_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
