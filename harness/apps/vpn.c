/* vpn.c — an OpenVPN server and client (see vpn.h).
 *
 * Both run in OpenVPN's point-to-point TLS mode (--tls-server /
 * --tls-client) with --dev null: `--mode server` insists on a tun or tap
 * device ("--mode server only works with --dev tun or --dev tap", OpenVPN
 * 2.6.14's options check), and a device needs CAP_NET_ADMIN and changes
 * the machine; the TLS handshake, the --ca list and the certificate checks
 * are the same code in both modes (ssl_openssl.c tls_ctx_load_ca builds the
 * list from --ca). TCP on loopback; the control channel is plain (no
 * --tls-auth/--tls-crypt) so the proxy can read it; TLS 1.2 at most
 * (--tls-version-max 1.2): OpenVPN exports no key log, so a TLS 1.3
 * CertificateRequest could not be read. --tls-exit ends either side on a
 * TLS failure instead of retrying. */
#define _GNU_SOURCE
#include "vpn.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "appcase.h"
#include "appproc.h"
#include "fileio.h"
#include "ovpn.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int tcp_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 1) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static int free_tcp_port(void)
{
    int port = -1, fd = tcp_listener(&port);
    if (fd >= 0)
        close(fd);
    return fd >= 0 ? port : -1;
}

/* finished says whether the programs are done: the client completed, or a
 * side gave up (TLS error, exit). */
static int finished(cb_app *srv, cb_app *cli)
{
    char line[512];
    if (cb_app_log_last(cli, "Initialization Sequence Completed", line, sizeof(line)) == 0 &&
        cb_app_log_last(srv, "Initialization Sequence Completed", line, sizeof(line)) == 0)
        return 1;
    return cb_app_poll(srv) || cb_app_poll(cli) || cb_app_log_last(srv, "TLS Error", line, sizeof(line)) == 0 ||
           cb_app_log_last(cli, "TLS Error", line, sizeof(line)) == 0;
}

/* relay copies the client's TCP connection to the server's and back,
 * feeding |o|, until the programs are done (plus a moment for the last
 * bytes) or |deadline|. */
static int relay(int lsn, int server_port, cb_app *srv, cb_app *cli, cb_ovpn *o, double deadline, char *lib,
                 size_t liblen)
{
    int fds[2] = {-1, -1}; /* [0] toward the server, [1] toward the client */
    int eof[2] = {0, 0};
    double done_at = 0;
    uint8_t buf[65536];
    int rc = 0;
    for (;;) {
        double now = now_ms();
        if (now >= deadline || (done_at && now >= done_at + 300) || (eof[0] && eof[1]))
            break;
        if (!done_at && finished(srv, cli))
            done_at = now;
        if (!lib[0])
            cb_app_library(cli, "libssl.so", lib, liblen);
        struct pollfd p[3];
        int n = 0, il = -1, ix[2] = {-1, -1};
        if (fds[1] < 0) {
            p[n] = (struct pollfd){lsn, POLLIN, 0};
            il = n++;
        }
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0 && !eof[i]) {
                p[n] = (struct pollfd){fds[i], POLLIN, 0};
                ix[i] = n++;
            }
        if (poll(p, (nfds_t)n, 50) < 0 && errno != EINTR) {
            rc = -1;
            break;
        }
        if (il >= 0 && (p[il].revents & POLLIN)) {
            fds[1] = accept4(lsn, NULL, NULL, SOCK_CLOEXEC);
            fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server_port)};
            to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (fds[1] < 0 || fds[0] < 0 || connect(fds[0], (struct sockaddr *)&to, sizeof(to)) != 0) {
                rc = -1;
                break;
            }
        }
        for (int i = 0; i < 2; i++) {
            if (ix[i] < 0 || !(p[ix[i]].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t got = read(fds[i], buf, sizeof(buf));
            if (got <= 0) {
                eof[i] = 1;
                shutdown(fds[1 - i], SHUT_WR);
                continue;
            }
            if (cb_ovpn_feed(o, i == 0, buf, (size_t)got) != 0) {
                rc = -1;
                break;
            }
            for (ssize_t off = 0; off < got;) {
                ssize_t w = write(fds[1 - i], buf + off, (size_t)(got - off));
                if (w <= 0)
                    break;
                off += w;
            }
        }
        if (rc != 0)
            break;
    }
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return rc;
}

