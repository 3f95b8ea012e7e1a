#define _GNU_SOURCE
#include "run_session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "fileio.h"
#include "jsonl.h"
#include "paths.h"
#include "repro.h"
#include "report.h"
#include "divergences.h"
#include "expect_files.h"
#include "names.h"
#include "numparse.h"
#include "update_expect.h"

static const char *const outcomes[] = {"pass", "finding", "regression", "xpass", "error", "unsupported", "missing", NULL};

void cb_run_opts_init(cb_run_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->out = "results";
    o->pcap = "findings";
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = n > 0 ? (size_t)n : 1;
}

int cb_run_opts_parse(cb_run_opts *o, int argc, char **argv)
{
    const cb_flag flags[] = {
        {"--out", CB_FLAG_STR, &o->out, "DIR", "results directory (default results/)"},
        {"--suites", CB_FLAG_STR, &o->suites_dir, "DIR", "suite directory (default: the source tree's suites/)"},
        {"--expect", CB_FLAG_STR, &o->expect_dir, "DIR", "expectation files (default SUITES/expect)"},
        {"--suite", CB_FLAG_LIST, &o->suites, "NAME", "run only these suites (repeatable, comma-separated)"},
        {"--stacks", CB_FLAG_LIST, &o->stacks, "ID", "run only these stacks (repeatable, comma-separated)"},
        {"--tls", CB_FLAG_STR, &o->tls, "1.2|1.3", "run only one TLS version"},
        {"--match", CB_FLAG_STR, &o->match, "GLOB", "run only case ids matching GLOB (fnmatch)"},
        {"--jobs", CB_FLAG_SIZE, &o->jobs, "N", "parallel workers (default: all cores)"},
        {"--shard", CB_FLAG_STR, &o->shard, "K/N", "run shard K of N (also TEST_SHARD_INDEX/TEST_TOTAL_SHARDS)"},
        {"--resume", CB_FLAG_BOOL, &o->resume, NULL, "continue an interrupted run in --out, skipping cases already recorded"},
        {"--update-expectations", CB_FLAG_BOOL, &o->update, NULL,
         "rewrite the expectations of the cases this run covered, keeping reasons and every other entry"},
        {"--allow-missing", CB_FLAG_BOOL, &o->allow_missing, NULL,
         "a case without an expectation (outcome missing) is counted but does not fail the run"},
        {"--pcap", CB_FLAG_STR, &o->pcap, "WHEN", "keep captures: never, findings (default) or always"},
        {"--list", CB_FLAG_BOOL, &o->list_only, NULL, "print the case ids and exit"},
        {"--no-reports", CB_FLAG_BOOL, &o->no_reports, NULL, "write results.jsonl only"},
        {"--no-boundaries", CB_FLAG_BOOL, &o->no_boundaries, NULL,
         "skip the boundary search (it runs when no --suite, --match or --shard narrows the run)"},
        {"--quiet", CB_FLAG_BOOL, &o->quiet, NULL, "no progress bar"},
        {"--help", CB_FLAG_BOOL, &o->help, NULL, "this help"},
        {NULL, 0, NULL, NULL, NULL},
    };
    if (cb_flags_parse("run", argc, argv, argc >= 2 && strcmp(argv[1], "run") == 0 ? 2 : 1, flags, NULL) != 0)
        return CB_EXIT_USAGE;
    if (o->help) {
        printf("usage: cabound run [--out DIR] [--suite NAME] [--stacks ID,...] [--jobs N] [--shard K/N] ...\n\n");
        cb_flags_help(flags);
        printf("\nRuns every suite over every installed stack in both TLS versions and writes\n"
               "DIR/results.jsonl (one line per case, appended as cases finish), junit.xml and\n"
               "report.html. Exit 0 when every observation met its expectation, 1 on a finding,\n"
               "regression, xpass, error or missing expectation (unless --allow-missing), 2 on a\n"
               "usage or input error (an unknown stack, suite or a --match that matches nothing).\n\n"
               "examples:\n  cabound run\n  cabound run --suite record-16k --stacks openssl,gnutls --out /tmp/r\n"
               "  cabound run --shard 1/4 --out shard1 && cabound merge shard*\n"
               "  cabound run --resume --out results\n");
        return CB_EXIT_OK;
    }
    if (o->jobs == 0 || o->jobs > 64) {
        fprintf(stderr, "cabound run: --jobs must be 1..64\n");
        return CB_EXIT_USAGE;
    }
    if (strcmp(o->pcap, "never") == 0)
        o->keep_captures = 0;
    else if (strcmp(o->pcap, "findings") == 0)
        o->keep_captures = 1;
    else if (strcmp(o->pcap, "always") == 0)
        o->keep_captures = 2;
    else {
        fprintf(stderr, "cabound run: --pcap: never, findings or always\n");
        return CB_EXIT_USAGE;
    }
    if (o->tls && strcmp(o->tls, "1.2") && strcmp(o->tls, "1.3")) {
        fprintf(stderr, "cabound run: --tls: 1.2 or 1.3\n");
        return CB_EXIT_USAGE;
    }
    return -1;
}

