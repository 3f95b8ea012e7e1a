#define _GNU_SOURCE
#include "server_configs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"

/* Where each TLS library lives on disk (the name /proc/PID/maps shows). */
static const char *const lib_openssl[] = {"libssl.so", NULL};
static const char *const lib_gnutls[] = {"libgnutls.so", NULL};
static const char *const lib_mbedtls[] = {"libmbedtls.so", NULL};
static const char *const lib_wolfssl[] = {"libwolfssl.so", NULL};
static const char *const lib_nss[] = {"libssl3.so", NULL};

/* explicit: the list from calist_pem in the directive that sends it, the
 * client CAs (trust) in the one that only verifies; trust-store: calist_pem
 * alone in the directive that both sends and verifies. */
static const char *const both_sources[] = {"explicit", "trust-store", NULL};

static const char *const tls_both[] = {"1.2", "1.3", NULL};
/* Debian 12's Mbed TLS 2.28 has no TLS 1.3 (lighttpd logs "Handshake
 * protocol not within min/max boundaries" when asked for it). */
static const char *const tls_12[] = {"1.2", NULL};

#define LIGHTTPD(mod, lib, pkg, tls)                                                                                 \
    {"lighttpd-" #mod, FAM_LIGHTTPD, "mod_" #mod, "/usr/sbin/lighttpd", "-v", "lighttpd, " pkg,                      \
     "/usr/lib/lighttpd/mod_" #mod ".so", lib, both_sources, tls}

static const struct server_app apps[] = {
    LIGHTTPD(openssl, lib_openssl, "lighttpd-mod-openssl", tls_both),
    LIGHTTPD(gnutls, lib_gnutls, "lighttpd-mod-gnutls", tls_both),
    LIGHTTPD(mbedtls, lib_mbedtls, "lighttpd-mod-mbedtls", tls_12),
    LIGHTTPD(wolfssl, lib_wolfssl, "lighttpd-mod-wolfssl", tls_both),
    LIGHTTPD(nss, lib_nss, "lighttpd-mod-nss", tls_both),
    {"nginx", FAM_NGINX, NULL, "/usr/sbin/nginx", "-v", "nginx", "/usr/sbin/nginx", lib_openssl, both_sources, tls_both},
    {"apache2", FAM_APACHE, NULL, "/usr/sbin/apache2", "-v", "apache2", "/usr/lib/apache2/modules/mod_ssl.so",
     lib_openssl, both_sources, tls_both},
    {"haproxy", FAM_HAPROXY, NULL, "/usr/sbin/haproxy", "-v", "haproxy", "/usr/sbin/haproxy", lib_openssl,
     both_sources, tls_both},
};

const struct server_app *server_app_find(const char *name)
{
    for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
        if (strcmp(apps[i].name, name) == 0)
            return &apps[i];
    return NULL;
}

int server_app_version(const struct server_app *a, const char *out, char *ver, size_t verlen)
{
    /* lighttpd: "lighttpd/1.4.69 (ssl) - ..."; nginx: "nginx version:
     * nginx/1.22.1"; apache2: "Server version: Apache/2.4.71 (Debian)";
     * haproxy: "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - ...". */
    const char *key = a->family == FAM_LIGHTTPD ? "lighttpd/"
                      : a->family == FAM_NGINX  ? "nginx/"
                      : a->family == FAM_APACHE ? "Apache/"
                                                : "HAProxy version ";
    const char *p = strstr(out, key);
    if (!p)
        return -1;
    if (a->family == FAM_HAPROXY) {
        p += strlen(key);
        snprintf(ver, verlen, "haproxy/%.*s", (int)strcspn(p, " \n"), p);
    } else {
        snprintf(ver, verlen, "%.*s", (int)strcspn(p, " \n"), p);
    }
    if (a->module)
        snprintf(ver + strlen(ver), verlen - strlen(ver), " %s", a->module);
    return 0;
}

/* safe_path: a path this configuration can quote. The harness's paths never
 * hold these characters; refusing them keeps a hostile one out of the
 * program's configuration language. */
static int safe_path(const char *p)
{
    return p && !strpbrk(p, "\"'\n\r\\ ;{}#$");
}

static int fail(struct server_conf *sc, char *why, size_t whylen, int unsupported, const char *msg)
{
    sc->unsupported = unsupported;
    snprintf(why, whylen, "%s", msg);
    return -1;
}

static const char *proto(int tls, enum server_family f)
{
    if (f == FAM_APACHE)
        return tls == 12 ? "-all +TLSv1.2" : "-all +TLSv1.3";
    return tls == 12 ? "TLSv1.2" : "TLSv1.3";
}

/* concat writes the files |a| and |b| (b may be NULL or absent) into |out|. */
static int concat(const char *out, const char *a, const char *b)
{
    size_t al = 0, bl = 0;
    char *x = (char *)shim_read_file(a, &al), *y = b ? (char *)shim_read_file(b, &bl) : NULL;
    FILE *f = x ? fopen(out, "we") : NULL;
    int ok = f && fwrite(x, 1, al, f) == al && (!y || fwrite(y, 1, bl, f) == bl);
    if (f && fclose(f) != 0)
        ok = 0;
    free(x);
    free(y);
    return ok ? 0 : -1;
}

/* server_ca_beside: the harness's PKI keeps the server's CA beside its
 * certificate (harness/pki: server-v1/server-ca.pem). */
static void server_ca_beside(const char *cert, char *out, size_t outlen)
{
    const char *slash = strrchr(cert, '/');
    snprintf(out, outlen, "%.*sserver-ca.pem", slash ? (int)(slash - cert + 1) : 0, cert);
}

static void lighttpd_conf(const struct server_app *a, struct server_conf *sc, FILE *f, const char *list,
                          const char *verify, const char *chain)
{
    const struct shim_case *c = sc->c;
    fprintf(f,
            "server.document-root = \"%s\"\n"
            "server.bind = \"127.0.0.1\"\n"
            "server.port = %d\n"
            "server.errorlog = \"%s\"\n"
            "server.modules += (\"%s\", \"mod_accesslog\")\n"
            "accesslog.filename = \"%s\"\n"
            "accesslog.format = \"cabound-status %%>s\"\n"
            "index-file.names = (\"index.html\")\n"
            /* The request line goes to the error log as it arrives (that log
             * is written at once; the access log is buffered until lighttpd
             * stops, and a request whose client closed early may miss it). */
            "debug.log-request-header = \"enable\"\n"
            "ssl.engine = \"enable\"\n"
            "ssl.pemfile = \"%s\"\n"
            "ssl.privkey = \"%s\"\n"
            "ssl.ca-file = \"%s\"\n",
            sc->dir, sc->port, sc->error_log, a->module, sc->access_log, chain, c->key, verify);
    if (list) /* ssl.ca-dn-file: the names sent; ssl.ca-file only verifies then */
        fprintf(f, "ssl.ca-dn-file = \"%s\"\n", list);
    fprintf(f,
            "ssl.verifyclient.activate = \"enable\"\n"
            "ssl.verifyclient.enforce = \"%s\"\n"
            "ssl.verifyclient.depth = 9\n"
            /* MinProtocol/MaxProtocol: lighttpd maps them for every TLS module
             * (mod_gnutls, mod_mbedtls, mod_nss, mod_wolfssl parse this
             * directive's subset too). */
            "ssl.openssl.ssl-conf-cmd = (\"MinProtocol\" => \"%s\", \"MaxProtocol\" => \"%s\")\n",
            c->require_cert ? "enable" : "disable", proto(c->tls, a->family), proto(c->tls, a->family));
}

static void nginx_conf(struct server_conf *sc, FILE *f, const char *list, const char *verify)
{
    const struct shim_case *c = sc->c;
    const char *d = sc->dir;
    fprintf(f,
            "daemon off;\nmaster_process off;\nworker_processes 1;\n"
            "pid %s/nginx.pid;\nerror_log %s info;\n"
            "events { worker_connections 16; }\n"
            "http {\n"
            "  log_format cabound 'cabound-status $status $ssl_client_verify';\n"
            "  access_log %s cabound;\n"
            "  client_body_temp_path %s;\n  proxy_temp_path %s;\n  fastcgi_temp_path %s;\n"
            "  uwsgi_temp_path %s;\n  scgi_temp_path %s;\n"
            "  server {\n"
            "    listen 127.0.0.1:%d ssl;\n"
            "    root %s;\n"
            "    ssl_certificate %s;\n    ssl_certificate_key %s;\n"
            "    ssl_protocols %s;\n"
            "    ssl_verify_client %s;\n    ssl_verify_depth 9;\n"
            /* ssl_client_certificate is sent (SSL_CTX_set_client_CA_list in
             * ngx_ssl_client_certificate); ssl_trusted_certificate only
             * verifies (ngx_ssl_trusted_certificate). */
            "    ssl_client_certificate %s;\n",
            d, sc->error_log, sc->access_log, d, d, d, d, d, sc->port, d, c->cert, c->key, proto(c->tls, FAM_NGINX),
            c->require_cert ? "on" : "optional", list ? list : verify);
    if (list)
        fprintf(f, "    ssl_trusted_certificate %s;\n", verify);
    fprintf(f, "  }\n}\n");
}

static void apache_conf(struct server_conf *sc, FILE *f, const char *list, const char *verify)
{
    const struct shim_case *c = sc->c;
    const char *d = sc->dir;
    fprintf(f,
            "ServerRoot %s\nServerName localhost\nDefaultRuntimeDir %s\nPidFile %s/apache2.pid\n"
            "LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so\n"
            "LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so\n"
            "LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so\n"
            "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n"
            "Listen 127.0.0.1:%d\n"
            "ErrorLog %s\nLogLevel info ssl:info\n"
            "LogFormat \"cabound-status %%>s %%{SSL_CLIENT_VERIFY}x\" cabound\nCustomLog %s cabound\n"
            "DocumentRoot %s\n<Directory %s>\n  Require all granted\n</Directory>\n"
            "SSLEngine on\nSSLCertificateFile %s\nSSLCertificateKeyFile %s\n"
            "SSLProtocol %s\nSSLVerifyClient %s\nSSLVerifyDepth 9\n"
            "SSLCACertificateFile %s\n",
            d, d, d, sc->port, sc->error_log, sc->access_log, d, d, c->cert, c->key, proto(c->tls, FAM_APACHE),
            c->require_cert ? "require" : "optional", verify);
    /* SSLCADNRequestFile is sent instead of SSLCACertificateFile's names
     * (ssl_engine_init.c, ssl_init_ctx_verify: SSL_CTX_set_client_CA_list). */
    if (list)
        fprintf(f, "SSLCADNRequestFile %s\n", list);
}

static void haproxy_conf(struct server_conf *sc, FILE *f, const char *crt, const char *list, const char *verify)
{
    const struct shim_case *c = sc->c;
    fprintf(f,
            "global\n  log stderr format raw local0 info\n"
            "defaults\n  mode http\n  log global\n"
            "  log-format \"cabound-status %%ST %%[ssl_c_verify]\"\n"
            "  timeout connect 5s\n  timeout client 10s\n  timeout server 5s\n"
            "frontend fe\n"
            /* ca-file is sent and verifies; ca-verify-file only verifies
             * (haproxy's configuration.txt, "ca-verify-file"). */
            "  bind 127.0.0.1:%d ssl crt %s ca-file %s%s%s verify %s ssl-min-ver %s ssl-max-ver %s\n"
            "  http-request return status 200 content-type text/plain string ok\n",
            sc->port, crt, list ? list : verify, list ? " ca-verify-file " : "", list ? verify : "",
            c->require_cert ? "required" : "optional", proto(c->tls, FAM_HAPROXY), proto(c->tls, FAM_HAPROXY));
}

int server_app_configure(const struct server_app *a, struct server_conf *sc, char **argv, char *why,
                         size_t whylen)
{
    const struct shim_case *c = sc->c;
    const char *list = NULL, *verify = NULL;
    if (c->source == SHIM_SRC_EXPLICIT) {
        if (!c->calist_pem)
            return fail(sc, why, whylen, 1,
                        "the application's list directive takes certificates: no calist_pem (a DN that is not a Name)");
        list = c->calist_pem;
        verify = c->trust;
    } else if (c->source == SHIM_SRC_TRUST_STORE) {
        verify = c->calist_pem;
    } else {
        return fail(sc, why, whylen, 1, "calist_source must be explicit or trust-store");
    }
    if (!safe_path(c->cert) || !safe_path(c->key) || !safe_path(verify) || (list && !safe_path(list)) ||
        !safe_path(sc->dir))
        return fail(sc, why, whylen, 0, "a path holds a character the configuration cannot carry");
    snprintf(sc->error_log, sizeof(sc->error_log), "%s/error.log", sc->dir);
    snprintf(sc->access_log, sizeof(sc->access_log), "%s/access.log", sc->dir);
    char index[4200];
    snprintf(index, sizeof(index), "%s/index.html", sc->dir);
    if (app_write_file(index, "ok\n") != 0)
        return fail(sc, why, whylen, 0, "cannot write index.html");
    /* Apache serves from a child user: the page and the directory must be
     * readable by it (the scratch directory is 0700 otherwise). */
    chmod(sc->dir, 0711);
    chmod(index, 0644);
    const char *conf_name = a->family == FAM_LIGHTTPD ? "lighttpd.conf"
                            : a->family == FAM_NGINX  ? "nginx.conf"
                            : a->family == FAM_APACHE ? "apache2.conf"
                                                      : "haproxy.cfg";
    snprintf(sc->conf, sizeof(sc->conf), "%s/%s", sc->dir, conf_name);
    char crt[4200] = "";
    if (a->family == FAM_LIGHTTPD) {
        /* lighttpd's mod_openssl builds the chain of a pemfile that holds a
         * lone certificate from ssl.ca-file's store and fails the handshake
         * when it cannot ("SSL: building cert chain for TLS server name"):
         * deployed servers give the chain in the pemfile, so does this. */
        char ca[4200];
        server_ca_beside(c->cert, ca, sizeof(ca));
        snprintf(crt, sizeof(crt), "%s/server-chain.pem", sc->dir);
        if (concat(crt, c->cert, access(ca, R_OK) == 0 ? ca : NULL) != 0)
            return fail(sc, why, whylen, 0, "cannot write lighttpd's pemfile");
    }
    if (a->family == FAM_HAPROXY) {
        /* haproxy's crt: certificate chain and key in one PEM file. */
        snprintf(crt, sizeof(crt), "%s/server.pem", sc->dir);
        size_t cl, kl;
        char *cert = (char *)shim_read_file(c->cert, &cl), *key = (char *)shim_read_file(c->key, &kl);
        FILE *f = cert && key ? fopen(crt, "we") : NULL;
        int ok = f && fwrite(cert, 1, cl, f) == cl && fwrite(key, 1, kl, f) == kl;
        if (f && fclose(f) != 0)
            ok = 0;
        free(cert);
        free(key);
        if (!ok)
            return fail(sc, why, whylen, 0, "cannot write haproxy's crt file");
    }
    FILE *f = fopen(sc->conf, "we");
    if (!f)
        return fail(sc, why, whylen, 0, "cannot write the configuration file");
    switch (a->family) {
    case FAM_LIGHTTPD:
        lighttpd_conf(a, sc, f, list, verify, crt);
        break;
    case FAM_NGINX:
        nginx_conf(sc, f, list, verify);
        break;
    case FAM_APACHE:
        apache_conf(sc, f, list, verify);
        break;
    case FAM_HAPROXY:
        haproxy_conf(sc, f, crt, list, verify);
        break;
    }
    if (fclose(f) != 0)
        return fail(sc, why, whylen, 0, "cannot write the configuration file");
    /* The command line: the program in the foreground, one process where
     * it allows it, nothing read from /etc. */
    int n = 0;
    argv[n++] = (char *)a->program;
    switch (a->family) {
    case FAM_LIGHTTPD:
        argv[n++] = (char *)"-D";
        argv[n++] = (char *)"-f";
        argv[n++] = sc->conf;
        break;
    case FAM_NGINX:
        argv[n++] = (char *)"-p";
        argv[n++] = (char *)sc->dir;
        argv[n++] = (char *)"-e";
        argv[n++] = sc->error_log;
        argv[n++] = (char *)"-c";
        argv[n++] = sc->conf;
        break;
    case FAM_APACHE:
        argv[n++] = (char *)"-X";
        argv[n++] = (char *)"-d";
        argv[n++] = (char *)sc->dir;
        argv[n++] = (char *)"-f";
        argv[n++] = sc->conf;
        break;
    case FAM_HAPROXY:
        argv[n++] = (char *)"-db";
        argv[n++] = (char *)"-f";
        argv[n++] = sc->conf;
        break;
    }
    argv[n] = NULL;
    return 0;
}

static const char *const tls_words[] = {"SSL", "TLS", "ssl", "tls", "certificate", "handshake", "GnuTLS",
                                        "MTLS", "NSS", "wolfSSL", "verify", NULL};

static void stable_text(char *s);

/* error_line: the last line of the program's logs about TLS, without its
 * time stamp prefix where one is recognisable. */
static int error_line(const char *elog, const char *plog, char *out, size_t outlen)
{
    /* A line with OpenSSL's packed error ("error:0A0000C7:...") says the
     * most (Apache logs it after its own "AH02008"-style lines). */
    static const char *const packed[] = {"error:", NULL};
    if (app_last_line_with(elog, packed, out, outlen) != 0 && app_last_line_with(elog, tls_words, out, outlen) != 0 &&
        app_last_line_with(plog, tls_words, out, outlen) != 0)
        return -1;
    /* lighttpd "2026-12-04 17:33:15: (mod_openssl.c.3275) ...", nginx
     * "2026/12/04 17:33:15 [info] 123#123: *1 ...", apache "[Fri Dec ...]". */
    const char *p = strstr(out, ": (");
    if (!p)
        p = strstr(out, "] ");
    if (p && p - out < 64) {
        p += 2;
        memmove(out, p, strlen(p) + 1);
    }
    stable_text(out);
    return 0;
}

void server_app_start_error(const char *log, char *out, size_t outlen)
{
    const char *lines[3] = {NULL, NULL, NULL};
    size_t lens[3] = {0, 0, 0};
    for (const char *l = log; *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        if (len) {
            memmove(lines, lines + 1, 2 * sizeof(lines[0]));
            memmove(lens, lens + 1, 2 * sizeof(lens[0]));
            lines[2] = l;
            lens[2] = len;
        }
        l += len + (nl ? 1 : 0);
    }
    out[0] = 0;
    for (int i = 0; i < 3; i++) {
        if (!lines[i])
            continue;
        const char *s = lines[i];
        size_t len = lens[i];
        const char *cut = memmem(s, len < 64 ? len : 64, ": (", 3);
        if (cut) {
            len -= (size_t)(cut + 2 - s);
            s = cut + 2;
        }
        size_t o = strlen(out);
        snprintf(out + o, outlen - o, "%s%.*s", o ? " | " : "", (int)len, s);
    }
    if (!out[0])
        snprintf(out, outlen, "(nothing logged)");
}

/* cut_span removes from |s| every span that starts with |open| and ends
 * with |close| (inclusive). */
static void cut_span(char *s, const char *open, const char *close)
{
    char *p;
    while ((p = strstr(s, open)) != NULL) {
        char *e = strstr(p + strlen(open), close);
        if (!e)
            return;
        e += strlen(close);
        memmove(p, e, strlen(e) + 1);
    }
}

/* stable_text drops what differs from one run to the next (process ids,
 * connection numbers, ports) so that a recorded reason stays true. */
static void stable_text(char *s)
{
    /* nginx: "12345#12345: *2 SSL_do_handshake() failed ..., client: ..." */
    char *p = s;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p > s && *p == '#') {
        char *star = strstr(p, ": *");
        char *sp = star ? strchr(star + 3, ' ') : NULL;
        if (sp)
            memmove(s, sp + 1, strlen(sp + 1) + 1);
    }
    char *cl = strstr(s, ", client: ");
    if (cl)
        *cl = 0;
    /* Apache: "[ssl:info] [pid 1:tid 1] [client 127.0.0.1:5] AH...". */
    cut_span(s, "[pid ", "] ");
    cut_span(s, "[client ", "] ");
}

