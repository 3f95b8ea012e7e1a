/* report_svg.c — the inline SVG plots of report.html: per server stack the
 * list bytes on the wire against the configured list bytes, per client stack
 * the list bytes it accepted and rejected. Every plot of a page shares one
 * byte axis so that stacks compare at a glance. */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report_common.h"
#include "report_html.h"

#define SVG_NS "http://www.w3.org/2000/svg"
/* Case names in a point's tooltip. */
#define POINT_TITLE_NAMES 4

static const char *const palette[] = {"#1f6fb4", "#d95f02", "#7b3294", "#1b9e77", "#666666"};
#define PALETTE_N (sizeof(palette) / sizeof(palette[0]))

/* The shared byte axis: 0..max in ticks of |step| (16384 times a power of
 * two, at most 8 ticks); 65535 is always inside. */
typedef struct axis {
    double max;
    long long step;
} axis;

static long long strip_bytes(const cb_result *r);
static int strip_kind(const cb_result *r);

/* The axis covers what is plotted: a server point needs both list_bytes and
 * wire_list_bytes (a refused 300 KB list has no point), a client tick the
 * bytes that reached the client. */
static axis make_axis(const cb_results *rs)
{
    long long hi = 65535;
    for (size_t i = 0; i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        if (r->outcome == CB_OC_UNSUPPORTED)
            continue;
        if (r->wire_list_bytes >= 0 && r->list_bytes > hi)
            hi = r->list_bytes;
        if (r->wire_list_bytes > hi)
            hi = r->wire_list_bytes;
        if (strip_kind(r) >= 0 && !cb_res_str(r, "inject") && strip_bytes(r) > hi)
            hi = strip_bytes(r);
    }
    long long want = hi + hi / 25, step = 16384;
    while ((want + step - 1) / step > 8)
        step *= 2;
    axis a = {(double)(((want + step - 1) / step) * step), step};
    return a;
}

static void tick_label(long long v, char *out, size_t outlen)
{
    if (v == 0)
        snprintf(out, outlen, "0");
    else if (v % (1024 * 1024) == 0)
        snprintf(out, outlen, "%lldM", v / (1024 * 1024));
    else
        snprintf(out, outlen, "%lldK", v / 1024);
}

/* Draws a marker of series |s| at (x, y). */
static void marker(FILE *f, size_t s, double x, double y)
{
    const char *col = palette[s % PALETTE_N];
    switch (s % 3) {
    case 0:
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.6\" fill=\"%s\" fill-opacity=\"0.75\" stroke=\"%s\">", x, y, col, col);
        break;
    case 1:
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6.4\" height=\"6.4\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\">", x - 3.2,
                y - 3.2, col);
        break;
    default:
        fprintf(f, "<path d=\"M%.1f %.1fl4 4l-4 4l-4 -4z\" fill=\"%s\" fill-opacity=\"0.6\" stroke=\"%s\">", x, y - 4, col, col);
        break;
    }
}

static const char *const marker_end[] = {"</circle>", "</rect>", "</path>"};

typedef struct point {
    size_t series;
    long long x, y;
    const cb_result *r;
} point;

static int point_cmp(const void *a, const void *b)
{
    const point *p = a, *q = b;
    if (p->series != q->series)
        return p->series < q->series ? -1 : 1;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return p->r->line < q->r->line ? -1 : p->r->line > q->r->line;
}

/* Plot geometry. */
enum { SW = 540, SH = 340, ML = 64, MR = 22, MT = 30, MB = 46 };
#define PW ((double)(SW - ML - MR))
#define PH ((double)(SH - MT - MB))

static double px(const axis *a, double v) { return ML + v / a->max * PW; }
static double py(const axis *a, double v) { return MT + PH - v / a->max * PH; }