static int write_lines(const char *path, json_t *arr)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        char *s = json_dumps(o, JSON_COMPACT);
        fprintf(f, "%s\n", s);
        free(s);
    }
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

static int parse_shard(const char *s, size_t *k, size_t *n)
{
    char a_s[32];
    const char *slash = strchr(s, '/');
    uint64_t a, b;
    if (!slash || (size_t)(slash - s) >= sizeof(a_s))
        return -1;
    snprintf(a_s, sizeof(a_s), "%.*s", (int)(slash - s), s);
    if (cb_parse_u64(a_s, 1000000, &a) != 0 || cb_parse_u64(slash + 1, 1000000, &b) != 0 || b == 0 || a < 1 || a > b)
        return -1;
    *k = (size_t)a - 1;
    *n = (size_t)b;
    return 0;
}

static void remember(cb_run_env *env, size_t plan_index);

int cb_run_env_open(const cb_run_opts *o, cb_run_env *env)
{
    memset(env, 0, sizeof(*env));
    env->t0 = (double)time(NULL);
    snprintf(env->out_dir, sizeof(env->out_dir), "%s", o->out);
    if (cb_mkdirs(env->out_dir) != 0 || access(env->out_dir, W_OK) != 0) {
        fprintf(stderr, "cabound run: %s: cannot write there: %s\n", env->out_dir, strerror(errno ? errno : EACCES));
        return -1;
    }
    env->n_stacks = cb_stacks_discover(cb_shim_dir(), env->stacks, CB_MAX_STACKS);
    size_t installed = 0;
    for (size_t i = 0; i < env->n_stacks; i++) {
        if (env->stacks[i].installed)
            installed++;
        else
            fprintf(stderr, "cabound run: stack missing, not run: %s\n", env->stacks[i].why);
    }
    if (!installed) {
        fprintf(stderr, "cabound run: no stack is installed (no cabound-shim-* beside %s)\n", cb_shim_dir());
        return -1;
    }
    const char *sdir = o->suites_dir ? o->suites_dir : cb_default_suites_dir();
    snprintf(env->suites_dir, sizeof(env->suites_dir), "%s", sdir);
    char err[1024];
    if (cb_suites_load(sdir, &env->suites, &env->n_suites, err, sizeof(err)) != 0) {
        fprintf(stderr, "cabound run: %s\n", err);
        return -1;
    }
    if (env->n_suites == 0) {
        fprintf(stderr, "cabound run: %s: no *.suite file\n", sdir);
        return -1;
    }
    char edir[4200];
    snprintf(edir, sizeof(edir), "%s", o->expect_dir ? o->expect_dir : "");
    if (!o->expect_dir)
        snprintf(edir, sizeof(edir), "%s/expect", sdir);
    if (cb_expect_files_load(edir, env->stacks, env->n_stacks, &env->exp, err, sizeof(err)) != 0) {
        fprintf(stderr, "cabound run: %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < o->suites.count; i++) {
        int found = 0;
        for (size_t j = 0; j < env->n_suites; j++)
            found |= strcmp(env->suites[j].name, o->suites.items[i]) == 0;
        if (!found) {
            fprintf(stderr, "cabound run: --suite: no suite named \"%s\" in %s; the suites are:", o->suites.items[i], sdir);
            for (size_t j = 0; j < env->n_suites; j++)
                fprintf(stderr, "%s %s", j ? "," : "", env->suites[j].name);
            fprintf(stderr, "\n");
            return -1;
        }
    }
    if (cb_check_stacks("run", "--stacks", o->stacks.items, o->stacks.count, env->stacks, env->n_stacks) != 0)
        return -1;
    cb_plan_filter f = {o->stacks.items, o->stacks.count, o->suites.items, o->suites.count, o->tls, o->match};
    size_t k = 0, n = 1;
    const char *ti = getenv("TEST_SHARD_INDEX"), *tn = getenv("TEST_TOTAL_SHARDS");
    if (o->shard) {
        if (parse_shard(o->shard, &k, &n) != 0) {
            fprintf(stderr, "cabound run: --shard: expected K/N with 1 <= K <= N <= 1000000, got \"%s\"\n", o->shard);
            return -1;
        }
    } else if (ti || tn) {
        uint64_t a, b;
        if (!ti || !tn || cb_parse_u64(ti, 1000000, &a) != 0 || cb_parse_u64(tn, 1000000, &b) != 0 || b == 0 || a >= b) {
            fprintf(stderr, "cabound run: TEST_SHARD_INDEX=%s TEST_TOTAL_SHARDS=%s: expected both, decimal, 0 <= INDEX < TOTAL\n",
                    ti ? ti : "(unset)", tn ? tn : "(unset)");
            return -1;
        }
        k = (size_t)a;
        n = (size_t)b;
        const char *status = getenv("TEST_SHARD_STATUS_FILE");
        if (status) {
            FILE *sf = fopen(status, "w");
            if (sf)
                fclose(sf);
        }
    }
    cb_plan full = {0};
    for (size_t i = 0; i < env->n_suites; i++)
        if (cb_plan_add(&full, &env->suites[i], sdir, env->stacks, env->n_stacks, &f, err, sizeof(err)) != 0) {
            fprintf(stderr, "cabound run: %s\n", err);
            cb_plan_free(&full);
            return -1;
        }
    if (full.n == 0 && o->match) {
        fprintf(stderr, "cabound run: --match \"%s\" matches no case id (ids are SUITE/NAME/SERVER>CLIENT/TLS; "
                        "cabound run --list prints them)\n", o->match);
        cb_plan_free(&full);
        return -1;
    }
    for (size_t i = 0; i < full.n; i++)
        if (i % n == k) {
            if (env->plan.n == env->plan.cap) {
                env->plan.cap = env->plan.cap ? env->plan.cap * 2 : 256;
                env->plan.v = realloc(env->plan.v, env->plan.cap * sizeof(*env->plan.v));
            }
            env->plan.v[env->plan.n++] = full.v[i];
        }
    cb_plan_free(&full);
    env->done = calloc(env->plan.n + 1, 1);
    char path[4200];
    snprintf(path, sizeof(path), "%s/results.jsonl", env->out_dir);
    if (o->list_only)
        return 0;
    if (o->resume) {
        json_t *old = cb_jsonl_load(path);
        size_t i;
        json_t *l;
        size_t kept = 0;
        json_array_foreach(old, i, l)
        {
            const char *id = json_string_value(json_object_get(l, "case"));
            for (size_t j = 0; id && j < env->plan.n; j++) {
                char pid[512];
                cb_case_id(&env->plan.v[j].c, pid, sizeof(pid));
                if (!env->done[j] && strcmp(pid, id) == 0) {
                    env->done[j] = 1;
                    remember(env, j);
                    const char *oc = json_string_value(json_object_get(l, "outcome"));
                    for (int q = 0; oc && outcomes[q]; q++)
                        if (strcmp(outcomes[q], oc) == 0)
                            env->counts[q]++;
                    kept++;
                    break;
                }
            }
        }
        /* Only the lines this plan still has, and not one cut short by a kill. */
        json_t *keep = json_array();
        json_array_foreach(old, i, l)
        {
            const char *id = json_string_value(json_object_get(l, "case"));
            for (size_t j = 0; id && j < env->plan.n; j++) {
                char pid[512];
                cb_case_id(&env->plan.v[j].c, pid, sizeof(pid));
                if (strcmp(pid, id) == 0) {
                    json_array_append(keep, l);
                    break;
                }
            }
        }
        write_lines(path, keep);
        json_decref(keep);
        json_decref(old);
        if (!o->quiet)
            fprintf(stderr, "cabound run: resuming: %zu of %zu cases already recorded\n", kept, env->plan.n);
    }
    env->results = fopen(path, o->resume ? "a" : "w");
    if (!env->results) {
        fprintf(stderr, "cabound run: %s: %s\n", path, strerror(errno));
        return -1;
    }
    /* The stacks of this run, for the reports and for `cabound merge`. */
    snprintf(path, sizeof(path), "%s/stacks.jsonl", env->out_dir);
    FILE *sf = fopen(path, "w");
    for (size_t i = 0; sf && i < env->n_stacks; i++) {
        json_t *so = json_pack("{s:s,s:b}", "stack", env->stacks[i].id, "installed", env->stacks[i].installed);
        if (env->stacks[i].installed) {
            json_object_set_new(so, "version", json_string(env->stacks[i].version));
            json_object_set_new(so, "library", json_string(env->stacks[i].library));
        } else {
            json_object_set_new(so, "why", json_string(env->stacks[i].why));
        }
        char *s = json_dumps(so, JSON_COMPACT);
        fprintf(sf, "%s\n", s);
        free(s);
        json_decref(so);
    }
    if (sf)
        fclose(sf);
    return 0;
}

static void remember(cb_run_env *env, size_t plan_index)
{
    if (env->n_lines == env->cap_lines) {
        size_t ncap = env->cap_lines ? env->cap_lines * 2 : 1024;
        size_t *n = realloc(env->line_plan, ncap * sizeof(*n));
        if (!n)
            return;
        env->line_plan = n;
        env->cap_lines = ncap;
    }
    env->line_plan[env->n_lines++] = plan_index;
}

const char *cb_run_env_record(cb_run_env *env, json_t *line)
{
    json_t *pi = json_object_get(line, "plan_index");
    remember(env, json_is_integer(pi) ? (size_t)json_integer_value(pi) : (size_t)-1);
    json_object_del(line, "plan_index");
    if (cb_expect_files_apply(&env->exp, line))
        env->incomplete++;
    const char *oc = json_string_value(json_object_get(line, "outcome"));
    const char *ret = "error";
    for (int q = 0; oc && outcomes[q]; q++)
        if (strcmp(outcomes[q], oc) == 0) {
            env->counts[q]++;
            ret = outcomes[q];
        }
    char *s = json_dumps(line, JSON_COMPACT);
    long before = env->write_failed ? -1 : ftell(env->results);
    if (!env->write_failed && (!s || fprintf(env->results, "%s\n", s) < 0 || fflush(env->results) != 0)) {
        /* A full disk or a lost file system: nothing more can be kept, so
         * the run stops (cmd_run). The lines written stay whole: a line cut
         * by the full disk is taken back, for --resume. */
        env->write_failed = errno ? errno : EIO;
        if (before >= 0 && ftruncate(fileno(env->results), (off_t)before) != 0)
            fprintf(stderr, "cabound run: %s/results.jsonl ends with a partial line (%s)\n", env->out_dir, strerror(errno));
        fprintf(stderr, "cabound run: cannot write %s/results.jsonl: %s\n", env->out_dir, strerror(env->write_failed));
    } else if (!env->write_failed) {
        env->written++;
    }
    free(s);
    json_decref(line);
    return ret;
}

struct line_ref {
    size_t plan, offset, len;
};

static int by_plan(const void *a, const void *b)
{
    const struct line_ref *x = a, *y = b;
    return x->plan < y->plan ? -1 : x->plan > y->plan ? 1 : (x->offset > y->offset) - (x->offset < y->offset);
}

/* order_lines rewrites |path| with its lines in plan order. */
static void order_lines(cb_run_env *env, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    struct line_ref *refs = calloc(env->n_lines + 1, sizeof(*refs));
    size_t n = 0, off = 0, len = 0;
    int c;
    while (refs && (c = getc(f)) != EOF) {
        len++;
        if (c == '\n') {
            if (n < env->n_lines)
                refs[n] = (struct line_ref){env->line_plan[n], off, len};
            n++;
            off += len;
            len = 0;
        }
    }
    if (!refs || n != env->n_lines) {
        /* The file and the record disagree (written by someone else): keep it. */
        free(refs);
        fclose(f);
        return;
    }
    qsort(refs, n, sizeof(*refs), by_plan);
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *o = fopen(tmp, "w");
    char *buf = NULL;
    size_t cap = 0;
    int ok = o != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        if (refs[i].len > cap) {
            cap = refs[i].len;
            char *nb = realloc(buf, cap);
            if (!nb) {
                ok = 0;
                break;
            }
            buf = nb;
        }
        ok = fseek(f, (long)refs[i].offset, SEEK_SET) == 0 && fread(buf, 1, refs[i].len, f) == refs[i].len &&
             fwrite(buf, 1, refs[i].len, o) == refs[i].len;
    }
    free(buf);
    free(refs);
    fclose(f);
    if (o && fclose(o) == 0 && ok)
        rename(tmp, path);
    else
        unlink(tmp);
}