/* lib_code takes the TLS library's own error code from a log line:
 * OpenSSL's packed "error:0A0000C7:", wolfSSL's "SSL: -329 ", Mbed TLS's
 * "(-0x7480)"; 0 when the line carries none (GnuTLS logs names). */
static long lib_code(const char *line)
{
    const char *p = strstr(line, "error:");
    char *end;
    if (p) {
        long v = strtol(p + 6, &end, 16);
        if (end > p + 6 && *end == ':')
            return v;
    }
    if ((p = strstr(line, "SSL: -")) != NULL) {
        long v = strtol(p + 5, &end, 10);
        if (end > p + 6 && *end == ' ')
            return v;
    }
    if ((p = strstr(line, "(-0x")) != NULL) {
        long v = strtol(p + 4, &end, 16);
        if (end > p + 4 && *end == ')')
            return -v;
    }
    return 0;
}

void server_app_judge(const struct server_app *a, const struct server_conf *sc, const char *elog, const char *plog,
                      const char *alog, struct shim_obs *obs)
{
    (void)sc;
    /* The access log line ("cabound-status NNN ...") says a request got
     * through the handshake and was answered; haproxy's goes to stderr. */
    const char *logs = a->family == FAM_HAPROXY ? plog : alog;
    const char *st = strstr(logs, "cabound-status ");
    int status = st ? atoi(st + 15) : 0;
    char line[512];
    int have_line = error_line(elog, plog, line, sizeof(line)) == 0;
    if (!status && strstr(elog, "GET /index.html")) {
        /* lighttpd logged the request line: it arrived through a completed
         * handshake (a certificate lighttpd refuses fails the handshake
         * itself under ssl.verifyclient.enforce), but no status was logged. */
        obs->handshake_ok = true;
        return;
    }
    if (status) {
        /* A response crossed: the TLS handshake completed (the contract's
         * "the byte crossed"). A refusal at the HTTP level keeps its status
         * as the error: nginx answers a missing or unverified certificate
         * with 400 after the handshake (ngx_http_process_request, "client
         * sent no required SSL certificate"). */
        obs->handshake_ok = true;
        if (status >= 300) {
            char text[700];
            snprintf(text, sizeof(text), "HTTP %d%s%s", status, have_line ? ": " : "", have_line ? line : "");
            shim_set_error(obs, status, text);
        }
        return;
    }
    if (have_line)
        shim_set_error(obs, lib_code(line), line);
    else
        shim_set_error(obs, 0, "no request reached the server and its logs name no TLS error");
}
