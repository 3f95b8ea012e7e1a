/* cabound corpus — the boundary-case corpus for other projects: DN lists,
 * TLS 1.2 CertificateRequests, TLS 1.3 extensions and record streams at
 * every boundary (+-1, +-2 around 2^14 and 2^16 for the list, the message
 * and the record), with manifest.json describing each file. */
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

static int write_bin(const char *dir, const char *name, const cb_buf *b, char *path, size_t pathlen)
{
    snprintf(path, pathlen, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(b->p, 1, b->len, f);
    return fclose(f) == 0 && n == b->len ? 0 : -1;
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
        printf("\nWrites DIR/lists/*.calist, DIR/cr12/*.bin (whole TLS 1.2 CertificateRequests),\n"
               "DIR/ext13/*.bin (TLS 1.3 certificate_authorities extensions), DIR/records12/*.bin\n"
               "(the CertificateRequest in records of at most 2^14 bytes) and DIR/oversize12/*.bin\n"
               "(in one record, however long), at every boundary, and DIR/manifest.json.\n\n"
               "example:\n  cabound corpus --out /tmp/cabound-corpus\n");
        return help ? CB_EXIT_OK : CB_EXIT_USAGE;
    }
    const char *sub[] = {"lists", "cr12", "ext13", "records12", "oversize12"};
    mkdir(out, 0755);
    for (int i = 0; i < 5; i++) {
        char d[4200];
        snprintf(d, sizeof(d), "%s/%s", out, sub[i]);
        if (mkdir(d, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "cabound corpus: %s: %s\n", d, strerror(errno));
            return CB_EXIT_USAGE;
        }
    }
    json_t *manifest = json_array();
    static const size_t bounds[] = {16384, 65536};
    static const char *const kinds[] = {"list", "message", "record"};
    size_t files = 0;
    for (size_t b = 0; b < 2; b++)
        for (int k = 0; k < 3; k++)
            for (int d = -2; d <= 2; d++) {
                /* Which size the boundary is about decides the list bytes. */
                size_t target = bounds[b] + (size_t)(long)d, list_bytes;
                if (k == 0)
                    list_bytes = target;
                else if (k == 1)
                    list_bytes = target - cb_cr12_overhead();
                else /* a single record carrying the whole message: record length = message bytes */
                    list_bytes = target - cb_cr12_overhead();
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
                char name[128], path[4400];
                snprintf(name, sizeof(name), "%s-%zu%+d", kinds[k], bounds[b], d);
                json_t *entry = json_pack("{s:s,s:I,s:i,s:I,s:I}", "kind", kinds[k], "boundary", (json_int_t)bounds[b],
                                          "delta", d, "list_bytes", (json_int_t)list_bytes, "dns", (json_int_t)l.count);
                char lname[160];
                snprintf(lname, sizeof(lname), "%s/lists/%s.calist", out, name);
                if (cb_listfile_write(lname, &l, "cabound corpus", err, sizeof(err)) != 0) {
                    fprintf(stderr, "cabound corpus: %s\n", err);
                    return CB_EXIT_USAGE;
                }
                json_t *fl = json_object();
                json_object_set_new(fl, "list", json_sprintf("lists/%s.calist", name));
                cb_buf cr, ext, recs, one;
                cb_buf_init(&cr);
                cb_buf_init(&ext);
                cb_buf_init(&recs);
                cb_buf_init(&one);
                cb_encode_cr12(&l, &cr);
                cb_encode_ext13(&l, &ext);
                cb_records_put(&recs, CB_CT_HANDSHAKE, 0x0303, cr.p, cr.len, CB_MAX_PLAINTEXT);
                char dir[4200], fname[200];
                snprintf(fname, sizeof(fname), "%s.bin", name);
                snprintf(dir, sizeof(dir), "%s/cr12", out);
                write_bin(dir, fname, &cr, path, sizeof(path));
                json_object_set_new(fl, "cr12", json_sprintf("cr12/%s", fname));
                snprintf(dir, sizeof(dir), "%s/ext13", out);
                write_bin(dir, fname, &ext, path, sizeof(path));
                json_object_set_new(fl, "ext13", json_sprintf("ext13/%s", fname));
                snprintf(dir, sizeof(dir), "%s/records12", out);
                write_bin(dir, fname, &recs, path, sizeof(path));
                json_object_set_new(fl, "records12", json_sprintf("records12/%s", fname));
                if (cr.len <= 65535) {
                    cb_records_put(&one, CB_CT_HANDSHAKE, 0x0303, cr.p, cr.len, 65535);
                    snprintf(dir, sizeof(dir), "%s/oversize12", out);
                    write_bin(dir, fname, &one, path, sizeof(path));
                    json_object_set_new(fl, "oversize12", json_sprintf("oversize12/%s", fname));
                }
                json_object_set_new(entry, "files", fl);
                json_object_set_new(entry, "message_bytes", json_integer((json_int_t)cr.len));
                cb_decoded dec;
                cb_buf vec;
                cb_buf_init(&vec);
                cb_encode_vector(&l, &vec);
                cb_decode_vector(vec.p, vec.len, &dec);
                json_object_set_new(entry, "class", json_string(cb_class_name(dec.cls)));
                cb_decoded_free(&dec);
                cb_buf_free(&vec);
                json_t *models = json_object();
                for (const cb_model *m = cb_models(); m->name; m++) {
                    cb_model_result r = cb_model_apply(m, &l, cb_cr12_overhead());
                    json_object_set_new(models, m->name, json_pack("{s:s,s:I,s:I}", "verdict", cb_model_verdict_name(r.verdict),
                                                                   "kept", (json_int_t)r.kept, "list_bytes", (json_int_t)r.list_bytes));
                }
                cb_model tmp;
                const cb_model *fm = cb_model_find("fit-in-message 16384", &tmp);
                cb_model_result r = cb_model_apply(fm, &l, cb_cr12_overhead());
                json_object_set_new(models, "fit-in-message 16384", json_pack("{s:s,s:I,s:I}", "verdict", cb_model_verdict_name(r.verdict),
                                                                             "kept", (json_int_t)r.kept, "list_bytes", (json_int_t)r.list_bytes));
                json_object_set_new(entry, "models", models);
                json_array_append_new(manifest, entry);
                files++;
                cb_buf_free(&cr);
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