static void server_plot(FILE *f, const cb_results *rs, const char *stack, const cb_strset *tls, const axis *a)
{
    point *pts = malloc((rs->n ? rs->n : 1) * sizeof(*pts));
    size_t n = 0, no_list = 0, cases = 0;
    for (size_t i = 0; pts && i < rs->n; i++) {
        const cb_result *r = &rs->v[i];
        if (strcmp(r->server, stack) != 0 || r->outcome == CB_OC_UNSUPPORTED)
            continue;
        cases++;
        if (r->list_bytes < 0 || r->wire_list_bytes < 0) {
            no_list++;
            continue;
        }
        pts[n++] = (point){(size_t)cb_strset_find(tls, r->tls), r->list_bytes, r->wire_list_bytes, r};
    }
    if (n)
        qsort(pts, n, sizeof(*pts), point_cmp);

    fputs("<figure class=\"plot-box\"><figcaption><b>", f);
    cb_xml_put(f, stack, 200);
    fprintf(f, "</b> as server: %zu case%s plotted", n, n == 1 ? "" : "s");
    if (no_list)
        fprintf(f, ", %zu without a list measured on the wire (omitted, refused or unmeasured)", no_list);
    fprintf(f, " of %zu.</figcaption>\n", cases);
    fputs("<svg class=\"plot server-plot\" data-stack=\"", f);
    cb_xml_put(f, stack, 200);
    fprintf(f, "\" xmlns=\"" SVG_NS "\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">", SW, SH, SW, SH);
    fputs("<title>", f);
    cb_xml_put(f, stack, 200);
    fputs(" as server: list bytes on the wire against configured list bytes</title>\n", f);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\" stroke=\"#9aa4ae\"/>\n", ML, MT, PW, PH);
    /* Grid and tick labels. */
    for (long long v = 0; v <= (long long)a->max; v += a->step) {
        char lab[32];
        tick_label(v, lab, sizeof(lab));
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e7eb\"/>"
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e7eb\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">%s</text>"
                "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"#444\">%s</text>\n",
                px(a, (double)v), MT, px(a, (double)v), MT + PH, ML, py(a, (double)v), ML + PW, py(a, (double)v),
                px(a, (double)v), MT + PH + 15, lab, ML - 6, py(a, (double)v) + 4, lab);
    }
    /* The full list (y = x) and the two boundaries. */
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#9aa4ae\" stroke-dasharray=\"2 3\"/>"
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#6a737d\" text-anchor=\"end\">full list</text>\n",
            px(a, 0), py(a, 0), px(a, a->max), py(a, a->max), px(a, a->max) - 4, py(a, a->max) + 28);
    static const long long marks[] = {16384, 65535};
    for (size_t m = 0; m < 2; m++) {
        double x = px(a, (double)marks[m]), y = py(a, (double)marks[m]);
        fprintf(f,
                "<line class=\"mark\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-dasharray=\"5 3\"/>"
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-opacity=\"0.45\" stroke-dasharray=\"5 3\"/>"
                "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#c0392b\" text-anchor=\"middle\">%lld</text>\n",
                x, MT, x, MT + PH, ML, y, ML + PW, y, x, MT - 4, marks[m]);
    }
    /* Points: one marker per distinct (TLS, x, y). */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && pts[j].series == pts[i].series && pts[j].x == pts[i].x && pts[j].y == pts[i].y)
            j++;
        marker(f, pts[i].series, px(a, (double)pts[i].x), py(a, (double)pts[i].y));
        fputs("<title>TLS ", f);
        cb_xml_put(f, pts[i].r->tls, 40);
        fprintf(f, ": %lld configured, %lld on the wire (%zu case%s)", pts[i].x, pts[i].y, j - i, j - i == 1 ? "" : "s");
        for (size_t k = i; k < j && k < i + POINT_TITLE_NAMES; k++) {
            fputs("&#10;", f);
            cb_xml_put(f, pts[k].r->case_id, 200);
        }
        if (j - i > POINT_TITLE_NAMES)
            fprintf(f, "&#10;and %zu more", j - i - POINT_TITLE_NAMES);
        fprintf(f, "</title>%s\n", marker_end[pts[i].series % 3]);
        i = j;
    }
    /* Legend. */
    for (size_t s = 0; s < tls->n; s++) {
        double lx = ML + 10, ly = MT + 14 + 16.0 * (double)s;
        marker(f, s, lx, ly);
        fprintf(f, "%s<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#24292f\">TLS ", marker_end[s % 3], lx + 9, ly + 4);
        cb_xml_put(f, tls->v[s], 40);
        fputs("</text>\n", f);
    }
    fprintf(f,
            "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" fill=\"#24292f\">configured list bytes (list_bytes)</text>"
            "<text transform=\"translate(14 %.1f) rotate(-90)\" font-size=\"11\" text-anchor=\"middle\" fill=\"#24292f\">list bytes on the wire</text>\n",
            ML + PW / 2, SH - 6, MT + PH / 2);
    fputs("</svg></figure>\n", f);
    free(pts);
}

