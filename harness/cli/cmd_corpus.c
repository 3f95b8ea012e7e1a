/* cabound corpus — the boundary-case corpus for other projects: DN lists,
 * TLS 1.2 and TLS 1.3 CertificateRequests, TLS 1.3 extensions and record
 * streams at every boundary (+-1, +-2 around 2^14, 2^15 and 2^16 for the
 * list, the TLS 1.2 message, the TLS 1.3 message, the 1.3 extension data and
 * the record), with manifest.json describing each file. The 2^15 tier is
 * the suites' around-32k cases (clients that cap a message at 32768 bytes). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codec.h"
#include "commands.h"
#include "flags.h"
#include "listfile.h"
#include "listgen.h"
#include "model.h"
#include "record.h"

/* put_file writes |b| to OUT/SUB/FNAME and records it in |files| under
 * |sub|; on failure it says which file and why, and returns -1. */
static int put_file(const char *out, const char *sub, const char *fname, const cb_buf *b, json_t *files)
{
    char path[4400];
    snprintf(path, sizeof(path), "%s/%s/%s", out, sub, fname);
    FILE *f = b->oom ? NULL : fopen(path, "wb");
    size_t n = f ? fwrite(b->p, 1, b->len, f) : 0;
    if (!f || (fclose(f) != 0) | (n != b->len)) {
        fprintf(stderr, "cabound corpus: %s: cannot write: %s\n", path, b->oom ? "out of memory" : strerror(errno));
        return -1;
    }
    json_object_set_new(files, sub, json_sprintf("%s/%s", sub, fname));
    return 0;
}

/* models_json: what each model keeps of |l| in a message of |overhead|
 * bytes besides the list (the version's), fit-in-message 16384 included. */
static json_t *models_json(const cb_calist *l, size_t overhead)
{
    json_t *models = json_object();
    for (const cb_model *m = cb_models(); m->name; m++) {
        cb_model_result r = cb_model_apply(m, l, overhead);
        json_object_set_new(models, m->name, json_pack("{s:s,s:I,s:I}", "verdict", cb_model_verdict_name(r.verdict),
                                                       "kept", (json_int_t)r.kept, "list_bytes", (json_int_t)r.list_bytes));
    }
    cb_model tmp;
    const cb_model *fm = cb_model_find("fit-in-message 16384", &tmp);
    cb_model_result r = cb_model_apply(fm, l, overhead);
    json_object_set_new(models, "fit-in-message 16384", json_pack("{s:s,s:I,s:I}", "verdict", cb_model_verdict_name(r.verdict),
                                                                 "kept", (json_int_t)r.kept, "list_bytes", (json_int_t)r.list_bytes));
    return models;
}

