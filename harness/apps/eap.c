/* eap.c — FreeRADIUS EAP-TLS with eapol_test (see eap.h).
 *
 * FreeRADIUS runs `freeradius -X -d RADDB` from a copy of the system's
 * /etc/freeradius/3.0 in the case's scratch directory (never the system's
 * own): mods-available/eap rewritten for EAP-TLS with the case's server
 * credential and `ca_file` = the list's PEM bundle (the directive that sends
 * the list), clients.conf with one loopback client and secret, one virtual
 * server listening on a loopback port, reject_delay 0, no user/group switch.
 * eapol_test (wpa_supplicant's test client) authenticates through a UDP
 * proxy in this process, which reads every RADIUS packet; eaptls.c
 * reassembles the EAP-TLS fragments into each direction's TLS bytes. */
#define _GNU_SOURCE
#include "eap.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "appcase.h"
#include "appproc.h"
#include "eaptls.h"
#include "fileio.h"

#define RADIUS_SECRET "cabound-eap-secret"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int write_text(const char *path, const char *text, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* edit_radiusd rewrites the copied radiusd.conf: its directories point into
 * the scratch copy, no switch to the freerad user (the scratch files belong
 * to whoever runs cabound), and an Access-Reject is not delayed. */
static int edit_radiusd(const char *raddb, const char *scratch, char *err, size_t errlen)
{
    char path[4400], out[4500];
    snprintf(path, sizeof(path), "%s/radiusd.conf", raddb);
    snprintf(out, sizeof(out), "%s.cabound", path);
    FILE *in = fopen(path, "r"), *o = fopen(out, "w");
    if (!in || !o) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (in)
            fclose(in);
        if (o)
            fclose(o);
        return -1;
    }
    char line[8192];
    while (fgets(line, sizeof(line), in)) {
        const char *t = line + strspn(line, " \t");
        if (strncmp(t, "raddbdir =", 10) == 0)
            fprintf(o, "raddbdir = %s\n", raddb);
        else if (strncmp(t, "logdir =", 8) == 0)
            fprintf(o, "logdir = %s/log\n", scratch);
        else if (strncmp(t, "run_dir =", 9) == 0)
            fprintf(o, "run_dir = %s/run\n", scratch);
        else if (strncmp(t, "user =", 6) == 0 || strncmp(t, "group =", 7) == 0)
            fprintf(o, "#%s", line);
        else if (strncmp(t, "reject_delay =", 14) == 0)
            fprintf(o, "reject_delay = 0\n");
        else
            fputs(line, o);
    }
    fclose(in);
    if (fclose(o) != 0 || rename(out, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* write_raddb copies the system's configuration and edits the copy. */
static int write_raddb(const char *scratch, int port, const char *cert, const char *key, const char *ca_file,
                       char *err, size_t errlen)
{
    char raddb[4200], path[4400], text[16384];
    snprintf(raddb, sizeof(raddb), "%s/raddb", scratch);
    char *cp[] = {"cp", "-a", CB_EAP_SYSTEM_RADDB, raddb, NULL};
    char cplog[4300];
    snprintf(cplog, sizeof(cplog), "%s/cp.log", scratch);
    cb_app a;
    if (cb_app_start(&a, cp, cplog, err, errlen) != 0)
        return -1;
    while (!cb_app_poll(&a))
        usleep(10000);
    if (cb_app_exit_code(&a) != 0) {
        char last[300];
        cb_app_log_last(&a, NULL, last, sizeof(last));
        snprintf(err, errlen, "copying %s failed: %s", CB_EAP_SYSTEM_RADDB, last);
        return -1;
    }
    for (const char *d = "log\0run\0cadir\0"; *d; d += strlen(d) + 1) {
        snprintf(path, sizeof(path), "%s/%s", scratch, d);
        cb_mkdirs(path);
    }
    if (edit_radiusd(raddb, scratch, err, errlen) != 0)
        return -1;
    /* The eap module: EAP-TLS only, TLS 1.2 (the version this driver
     * measures: FreeRADIUS 3.2 marks 1.3 experimental), no session cache.
     * ca_path is an empty directory: the system's CA directory would
     * otherwise join the verify store. */
    snprintf(path, sizeof(path), "%s/mods-available/eap", raddb);
    snprintf(text, sizeof(text),
             "# written by cabound deploy eap\n"
             "eap {\n"
             "\tdefault_eap_type = tls\n"
             "\ttimer_expire = 60\n"
             "\tignore_unknown_eap_types = no\n"
             "\tmax_sessions = ${max_requests}\n"
             "\ttls-config tls-common {\n"
             "\t\tprivate_key_file = %s\n"
             "\t\tcertificate_file = %s\n"
             "\t\tca_file = %s\n"
             "\t\tca_path = %s/cadir\n"
             "\t\tcipher_list = \"DEFAULT\"\n"
             "\t\ttls_min_version = \"1.2\"\n"
             "\t\ttls_max_version = \"1.2\"\n"
             "\t\tecdh_curve = \"\"\n"
             "\t\tcache {\n\t\t\tenable = no\n\t\t}\n"
             "\t}\n"
             "\ttls {\n\t\ttls = tls-common\n\t}\n"
             "}\n",
             key, cert, ca_file, scratch);
    if (write_text(path, text, err, errlen) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/clients.conf", raddb);
    snprintf(text, sizeof(text), "client cabound {\n\tipaddr = 127.0.0.1\n\tsecret = %s\n}\n", RADIUS_SECRET);
    if (write_text(path, text, err, errlen) != 0)
        return -1;
    /* One virtual server on a loopback port instead of the shipped ones
     * (default on 1812, inner-tunnel on 18120: a second copy would clash). */
    char *rm[] = {"sh", "-c", "rm -f \"$0\"/sites-enabled/*", raddb, NULL};
    if (cb_app_start(&a, rm, cplog, err, errlen) != 0)
        return -1;
    while (!cb_app_poll(&a))
        usleep(10000);
    snprintf(path, sizeof(path), "%s/sites-enabled/cabound", raddb);
    snprintf(text, sizeof(text),
             "server default {\n"
             "\tlisten {\n\t\ttype = auth\n\t\tipaddr = 127.0.0.1\n\t\tport = %d\n\t}\n"
             "\tauthorize {\n\t\teap {\n\t\t\tok = return\n\t\t}\n\t}\n"
             "\tauthenticate {\n\t\teap\n\t}\n"
             "\tpost-auth {\n\t}\n"
             "}\n",
             port);
    return write_text(path, text, err, errlen);
}

/* udp_socket binds a loopback UDP socket (port 0: any) and reports its port. */
static int udp_socket(int port, int *bound)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        close(fd);
        return -1;
    }
    *bound = ntohs(a.sin_port);
    return fd;
}

/* free_udp_port asks the kernel for a free loopback port for FreeRADIUS. */
static int free_udp_port(void)
{
    int port = 0, fd = udp_socket(0, &port);
    if (fd < 0)
        return -1;
    close(fd);
    return port;
}

/* proxy relays RADIUS between eapol_test and FreeRADIUS until eapol_test
 * ends or |deadline| passes, feeding every packet to |e|. */
static int proxy(int front, int back, cb_app *client, cb_eaptls *e, double deadline, char *library,
                 size_t liblen)
{
    struct sockaddr_in peer;
    socklen_t peerlen = 0;
    uint8_t buf[65536];
    for (;;) {
        if (!library[0])
            cb_app_library(client, "libssl.so", library, liblen);
        struct pollfd p[2] = {{front, POLLIN, 0}, {back, POLLIN, 0}};
        int rc = poll(p, 2, 50);
        if (rc < 0 && errno != EINTR)
            return -1;
        if (p[0].revents & POLLIN) {
            struct sockaddr_in from;
            socklen_t fl = sizeof(from);
            ssize_t n = recvfrom(front, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
            if (n > 0) {
                peer = from;
                peerlen = fl;
                if (cb_eaptls_feed(e, 0, buf, (size_t)n) != 0)
                    return -1;
                if (send(back, buf, (size_t)n, 0) < 0 && errno != ECONNREFUSED)
                    return -1;
            }
        }
        if (p[1].revents & POLLIN) {
            ssize_t n = recv(back, buf, sizeof(buf), 0);
            if (n > 0 && peerlen) {
                if (cb_eaptls_feed(e, 1, buf, (size_t)n) != 0)
                    return -1;
                sendto(front, buf, (size_t)n, 0, (struct sockaddr *)&peer, peerlen);
            }
        }
        if (!(p[0].revents & POLLIN) && !(p[1].revents & POLLIN) && (cb_app_poll(client) || now_ms() >= deadline))
            return 0;
    }
}

int cb_eap_run(cb_runner *r, const cb_case *c, json_t **line, char *err, size_t errlen)
{
    *line = NULL;
    if (c->tls13) {
        snprintf(err, errlen, "deploy eap: TLS 1.2 only (FreeRADIUS 3.2's TLS 1.3 is experimental and off by default)");
        return -1;
    }
    cb_case_work *k = NULL;
    if (cb_case_prepare(r, c, 0, &k, err, errlen) != 0)
        return -2; /* the case cannot be built from these parameters */
    cb_appcase_files files;
    cb_appcase_files_get(k, &files);
    const char *cert = files.cert, *key = files.key, *ca_file = files.ca_file, *trust = files.trust;
    const char *ccert = files.ccert, *ckey = files.ckey;
    int rc = -1, front = -1, back = -1;
    cb_app fr, ep;
    memset(&fr, 0, sizeof(fr));
    memset(&ep, 0, sizeof(ep));
    cb_eaptls e;
    cb_eaptls_init(&e);
    char scratch[4300], path[4400], text[8192], library[4096] = "", client_library[4096] = "";
    if (!cert || !key || !ca_file || !trust || !ccert || !ckey) {
        snprintf(err, errlen, "deploy eap: the case has no list PEM bundle or credentials (source must be trust-store)");
        goto done;
    }
    snprintf(scratch, sizeof(scratch), "%s/deploy", r->work_dir);
    cb_mkdirs(scratch);
    snprintf(scratch, sizeof(scratch), "%s/deploy/eap-XXXXXX", r->work_dir);
    if (!mkdtemp(scratch)) {
        snprintf(err, errlen, "mkdtemp %s: %s", scratch, strerror(errno));
        goto done;
    }
    int port = free_udp_port();
    if (port < 0 || write_raddb(scratch, port, cert, key, ca_file, err, errlen) != 0)
        goto done;
    char raddb[4400], frlog[4400], eplog[4400];
    snprintf(raddb, sizeof(raddb), "%s/raddb", scratch);
    snprintf(frlog, sizeof(frlog), "%s/freeradius.log", scratch);
    snprintf(eplog, sizeof(eplog), "%s/eapol_test.log", scratch);
    char *frargv[] = {"freeradius", "-X", "-d", raddb, NULL};
    double t0 = now_ms();
    char why[1024];
    if (cb_app_start(&fr, frargv, frlog, err, errlen) != 0)
        goto done;
    if (cb_app_wait_log(&fr, "Ready to process requests", 30000, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "freeradius: %s", why);
        goto done;
    }
    cb_app_library(&fr, "libssl.so", library, sizeof(library));
    int front_port;
    front = udp_socket(0, &front_port);
    back = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (front < 0 || back < 0 || connect(back, (struct sockaddr *)&to, sizeof(to)) != 0) {
        snprintf(err, errlen, "deploy eap: UDP proxy sockets: %s", strerror(errno));
        goto done;
    }
    snprintf(path, sizeof(path), "%s/eapol_test.conf", scratch);
    snprintf(text, sizeof(text),
             "network={\n\tkey_mgmt=WPA-EAP\n\teap=TLS\n\tidentity=\"cabound-client\"\n\tca_cert=\"%s\"\n"
             "\tclient_cert=\"%s\"\n\tprivate_key=\"%s\"\n\teapol_flags=0\n}\n",
             trust, ccert, ckey);
    if (write_text(path, text, err, errlen) != 0)
        goto done;
    int secs = (c->timeout_ms + 999) / 1000 + 5;
    char portarg[16], targ[16];
    snprintf(portarg, sizeof(portarg), "%d", front_port);
    snprintf(targ, sizeof(targ), "%d", secs);
    char *epargv[] = {"eapol_test", "-c", path, "-a", "127.0.0.1", "-p", portarg, "-s", RADIUS_SECRET, "-t", targ, NULL};
    if (cb_app_start(&ep, epargv, eplog, err, errlen) != 0)
        goto done;
    if (proxy(front, back, &ep, &e, now_ms() + secs * 1000.0 + 2000, client_library, sizeof(client_library)) != 0) {
        snprintf(err, errlen, "deploy eap: proxy: %s", strerror(errno));
        goto done;
    }
    double elapsed = now_ms() - t0;
    cb_app_stop(&ep, 1000);
    cb_app_stop(&fr, 2000);
    cb_runner_sweep(r);
    /* Each program's own verdict, from its exit and its log. */
    char frver[256], epver[256], frerr[512] = "", eperr[512] = "", last[512];
    char *frv[] = {"freeradius", "-v", NULL}, *epv[] = {"eapol_test", "-v", NULL};
    cb_app_version(frv, "FreeRADIUS Version", frver, sizeof(frver));
    cb_app_version(epv, "eapol_test v", epver, sizeof(epver));
    int ep_ok = cb_app_exit_code(&ep) == 0 && cb_app_log_last(&ep, NULL, last, sizeof(last)) == 0 &&
                strcmp(last, "SUCCESS") == 0;
    static const char *const ep_why[] = {"SSL3 alert", "TLS: Certificate verification failed", "SSL: SSL_connect",
                                         "CTRL-EVENT-EAP-FAILURE", "EAP: Received EAP-Failure", NULL};
    if (!ep_ok && cb_app_log_first_of(&ep, ep_why, eperr, sizeof(eperr)) != 0)
        cb_app_log_last(&ep, NULL, eperr, sizeof(eperr));
    int fr_ok = e.last_code == CB_RADIUS_ACCESS_ACCEPT;
    if (!fr_ok && cb_app_log_last(&fr, "ERROR:", frerr, sizeof(frerr)) != 0)
        snprintf(frerr, sizeof(frerr), "last RADIUS code %d", e.last_code);
    cb_app_side s = {"freeradius", frver, library, fr_ok, frerr}, cl = {"eapol_test", epver, client_library, ep_ok, eperr};
    if (cb_appcase_judge(r, k, &e.tls[0], &e.tls[1], &s, &cl, elapsed, line, err, errlen) != 0)
        goto done;
    json_t *app = json_pack("{s:s,s:s,s:s,s:[I,I],s:[I,I],s:I,s:I,s:s?,s:s,s:s}", "server", "freeradius",
                                                "client", "eapol_test", "transport", "RADIUS/EAP-TLS (UDP proxy)",
                                                "radius_packets", (json_int_t)e.packets[0], (json_int_t)e.packets[1],
                                                "eap_tls_fragments", (json_int_t)e.fragments[0], (json_int_t)e.fragments[1],
                                                "retransmits", (json_int_t)e.retransmits, "malformed", (json_int_t)e.malformed,
                                                "problem", e.malformed ? e.problem : NULL, "server_log", frlog,
                                                "client_log", eplog);
    json_object_update(json_object_get(*line, "app"), app);
    json_decref(app);
    rc = 0;
done:
    cb_app_stop(&ep, 500);
    cb_app_stop(&fr, 2000);
    if (front >= 0)
        close(front);
    if (back >= 0)
        close(back);
    cb_eaptls_free(&e);
    cb_appcase_files_free(&files);
    cb_case_work_free(k);
    return rc;
}