/* What a client did, for the strip: 0 accepted, 1 rejected, 2 aborted, -1
 * none of these. */
static int strip_kind(const cb_result *r)
{
    const char *cv = r->client_verdict ? r->client_verdict : "";
    if (strcmp(cv, "selected") == 0 || strcmp(cv, "sent-empty") == 0)
        return 0;
    if (strcmp(cv, "rejected") == 0)
        return 1;
    if (strcmp(cv, "aborted") == 0)
        return 2;
    return -1;
}

static const char *const kind_name[] = {"accepted", "rejected", "aborted"};
static const char *const kind_color[] = {"#2a9d3a", "#d62728", "#e08e0b"};

/* The list bytes that reached the client: the wire's when measured, else
 * the configured list's. */
static long long strip_bytes(const cb_result *r) { return r->wire_list_bytes >= 0 ? r->wire_list_bytes : r->list_bytes; }

enum { CW = 540, CML = 64, CMR = 22, CMT = 22, CROW = 30, CMB = 40 };

static double cx(const axis *a, double v) { return CML + v / a->max * (double)(CW - CML - CMR); }

static void client_strip(FILE *out, const cb_results *rs, const char *stack, const cb_strset *tls, const axis *a)
{
    int h = CMT + CROW * (int)tls->n + CMB;
    double pw = (double)(CW - CML - CMR);
    /* The caption, which sums up the ticks, comes first: draw into memory. */
    char *svg = NULL;
    size_t svglen = 0;
    FILE *f = open_memstream(&svg, &svglen);
    if (!f) {
        fputs("<p class=\"note\">(out of memory drawing a client strip)</p>\n", out);
        return;
    }
    fputs("<svg class=\"plot client-strip\" data-stack=\"", f);
    cb_xml_put(f, stack, 200);
    fprintf(f, "\" xmlns=\"" SVG_NS "\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">", CW, h, CW, h);
    fputs("<title>", f);
    cb_xml_put(f, stack, 200);
    fputs(" as client: list bytes accepted and rejected</title>\n", f);
    double bottom = CMT + CROW * (double)tls->n;
    for (long long v = 0; v <= (long long)a->max; v += a->step) {
        char lab[32];
        tick_label(v, lab, sizeof(lab));
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e7eb\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" fill=\"#444\">%s</text>\n",
                cx(a, (double)v), CMT, cx(a, (double)v), bottom, cx(a, (double)v), bottom + 14, lab);
    }
    static const long long marks[] = {16384, 65535};
    for (size_t m = 0; m < 2; m++)
        fprintf(f,
                "<line class=\"mark\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c0392b\" stroke-dasharray=\"5 3\"/>"
                "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#c0392b\" text-anchor=\"middle\">%lld</text>\n",
                cx(a, (double)marks[m]), CMT, cx(a, (double)marks[m]), bottom, cx(a, (double)marks[m]), CMT - 5, marks[m]);
    /* Per TLS version a row; the caption says each range in words. */
    char *caption = NULL;
    size_t caplen = 0;
    FILE *cap = open_memstream(&caption, &caplen);
    point *ticks = malloc((rs->n ? rs->n : 1) * sizeof(*ticks));
    for (size_t t = 0; t < tls->n; t++) {
        double y0 = CMT + CROW * (double)t;
        fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\" stroke=\"#d0d7de\"/>", CML, y0 + 4, pw,
                CROW - 8, t % 2 ? "#f6f8fa" : "#fff");
        fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"#24292f\">TLS ", CML - 6, y0 + CROW / 2.0 + 4);
        cb_xml_put(f, tls->v[t], 40);
        fputs("</text>\n", f);
        long long lo[3] = {-1, -1, -1}, hi[3] = {-1, -1, -1};
        size_t cnt[3] = {0, 0, 0}, n = 0;
        for (size_t i = 0; ticks && i < rs->n; i++) {
            const cb_result *r = &rs->v[i];
            int k = strip_kind(r);
            long long v = strip_bytes(r);
            if (k < 0 || v < 0 || strcmp(r->client, stack) != 0 || strcmp(r->tls, tls->v[t]) != 0 || cb_res_str(r, "inject"))
                continue;
            cnt[k]++;
            if (lo[k] < 0 || v < lo[k])
                lo[k] = v;
            if (v > hi[k])
                hi[k] = v;
            ticks[n++] = (point){(size_t)k, v, 0, r};
        }
        /* One tick per distinct (kind, bytes). */
        if (n)
            qsort(ticks, n, sizeof(*ticks), point_cmp);
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && ticks[j].series == ticks[i].series && ticks[j].x == ticks[i].x)
                j++;
            size_t k = ticks[i].series;
            double x = cx(a, (double)ticks[i].x), top = y0 + 6 + (k ? CROW / 2.0 - 6 : 0);
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"><title>%s at %lld list bytes (%zu case%s)",
                    x, top, x, top + CROW / 2.0 - 6, kind_color[k], kind_name[k], ticks[i].x, j - i, j - i == 1 ? "" : "s");
            for (size_t q = i; q < j && q < i + POINT_TITLE_NAMES; q++) {
                fputs("&#10;", f);
                cb_xml_put(f, ticks[q].r->case_id, 200);
            }
            if (j - i > POINT_TITLE_NAMES)
                fprintf(f, "&#10;and %zu more", j - i - POINT_TITLE_NAMES);
            fputs("</title></line>\n", f);
            i = j;
        }
        if (cap) {
            fprintf(cap, "%sTLS ", t ? "; " : "");
            cb_xml_put(cap, tls->v[t], 40);
            fputc(':', cap);
            int any = 0;
            for (int k = 0; k < 3; k++) {
                if (!cnt[k])
                    continue;
                fprintf(cap, "%s <span class=\"k%d\">%s</span> ", any ? "," : "", k, kind_name[k]);
                if (lo[k] == hi[k])
                    fprintf(cap, "%lld B (%zu)", lo[k], cnt[k]);
                else
                    fprintf(cap, "%lld\xe2\x80\x93%lld B (%zu)", lo[k], hi[k], cnt[k]);
                any = 1;
            }
            if (!any)
                fputs(" nothing measured", cap);
        }
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" fill=\"#24292f\">list bytes that reached the client</text>\n",
            CML + pw / 2, h - 6);
    free(ticks);
    fputs("</svg>", f);
    int ok = fclose(f) == 0 && svg;
    fputs("<figure class=\"plot-box\"><figcaption><b>", out);
    cb_xml_put(out, stack, 200);
    fputs("</b> as client: ", out);
    if (cap && fclose(cap) == 0 && caption)
        fputs(caption, out);
    fputs(".</figcaption>\n", out);
    if (ok)
        fputs(svg, out);
    fputs("</figure>\n", out);
    free(svg);
    free(caption);
}

