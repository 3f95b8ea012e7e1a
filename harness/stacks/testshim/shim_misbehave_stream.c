/* shim_misbehave_stream.c — cabound-shim-misbehave-stream: the stream
 * transport's misbehaving shim (harness/stacks/README.md, contract 2), for
 * the harness's fault tests. It links no TLS library and speaks no TLS. Its
 * request loop reads one JSON request a line on stdin and writes one reply a
 * line on stdout; what it does is chosen by the case name (the second part of
 * the case id SUITE/NAME/...):
 *   noconnect  replies without connecting
 *   close      exits without connecting
 *   hang       connects and never replies
 *   crash      connects, then SIGSEGV (dies mid-case)
 *   flood      connects, then writes 2 MiB to stdout with no newline
 *   garbage    connects, then replies with a line that is not JSON
 *   anything else: connects, closes, replies "handshake failed" (a
 *   well-behaved shim that happens to speak no TLS)
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *case_name(const char *id)
{
    const char *slash = strchr(id, '/');
    return slash ? slash + 1 : id;
}

/* dial opens the one TCP connection the request names ("HOST:PORT"). */
static int dial(const char *where)
{
    char host[256];
    const char *colon = where ? strrchr(where, ':') : NULL;
    if (!colon || (size_t)(colon - where) >= sizeof(host))
        return -1;
    memcpy(host, where, (size_t)(colon - where));
    host[colon - where] = 0;
    struct addrinfo hints = {0}, *ai;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
        return -1;
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

static void reply(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);
    if (s)
        printf("%s\n", s);
    fflush(stdout);
    free(s);
}

static json_t *observation(json_t *req)
{
    const char *role = json_string_value(json_object_get(req, "role"));
    int server = role && strcmp(role, "server") == 0;
    json_t *o = json_pack("{s:i,s:O,s:s,s:s,s:s,s:O,s:O,s:s,s:s,s:{s:i,s:s},s:b,s:n,s:n,s:i}", "contract", 2,
                          "case", json_object_get(req, "case"), "stack", "misbehave-stream", "version",
                          "misbehave-stream 1", "library", "none", "role", json_object_get(req, "role"), "tls",
                          json_object_get(req, "tls"), "status", "observed", "handshake", "failed", "error",
                          "code", -1, "text", "misbehave-stream: no TLS here", "alerts_exposed", 0,
                          "alert_sent", "alert_received", "handshake_us", 0);
    if (server) {
        json_object_set_new(o, "calist_source", json_string("explicit"));
        json_object_set_new(o, "peer_cert", json_null());
    } else {
        json_object_set_new(o, "select", json_string("native"));
        json_object_set_new(o, "received", json_pack("{s:b}", "exposed", 0));
        json_object_set_new(o, "sent_cert", json_null());
    }
    return o;
}

static void serve_one(json_t *req)
{
    const char *id = json_string_value(json_object_get(req, "case"));
    const char *name = case_name(id ? id : "");
    if (strncmp(name, "close", 5) == 0)
        _exit(3);
    int fd = -1;
    if (strncmp(name, "noconnect", 9) != 0)
        fd = dial(json_string_value(json_object_get(req, "connect")));
    if (strncmp(name, "hang", 4) == 0) {
        for (;;)
            pause();
    } else if (strncmp(name, "crash", 5) == 0) {
        raise(SIGSEGV);
    } else if (strncmp(name, "flood", 5) == 0) {
        static char buf[1 << 16];
        memset(buf, 'A', sizeof(buf));
        for (int i = 0; i < 32; i++)
            if (fwrite(buf, 1, sizeof(buf), stdout) != sizeof(buf))
                break;
        fflush(stdout);
        for (;;)
            pause();
    } else if (strncmp(name, "garbage", 7) == 0) {
        printf("\x01\x02 this is not JSON {\n");
        fflush(stdout);
        if (fd >= 0)
            close(fd);
        return;
    }
    if (fd >= 0)
        close(fd);
    json_t *o = observation(req);
    reply(o);
    json_decref(o);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--describe") == 0) {
        printf("{\"stack\":\"misbehave-stream\",\"version\":\"misbehave-stream 1\",\"library\":\"none\","
               "\"tls\":[\"1.2\",\"1.3\"],\"calist_source\":[\"explicit\"],\"select\":[\"native\"],"
               "\"contract\":2,\"transport\":\"stream\"}\n");
        return 0;
    }
    if (argc != 2 || strcmp(argv[1], "--serve") != 0) {
        fprintf(stderr, "usage: %s --serve | --describe\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, stdin) > 0) {
        json_t *req = json_loads(line, 0, NULL);
        if (!req) {
            fprintf(stderr, "misbehave-stream: a request line is not JSON\n");
            return 2;
        }
        serve_one(req);
        json_decref(req);
    }
    free(line);
    return 0;
}