int cb_run_env_finish(cb_run_env *env, const cb_run_opts *o)
{
    char path[4200], err[1024];
    fclose(env->results);
    env->results = NULL;
    snprintf(path, sizeof(path), "%s/results.jsonl", env->out_dir);
    /* Plan order makes two runs with one seed comparable line by line. The
     * lines are moved, not parsed: a 10,000-case run stays small. */
    order_lines(env, path);
    cb_write_divergences(env->out_dir, path, o->quiet);
    /* The full matrix also bisects each stack's boundaries for the report. */
    if (!o->no_boundaries && !o->suites.count && !o->match && !o->shard && !o->list_only) {
        if (!o->quiet)
            fprintf(stderr, "cabound run: bisecting each stack's boundaries\n");
        cb_boundaries_run(env->out_dir, &o->stacks, o->tls, 0, 1);
    }
    if (!o->no_reports && cb_report_write_all(env->out_dir, err, sizeof(err)) != 0)
        fprintf(stderr, "cabound run: reports: %s\n", err);
    int color = isatty(1) && !getenv("NO_COLOR");
    cb_report_summary(path, stdout, color, err, sizeof(err));
    if (o->update) {
        /* The full plan, so a narrowed run rewrites only what it covered. */
        cb_plan universe = {0};
        int bad = 0;
        for (size_t i = 0; i < env->n_suites && !bad; i++)
            bad = cb_plan_add(&universe, &env->suites[i], env->suites_dir, env->stacks, env->n_stacks, NULL, err,
                              sizeof(err)) != 0;
        if (bad || cb_update_expectations(path, env->exp.dir, &env->exp, &universe, &env->unrecorded, err, sizeof(err)) != 0) {
            fprintf(stderr, "cabound run: --update-expectations: %s\n", err);
            cb_plan_free(&universe);
            return CB_EXIT_USAGE;
        }
        cb_plan_free(&universe);
        if (env->unrecorded)
            printf("%zu cases could not be recorded (errors keep their old expectation, or none)\n", env->unrecorded);
        printf("expectations rewritten in %s\n", env->exp.dir);
    }
    size_t failures = env->counts[1] + env->counts[2] + env->counts[3] + env->counts[4];
    if (env->incomplete)
        printf("expectations incomplete: %zu cases lack an expectation for one of their stacks (outcome \"missing\"; "
               "see \"expected\" in results.jsonl)%s\n",
               env->incomplete, o->allow_missing ? "; allowed by --allow-missing" : "");
    printf("%zu passed, %zu failed, %zu missing an expectation, %zu skipped\n", env->counts[0], failures, env->counts[6],
           env->counts[5]);
    if (o->update)
        /* What was recorded now meets its expectation; what could not be
         * recorded (an error) still fails. */
        return env->counts[4] || env->unrecorded ? CB_EXIT_FINDINGS : CB_EXIT_OK;
    return failures || (env->incomplete && !o->allow_missing) ? CB_EXIT_FINDINGS : CB_EXIT_OK;
}