/* The TLS versions of the whole run, sorted, so a version keeps its color. */
static void run_tls(const cb_results *rs, cb_strset *tls)
{
    for (size_t i = 0; i < rs->n; i++)
        cb_strset_add(tls, rs->v[i].tls);
    cb_strset_sort(tls);
}

void cb_svg_server_plots(FILE *f, const cb_results *rs)
{
    cb_strset servers = {0}, tls = {0};
    for (size_t i = 0; i < rs->n; i++)
        cb_strset_add(&servers, rs->v[i].server);
    cb_strset_sort_stacks(&servers);
    run_tls(rs, &tls);
    axis a = make_axis(rs);
    fputs("<div class=\"plots\">\n", f);
    for (size_t s = 0; s < servers.n; s++)
        server_plot(f, rs, servers.v[s], &tls, &a);
    fputs("</div>\n", f);
    cb_strset_free(&servers);
    cb_strset_free(&tls);
}

void cb_svg_client_strips(FILE *f, const cb_results *rs)
{
    cb_strset clients = {0}, tls = {0};
    for (size_t i = 0; i < rs->n; i++)
        cb_strset_add(&clients, rs->v[i].client);
    cb_strset_sort_stacks(&clients);
    run_tls(rs, &tls);
    axis a = make_axis(rs);
    fputs("<div class=\"plots\">\n", f);
    for (size_t c = 0; c < clients.n; c++)
        client_strip(f, rs, clients.v[c], &tls, &a);
    fputs("</div>\n", f);
    cb_strset_free(&clients);
    cb_strset_free(&tls);
}
