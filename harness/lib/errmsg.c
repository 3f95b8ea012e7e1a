#include "errmsg.h"

#include <stdarg.h>
#include <stdio.h>

int cb_fail_at(char *err, size_t errlen, const char *name, size_t line, const char *fmt, ...)
{
    if (err && errlen) {
        char msg[300];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (line)
            snprintf(err, errlen, "%s:%zu: %s", name, line, msg);
        else
            snprintf(err, errlen, "%s: %s", name, msg);
    }
    return -1;
}