void cb_run_env_close(cb_run_env *env)
{
    if (env->results)
        fclose(env->results);
    cb_stacks_free(env->stacks, env->n_stacks);
    cb_suites_free(env->suites, env->n_suites);
    cb_expectations_free(&env->exp);
    cb_plan_free(&env->plan);
    free(env->done);
    free(env->line_plan);
}

static json_t *base_line(const cb_case *c)
{
    char id[512], repro[4096], self[4200];
    cb_case_id(c, id, sizeof(id));
    cb_repro_self(cb_self_dir(), self, sizeof(self));
    if (cb_repro(c, self, repro, sizeof(repro)) != 0)
        repro[0] = 0;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:o,s:o,s:o,s:s}", "case", id, "suite", c->suite, "name",
                     c->name, "server", c->server, "client", c->client, "tls", c->tls13 ? "1.3" : "1.2",
                     "list_bytes", (json_int_t)c->list_bytes, "source", c->source, "select", c->select, "rules",
                     json_array(), "rules_checked", json_array(), "fault", json_null(), "repro", repro);
}

json_t *cb_error_line(const cb_case *c, const char *why)
{
    json_t *l = base_line(c);
    json_object_set_new(l, "server_verdict", json_string("error"));
    json_object_set_new(l, "client_verdict", json_string("error"));
    json_object_set_new(l, "fault", json_pack("{s:s,s:n}", "server", why, "client"));
    json_object_set_new(l, "error", json_string(why));
    return l;
}

json_t *cb_unsupported_line(const cb_case *c, const char *why)
{
    json_t *l = base_line(c);
    json_object_set_new(l, "server_verdict", json_string("unsupported"));
    json_object_set_new(l, "client_verdict", json_string("unsupported"));
    json_object_set_new(l, "unsupported", json_string(why));
    return l;
}