int cmd_corpus(int argc, char **argv)
{
    const char *out = NULL;
    uint64_t seed = 1;
    int help = 0;
    const cb_flag flags[] = {
        {"--out", CB_FLAG_STR, &out, "DIR", "directory to write (required)"},
        {"--seed", CB_FLAG_U64, &seed, "S", "seed of the DNs (default 1)"},
        {"--help", CB_FLAG_BOOL, &help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    if (cb_flags_parse("corpus", argc, argv, 2, flags, NULL) != 0)
        return CB_EXIT_USAGE;
    if (help || !out) {
        printf("usage: cabound corpus --out DIR [--seed S]\n\n");
        cb_flags_help(flags);
        printf("\nWrites DIR/lists/*.calist, DIR/cr12/*.bin and DIR/cr13/*.bin (whole TLS 1.2 and\n"
               "TLS 1.3 CertificateRequests), DIR/ext13/*.bin (TLS 1.3 certificate_authorities\n"
               "extensions), DIR/records12/*.bin (the TLS 1.2 CertificateRequest in records of at\n"
               "most 2^14 bytes) and DIR/oversize12/*.bin (in one record, however long), and\n"
               "DIR/manifest.json. Cases: list bytes, TLS 1.2 message bytes, TLS 1.3 message bytes,\n"
               "1.3 extension data bytes (2 + list bytes) and one-record lengths at 2^14, 2^15 and\n"
               "2^16, +-1 and +-2. (A TLS 1.3 CertificateRequest travels encrypted: it has no\n"
               "plaintext record form.)\n\n"
               "example:\n  cabound corpus --out /tmp/cabound-corpus\n");
        return help ? CB_EXIT_OK : CB_EXIT_USAGE;
    }
    if (strlen(out) > 4000) { /* the paths below are built in fixed buffers */
        fprintf(stderr, "cabound corpus: --out: a path of %zu bytes is too long (at most 4000)\n", strlen(out));
        return CB_EXIT_USAGE;
    }
    const char *sub[] = {"lists", "cr12", "cr13", "ext13", "records12", "oversize12"};
    mkdir(out, 0755);
    for (int i = 0; i < 6; i++) {
        char d[4200];
        snprintf(d, sizeof(d), "%s/%s", out, sub[i]);
        if (mkdir(d, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "cabound corpus: %s: %s\n", d, strerror(errno));
            return CB_EXIT_USAGE;
        }
    }
    json_t *manifest = json_array();
    static const size_t bounds[] = {16384, 32768, 65536};
    static const char *const kinds[] = {"list", "message", "record", "message13", "extension13"};
    size_t files = 0;
    for (size_t b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++)
        for (int k = 0; k < 5; k++)
            for (int d = -2; d <= 2; d++) {
                /* Which size the boundary is about decides the list bytes. */
                size_t target = bounds[b] + (size_t)(long)d, list_bytes;
                if (k == 0)
                    list_bytes = target;
                else if (k == 1)
                    list_bytes = target - cb_cr12_overhead();
                else if (k == 2) /* a single record carrying the whole message: record length = message bytes */
                    list_bytes = target - cb_cr12_overhead();
                else if (k == 3)
                    list_bytes = target - cb_cr13_overhead();
                else /* the extension's data: the vector's 2-byte length and the list */
                    list_bytes = target - 2;
                if (k == 2 && target > 65535)
                    continue; /* a record length is 16 bits */
                cb_calist l;
                cb_calist_init(&l);
                char err[256];
                cb_listgen g = {list_bytes, 40, 120, seed, NULL, NULL, NULL};
                if (cb_listgen_build(&g, &l, err, sizeof(err)) != 0) {
                    fprintf(stderr, "cabound corpus: %s\n", err);
                    return CB_EXIT_USAGE;
                }
                char name[128];
                snprintf(name, sizeof(name), "%s-%zu%+d", kinds[k], bounds[b], d);
                json_t *entry = json_pack("{s:s,s:I,s:i,s:I,s:I}", "kind", kinds[k], "boundary", (json_int_t)bounds[b],
                                          "delta", d, "list_bytes", (json_int_t)list_bytes, "dns", (json_int_t)l.count);
                char lname[4200];
                snprintf(lname, sizeof(lname), "%s/lists/%s.calist", out, name);
                if (cb_listfile_write(lname, &l, "cabound corpus", err, sizeof(err)) != 0) {
                    fprintf(stderr, "cabound corpus: %s\n", err);
                    return CB_EXIT_USAGE;
                }
                json_t *fl = json_object();
                json_object_set_new(fl, "list", json_sprintf("lists/%s.calist", name));
                cb_buf cr, cr13, ext, recs, one;
                cb_buf_init(&cr);
                cb_buf_init(&cr13);
                cb_buf_init(&ext);
                cb_buf_init(&recs);
                cb_buf_init(&one);
                cb_encode_cr12(&l, &cr);
                cb_encode_cr13(&l, &cr13);
                cb_encode_ext13(&l, &ext);
                cb_records_put(&recs, CB_CT_HANDSHAKE, 0x0303, cr.p, cr.len, CB_MAX_PLAINTEXT);
                char fname[200];
                snprintf(fname, sizeof(fname), "%s.bin", name);
                int bad = put_file(out, "cr12", fname, &cr, fl) | put_file(out, "cr13", fname, &cr13, fl) |
                          put_file(out, "ext13", fname, &ext, fl) | put_file(out, "records12", fname, &recs, fl);
                if (cr.len <= 65535) {
                    cb_records_put(&one, CB_CT_HANDSHAKE, 0x0303, cr.p, cr.len, 65535);
                    bad |= put_file(out, "oversize12", fname, &one, fl);
                }
                if (bad) {
                    cb_buf_free(&cr);
                    cb_buf_free(&cr13);
                    cb_buf_free(&ext);
                    cb_buf_free(&recs);
                    cb_buf_free(&one);
                    cb_calist_free(&l);
                    json_decref(fl);
                    json_decref(entry);
                    json_decref(manifest);
                    return CB_EXIT_USAGE;
                }
                json_object_set_new(entry, "files", fl);
                json_object_set_new(entry, "message_bytes", json_integer((json_int_t)cr.len));
                json_object_set_new(entry, "message13_bytes", json_integer((json_int_t)cr13.len));
                json_object_set_new(entry, "extension13_data_bytes", json_integer((json_int_t)(ext.len - 4)));
                cb_decoded dec;
                cb_buf vec;
                cb_buf_init(&vec);
                cb_encode_vector(&l, &vec);
                cb_decode_vector(vec.p, vec.len, &dec);
                json_object_set_new(entry, "class", json_string(cb_class_name(dec.cls)));
                cb_decoded_free(&dec);
                cb_buf_free(&vec);
                json_object_set_new(entry, "models", models_json(&l, cb_cr12_overhead()));
                json_object_set_new(entry, "models13", models_json(&l, cb_cr13_overhead()));
                json_array_append_new(manifest, entry);
                files++;
                cb_buf_free(&cr);
                cb_buf_free(&cr13);
                cb_buf_free(&ext);
                cb_buf_free(&recs);
                cb_buf_free(&one);
                cb_calist_free(&l);
            }
    char mpath[4200];
    snprintf(mpath, sizeof(mpath), "%s/manifest.json", out);
    if (json_dump_file(manifest, mpath, JSON_INDENT(1)) != 0) {
        fprintf(stderr, "cabound corpus: %s: cannot write\n", mpath);
        json_decref(manifest);
        return CB_EXIT_USAGE;
    }
    json_decref(manifest);
    printf("%s: %zu boundary cases (manifest.json)\n", out, files);
    return CB_EXIT_OK;
}
