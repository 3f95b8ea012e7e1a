/* cabound decode — classify a list file or encoded bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "commands.h"
#include "fileio.h"
#include "flags.h"
#include "listfile.h"
#include "model.h"
#include "utf8.h"

#include <jansson.h>

/* put_json prints |o| as one line and releases it: with --json every line
 * of stdout is one JSON object (jansson escapes the file name). */
static void put_json(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(o);
}

/* json_input is {"input": NAME} with NAME made UTF-8 (a file name need not be). */
static json_t *json_input(const char *what)
{
    char name[4096];
    cb_utf8_copy(name, sizeof(name), what);
    return json_pack("{s:s}", "input", name);
}

static void print_decoded(const char *what, const cb_decoded *d, int json, json_t *model)
{
    if (json) {
        json_t *o = json_input(what);
        json_object_set_new(o, "class", json_string(cb_class_name(d->cls)));
        json_object_set_new(o, "outer_len", json_integer((json_int_t)d->outer_len));
        json_object_set_new(o, "content_len", json_integer((json_int_t)d->content_len));
        json_object_set_new(o, "dns", json_integer((json_int_t)d->dns.count));
        json_object_set_new(o, "parsed_list_bytes", json_integer((json_int_t)d->parsed_bytes));
        json_object_set_new(o, "bad_offset", json_integer((json_int_t)d->bad_offset));
        json_object_set_new(o, "duplicates", json_boolean(d->flags & CB_FLAG_DUPLICATES));
        json_t *flags = json_array();
        for (int c = 0; c < CB_CLASS_COUNT; c++)
            if (d->flags & CB_FLAG(c))
                json_array_append_new(flags, json_string(cb_class_name((enum cb_class)c)));
        json_object_set_new(o, "flags", flags);
        if (model)
            json_object_set(o, "model", model);
        put_json(o);
        return;
    }
    printf("%s: %s\n", what, cb_class_name(d->cls));
    printf("  outer length %zu, bytes present %zu, DNs %zu, list bytes parsed %zu\n", d->outer_len,
           d->content_len, d->dns.count, d->parsed_bytes);
    if (d->cls != CB_CLASS_WELL_FORMED && d->cls != CB_CLASS_EMPTY)
        printf("  first problem at offset %zu\n", d->bad_offset);
    for (int c = 0; c < CB_CLASS_COUNT; c++)
        if ((d->flags & CB_FLAG(c)) && (enum cb_class)c != d->cls)
            printf("  also: %s\n", cb_class_name((enum cb_class)c));
    if (d->flags & CB_FLAG_DUPLICATES)
        printf("  also: duplicate DNs\n");
}