int cb_vpn_run(cb_runner *r, const cb_case *c, json_t **line, char *err, size_t errlen)
{
    *line = NULL;
    if (c->tls13) {
        snprintf(err, errlen, "deploy vpn: TLS 1.2 only (OpenVPN exports no key log: a TLS 1.3 CertificateRequest is encrypted)");
        return -1;
    }
    cb_case_work *k = NULL;
    if (cb_case_prepare(r, c, 0, &k, err, errlen) != 0)
        return -2; /* the case cannot be built from these parameters */
    cb_appcase_files files;
    cb_appcase_files_get(k, &files);
    const char *cert = files.cert, *key = files.key, *ca_file = files.ca_file, *trust = files.trust;
    const char *ccert = files.ccert, *ckey = files.ckey;
    int rc = -1, lsn = -1;
    cb_app srv, cli;
    memset(&srv, 0, sizeof(srv));
    memset(&cli, 0, sizeof(cli));
    cb_ovpn o;
    cb_ovpn_init(&o);
    char scratch[4300], library[4096] = "", client_library[4096] = "";
    if (!cert || !key || !ca_file || !trust || !ccert || !ckey) {
        snprintf(err, errlen, "deploy vpn: the case has no list PEM bundle or credentials (source must be trust-store)");
        goto done;
    }
    snprintf(scratch, sizeof(scratch), "%s/deploy", r->work_dir);
    cb_mkdirs(scratch);
    snprintf(scratch, sizeof(scratch), "%s/deploy/vpn-XXXXXX", r->work_dir);
    if (!mkdtemp(scratch)) {
        snprintf(err, errlen, "mkdtemp %s: %s", scratch, strerror(errno));
        goto done;
    }
    int port = free_tcp_port(), front_port = -1;
    lsn = tcp_listener(&front_port);
    if (port < 0 || lsn < 0) {
        snprintf(err, errlen, "deploy vpn: no loopback port: %s", strerror(errno));
        goto done;
    }
    char slog[4400], clog[4400], sport[16], cport[16], hw[16];
    snprintf(slog, sizeof(slog), "%s/openvpn-server.log", scratch);
    snprintf(clog, sizeof(clog), "%s/openvpn-client.log", scratch);
    snprintf(sport, sizeof(sport), "%d", port);
    snprintf(cport, sizeof(cport), "%d", front_port);
    snprintf(hw, sizeof(hw), "%d", (c->timeout_ms + 999) / 1000 + 5);
    char *sargv[] = {"openvpn", "--tls-server", "--dev", "null", "--proto", "tcp-server", "--local", "127.0.0.1",
                     "--lport", sport, "--ca", (char *)ca_file, "--cert", (char *)cert, "--key", (char *)key,
                     "--dh", "none", "--tls-version-max", "1.2", "--tls-exit", "--hand-window", hw, "--verb", "3",
                     NULL};
    char *cargv[] = {"openvpn", "--tls-client", "--dev", "null", "--proto", "tcp-client", "--remote", "127.0.0.1",
                     cport, "--nobind", "--ca", (char *)trust, "--cert", (char *)ccert, "--key", (char *)ckey,
                     "--tls-version-max", "1.2", "--tls-exit", "--hand-window", hw, "--connect-retry-max", "1",
                     "--verb", "3", NULL};
    double t0 = now_ms();
    char why[1024];
    if (cb_app_start(&srv, sargv, slog, err, errlen) != 0)
        goto done;
    if (cb_app_wait_log(&srv, "Listening for incoming TCP connection", 20000, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "openvpn server: %s", why);
        goto done;
    }
    cb_app_library(&srv, "libssl.so", library, sizeof(library));
    if (cb_app_start(&cli, cargv, clog, err, errlen) != 0)
        goto done;
    double deadline = now_ms() + c->timeout_ms + 10000.0;
    if (relay(lsn, port, &srv, &cli, &o, deadline, client_library, sizeof(client_library)) != 0) {
        snprintf(err, errlen, "deploy vpn: proxy: %s", strerror(errno));
        goto done;
    }
    double elapsed = now_ms() - t0;
    char last[512], serr[512] = "", cerr[512] = "", ver[256];
    int cli_ok = cb_app_log_last(&cli, "Initialization Sequence Completed", last, sizeof(last)) == 0;
    int srv_ok = cb_app_log_last(&srv, "Initialization Sequence Completed", last, sizeof(last)) == 0;
    cb_app_stop(&cli, 2000);
    cb_app_stop(&srv, 2000);
    cb_runner_sweep(r);
    static const char *const why_not[] = {"VERIFY ERROR", "OpenSSL:", "TLS Error", "Connection reset", "SIGUSR1",
                                          "SIGTERM", "Exiting", NULL};
    if (!srv_ok)
        cb_app_log_first_of(&srv, why_not, serr, sizeof(serr));
    if (!cli_ok)
        cb_app_log_first_of(&cli, why_not, cerr, sizeof(cerr));
    char *vargv[] = {"openvpn", "--version", NULL};
    cb_app_version(vargv, "OpenVPN", ver, sizeof(ver));
    cb_app_side s = {"openvpn", ver, library, srv_ok, serr}, cl = {"openvpn", ver, client_library, cli_ok, cerr};
    if (cb_appcase_judge(r, k, &o.dir[0].tls, &o.dir[1].tls, &s, &cl, elapsed, line, err, errlen) != 0)
        goto done;
    json_t *app = json_pack("{s:s,s:s,s:s,s:[I,I],s:[I,I],s:I,s:I,s:s?,s:s,s:s}", "server", "openvpn --tls-server",
                            "client", "openvpn --tls-client", "transport", "OpenVPN TCP control channel (TCP proxy)",
                            "packets", (json_int_t)o.dir[0].packets, (json_int_t)o.dir[1].packets, "control_packets",
                            (json_int_t)o.dir[0].control, (json_int_t)o.dir[1].control, "retransmits",
                            (json_int_t)(o.dir[0].retransmits + o.dir[1].retransmits), "malformed",
                            (json_int_t)o.malformed, "problem", o.malformed ? o.problem : NULL, "server_log", slog,
                            "client_log", clog);
    json_object_update(json_object_get(*line, "app"), app);
    json_decref(app);
    rc = 0;
done:
    cb_app_stop(&cli, 1000);
    cb_app_stop(&srv, 1000);
    if (lsn >= 0)
        close(lsn);
    cb_ovpn_free(&o);
    cb_appcase_files_free(&files);
    cb_case_work_free(k);
    return rc;
}
