#include "capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "pcap_out.h"

static void safe_name(const char *id, char *out, size_t outlen)
{
    size_t i = 0;
    for (; id[i] && i + 1 < outlen; i++)
        out[i] = (id[i] == '/' || id[i] == '>' || id[i] == ' ' || id[i] == '\'') ? '_' : id[i];
    out[i] = 0;
}

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "wb") : NULL;
    char buf[8192];
    size_t n;
    int rc = a && b ? 0 : -1;
    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), a)) > 0)
        if (fwrite(buf, 1, n, b) != n)
            rc = -1;
    if (a)
        fclose(a);
    if (b && fclose(b) != 0)
        rc = -1;
    return rc;
}

/* chunks_of turns the relay's log into capture chunks in its order: what the
 * client sent as read from it, what the server sent as read from it or (with
 * |as_received|) as written toward the client, and each side's FIN where it
 * came. */
static cb_chunk *chunks_of(const cb_relay_result *rr, int as_received, size_t *n)
{
    cb_chunk *c = calloc(rr->n_io + 1, sizeof(*c));
    *n = 0;
    for (size_t i = 0; c && i < rr->n_io; i++) {
        const cb_tl_io *e = &rr->io[i];
        double t = e->t_ms / 1000.0;
        if (e->kind == CB_IO_EOF)
            c[(*n)++] = (cb_chunk){e->side == 0, NULL, 0, t, 1};
        else if (e->kind == CB_IO_READ && e->side == 1)
            c[(*n)++] = (cb_chunk){0, rr->c2s.p + e->off, e->len, t, 0};
        else if (e->kind == CB_IO_READ && e->side == 0 && !as_received)
            c[(*n)++] = (cb_chunk){1, rr->s2c.p + e->off, e->len, t, 0};
        else if (e->kind == CB_IO_WRITE && e->side == 1 && as_received)
            c[(*n)++] = (cb_chunk){1, rr->s2c_fwd.p + e->off, e->len, t, 0};
    }
    return c;
}

static int one(const char *out_dir, const char *name, const char *suffix, const cb_relay_result *rr, int as_received,
               unsigned case_no, const char *key, json_t *line)
{
    char path[4900], rel[700], err[256];
    size_t n;
    snprintf(rel, sizeof(rel), "captures/%s%s.pcap", name, suffix);
    snprintf(path, sizeof(path), "%s/%s", out_dir, rel);
    cb_chunk *chunks = chunks_of(rr, as_received, &n);
    int ok = chunks && cb_pcap_write(path, chunks, n, case_no, err, sizeof(err)) == 0;
    free(chunks);
    if (ok)
        json_object_set_new(line, key, json_string(rel));
    return ok;
}

int cb_capture_write(const char *out_dir, const char *case_id, unsigned case_no, const cb_relay_result *rr,
                     const char *keylog, json_t *line)
{
    char name[600], dir[4200], kl[4900], rel[700];
    safe_name(case_id, name, sizeof(name));
    snprintf(dir, sizeof(dir), "%s/captures", out_dir);
    cb_mkdirs(dir);
    /* The wire is what the client received; a rewritten case keeps what the
     * server really sent beside it, named so. */
    int written = one(out_dir, name, "", rr, rr->rewritten, case_no, "pcap", line);
    if (rr->rewritten)
        written += one(out_dir, name, ".server-sent", rr, 0, case_no, "pcap_server_sent", line);
    snprintf(rel, sizeof(rel), "captures/%s.keylog", name);
    snprintf(kl, sizeof(kl), "%s/%s", out_dir, rel);
    if (keylog && copy_file(keylog, kl) == 0) {
        json_object_set_new(line, "keylog", json_string(rel));
        written++;
    }
    return written;
}