int cmd_decode(int argc, char **argv)
{
    const char *as = "auto", *model = NULL;
    int json = 0, help = 0;
    cb_strlist files = {0};
    const cb_flag flags[] = {
        {"--as", CB_FLAG_STR, &as, "FORM",
         "auto (list file, else vector), list, vector, ext13 (extension with type and length), "
         "cr12 or cr13 (whole CertificateRequest with its 4-byte header)"},
        {"--model", CB_FLAG_STR, &model, "NAME", "also show what a truncation model would send (rfc, schannel-16k, \"fit-in-message N\")"},
        {"--json", CB_FLAG_BOOL, &json, NULL, "one JSON object per file"},
        {"--help", CB_FLAG_BOOL, &help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    if (cb_flags_parse("decode", argc, argv, 2, flags, &files) != 0)
        return CB_EXIT_USAGE;
    if (help) {
        printf("usage: cabound decode [--as FORM] [--model NAME] [--json] FILE...\n\n");
        cb_flags_help(flags);
        printf("\nexamples:\n  cabound decode l.calist\n  cabound decode --as cr12 captured-cr.bin\n"
               "  cabound decode --model schannel-16k l.calist\n");
        return CB_EXIT_OK;
    }
    if (files.count == 0) {
        fprintf(stderr, "cabound decode: no FILE given\n");
        return CB_EXIT_USAGE;
    }
    cb_model tmp;
    const cb_model *m = NULL;
    if (model && !(m = cb_model_find(model, &tmp))) {
        fprintf(stderr, "cabound decode: unknown model \"%s\" (rfc, schannel-16k, \"fit-in-message N\")\n", model);
        return CB_EXIT_USAGE;
    }
    static const char *const forms[] = {"auto", "list", "vector", "ext13", "cr12", "cr13", NULL};
    int form = -1;
    for (int i = 0; forms[i]; i++)
        if (strcmp(as, forms[i]) == 0)
            form = i;
    if (form < 0) {
        fprintf(stderr, "cabound decode: --as: unknown form \"%s\"\n", as);
        return CB_EXIT_USAGE;
    }
    int rc = CB_EXIT_OK;
    for (size_t i = 0; i < files.count; i++) {
        char err[512];
        size_t len;
        uint8_t *data = (uint8_t *)cb_read_file(files.items[i], &len, err, sizeof(err));
        if (!data) {
            fprintf(stderr, "cabound decode: %s\n", err);
            rc = CB_EXIT_USAGE;
            continue;
        }
        int f = form;
        size_t hl = strlen(CB_LISTFILE_HEADER);
        if (f == 0)
            f = (len >= hl && memcmp(data, CB_LISTFILE_HEADER, hl) == 0) ? 1 : 2;
        cb_decoded d;
        json_t *model_json = NULL;
        memset(&d, 0, sizeof(d));
        cb_calist_init(&d.dns);
        int ok = 1;
        if (f == 1) {
            cb_calist l;
            cb_calist_init(&l);
            if (cb_listfile_parse(files.items[i], (const char *)data, len, &l, err, sizeof(err)) != 0) {
                fprintf(stderr, "cabound decode: %s\n", err);
                rc = CB_EXIT_USAGE;
                ok = 0;
            } else {
                cb_buf b;
                cb_buf_init(&b);
                cb_encode_vector(&l, &b);
                cb_decode_vector(b.p, b.len, &d);
                cb_buf_free(&b);
                if (m) {
                    cb_model_result r = cb_model_apply(m, &l, cb_cr12_overhead());
                    if (json)
                        model_json = json_pack("{s:s,s:s,s:I,s:I,s:I}", "name", m->name, "verdict",
                                               cb_model_verdict_name(r.verdict), "kept_dns", (json_int_t)r.kept,
                                               "dns", (json_int_t)l.count, "list_bytes", (json_int_t)r.list_bytes);
                    else
                        printf("%s: model %s: %s, %zu of %zu DNs, %zu list bytes\n", files.items[i],
                               m->name, cb_model_verdict_name(r.verdict), r.kept, l.count, r.list_bytes);
                }
            }
            cb_calist_free(&l);
        } else if (f == 2) {
            cb_decode_vector(data, len, &d);
        } else if (f == 3) {
            if (len < 4 || cb_get_u16(data) != CB_EXT_CERTIFICATE_AUTHORITIES) {
                fprintf(stderr, "cabound decode: %s: not a certificate_authorities extension (type 47)\n", files.items[i]);
                rc = CB_EXIT_USAGE;
                ok = 0;
            } else {
                cb_decode_vector(data + 4, len - 4, &d);
            }
        } else {
            cb_cr_info info;
            if (len < 4 || data[0] != CB_HS_CERTIFICATE_REQUEST) {
                fprintf(stderr, "cabound decode: %s: not a CertificateRequest (type 13)\n", files.items[i]);
                rc = CB_EXIT_USAGE;
                ok = 0;
            } else {
                cb_parse_cr(data + 4, len - 4, f == 5, &info);
                if (!info.structure_ok || !info.has_list) {
                    const char *why = !info.structure_ok ? "CertificateRequest fields before the list are malformed"
                                                         : "no certificate_authorities extension";
                    if (json) {
                        json_t *o = json_input(files.items[i]);
                        json_object_set_new(o, "class", json_null());
                        json_object_set_new(o, "problem", json_string(why));
                        put_json(o);
                    } else {
                        printf("%s: %s\n", files.items[i], why);
                    }
                    ok = 0;
                } else {
                    d = info.list;
                    cb_calist_init(&info.list.dns);
                }
                cb_cr_info_free(&info);
            }
        }
        if (ok)
            print_decoded(files.items[i], &d, json, model_json);
        json_decref(model_json);
        cb_decoded_free(&d);
        free(data);
    }
    return rc;
}
