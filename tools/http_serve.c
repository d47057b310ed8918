/* SPDX-License-Identifier: MIT */
/* `synack http serve DIR --port P`: a static file server over synack. GET and HEAD,
 * Content-Length, keep-alive, many connections at once; files are sent in chunks as the
 * send buffer drains, never loaded whole. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "synack/event.h"
#include "http.h"
#include "netopts.h"

#define MAX_CONNS 128
#define REQ_MAX 8192
#define CHUNK 65536

struct conn {
    int fd; /* synack socket, -1 if free */
    char req[REQ_MAX];
    size_t req_len;
    int file; /* file being sent, -1 if none */
    off_t file_left;
    char out[CHUNK]; /* bytes read from the file (or headers) not yet queued */
    size_t out_off, out_len;
    bool keep_alive;
    bool closing;  /* close once everything is queued */
    bool want_out; /* registered for POLLOUT (not POLLIN) */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: synack http serve DIR --port P [OPTIONS]\n\n"
            "Serves the files under DIR over HTTP/1.1 (GET and HEAD, keep-alive) on\n"
            "synack's address until interrupted.\n\n"
            "  --port P              TCP port to listen on, 1-65535 (required)\n" NETOPTS_HELP);
}

static void reset_conn(struct conn *c)
{
    if (c->file >= 0) close(c->file);
    c->file = -1;
    c->fd = -1;
}

/* Maps the request path under root; rejects any ".." segment. Returns 0 or -1. */
static int map_path(const char *root, const char *target, char *out, size_t size)
{
    char path[1024];
    size_t k = 0;
    for (const char *p = target; *p && *p != '?' && *p != '#' && k + 1 < sizeof path; p++) {
        if (p[0] == '%' && p[1] && p[2]) {
            char hex[3] = {p[1], p[2], 0};
            path[k++] = (char)strtol(hex, NULL, 16);
            p += 2;
        } else {
            path[k++] = *p;
        }
    }
    path[k] = '\0';
    if (path[0] != '/' || strstr(path, "/../") || !strcmp(path + (k >= 3 ? k - 3 : 0), "/..") ||
        memchr(path, '\0', k))
        return -1;
    int n = snprintf(out, size, "%s%s", root, path);
    if (n < 0 || (size_t)n >= size) return -1;
    struct stat stt;
    if (stat(out, &stt) == 0 && S_ISDIR(stt.st_mode))
        strncat(out, out[strlen(out) - 1] == '/' ? "index.html" : "/index.html",
                size - strlen(out) - 1);
    return 0;
}

static void respond(struct conn *c, const char *root)
{
    size_t end = http_header_end(c->req, c->req_len);
    char method[8], target[1024], version[16];
    c->req[end - 1] = '\0';
    int ok = sscanf(c->req, "%7s %1023s %15s", method, target, version) == 3;
    char conn_hdr[32] = "";
    http_header_value(c->req, end, "Connection", conn_hdr, sizeof conn_hdr);
    /* HTTP/1.1 keeps the connection unless told to close; 1.0 only if asked. */
    c->keep_alive = ok && (!strcmp(version, "HTTP/1.1") ? strcasecmp(conn_hdr, "close") != 0
                                                        : !strcasecmp(conn_hdr, "keep-alive"));
    bool head = ok && !strcmp(method, "HEAD");
    char path[2048];
    int status = 200;
    struct stat stt;
    if (!ok || (strcmp(method, "GET") && !head)) {
        status = ok ? 405 : 400;
    } else if (map_path(root, target, path, sizeof path) < 0) {
        status = 403;
    } else if ((c->file = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(c->file, &stt) < 0 ||
               !S_ISREG(stt.st_mode)) {
        status = 404;
    }
    if (status != 200 && c->file >= 0) {
        close(c->file);
        c->file = -1;
    }
    const char *reason = status == 200   ? "OK"
                         : status == 400 ? "Bad Request"
                         : status == 403 ? "Forbidden"
                         : status == 404 ? "Not Found"
                                         : "Method Not Allowed";
    long long length = status == 200 ? (long long)stt.st_size : (long long)strlen(reason) + 1;
    c->out_off = 0;
    c->out_len = (size_t)snprintf(c->out, sizeof c->out,
                                  "HTTP/1.1 %d %s\r\nServer: synack\r\nContent-Length: %lld\r\n"
                                  "Content-Type: %s\r\nConnection: %s\r\n\r\n",
                                  status, reason, length,
                                  status == 200 ? "application/octet-stream" : "text/plain",
                                  c->keep_alive ? "keep-alive" : "close");
    if (status != 200 && !head)
        c->out_len +=
            (size_t)snprintf(c->out + c->out_len, sizeof c->out - c->out_len, "%s\n", reason);
    c->file_left = status == 200 && !head ? stt.st_size : 0;
    if (head && c->file >= 0) {
        close(c->file);
        c->file = -1;
    }
    /* The request is consumed; pipelined bytes after it stay for the next one. */
    memmove(c->req, c->req + end, c->req_len - end);
    c->req_len -= end;
    if (!c->keep_alive) c->closing = true;
}

enum verdict { KEEP, CLOSE, ABORT };

/* Moves what it can: requests in, response bytes out. Says what to do with c next. */
static enum verdict service(struct synack_stack *st, struct conn *c, const char *root)
{
    for (;;) {
        /* Send pending bytes; refill from the file. */
        while (c->out_off < c->out_len) {
            ssize_t n = synack_send(st, c->fd, c->out + c->out_off, c->out_len - c->out_off);
            if (n == -EAGAIN) return KEEP;
            if (n < 0) return ABORT;
            c->out_off += (size_t)n;
        }
        if (c->file >= 0 && c->file_left > 0) {
            size_t want = c->file_left < CHUNK ? (size_t)c->file_left : CHUNK;
            ssize_t n = read(c->file, c->out, want);
            if (n <= 0) return ABORT; /* the file shrank under us: give up on this connection */
            c->out_off = 0;
            c->out_len = (size_t)n;
            c->file_left -= n;
            continue;
        }
        if (c->file >= 0) {
            close(c->file);
            c->file = -1;
        }
        if (c->closing) {
            synack_shutdown(st, c->fd, SYNACK_SHUT_WR);
            char sink[4096];
            ssize_t n;
            while ((n = synack_recv(st, c->fd, sink, sizeof sink)) > 0) {
            }
            return n == -EAGAIN ? KEEP : n == 0 ? CLOSE : ABORT; /* the peer's FIN, then close */
        }
        /* Read the next request. */
        if (!http_header_end(c->req, c->req_len)) {
            if (c->req_len == REQ_MAX) return ABORT;
            ssize_t n = synack_recv(st, c->fd, c->req + c->req_len, REQ_MAX - c->req_len);
            if (n == -EAGAIN) return KEEP;
            if (n == 0) return CLOSE; /* the peer is done: close gracefully */
            if (n < 0) return ABORT;
            c->req_len += (size_t)n;
            continue;
        }
        respond(c, root);
    }
}

int http_serve_main(int argc, char **argv)
{
    struct synack_driver_config cfg;
    int early = netopts_begin(&argc, argv, &cfg, usage);
    if (early >= 0) return early;
    const char *root = NULL;
    long port = 0; /* --port is required: no silent default */
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            char *end;
            port = strtol(argv[++i], &end, 10);
            if (*end) port = -1;
        } else if (!root)
            root = argv[i];
        else {
            usage(stderr);
            return 2;
        }
    }
    struct stat stt;
    if (!root || stat(root, &stt) < 0 || !S_ISDIR(stt.st_mode)) {
        fprintf(stderr, "synack http serve: need a directory to serve (see --help)\n");
        return 2;
    }
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "synack http serve: %s\n",
                port == 0 ? "--port P is required (1-65535)" : "--port wants 1-65535");
        return 2;
    }
    struct synack_driver *d = netopts_start("http serve", &cfg);
    if (!d) return 1;
    struct synack_stack *st = synack_driver_stack(d);
    int l = synack_socket(st);
    struct synack_endpoint ep = {0, (uint16_t)port};
    int err = synack_bind(st, l, &ep);
    if (!err) err = synack_listen(st, l, 128);
    if (err) {
        fprintf(stderr, "synack http serve: port %ld: %s\n", port, strerror(-err));
        synack_driver_free(d);
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    /* The event API (synack/event.h): the listener and each connection are registered
     * level-triggered, for POLLIN, or for POLLOUT while a response waits for send-buffer
     * room, so each turn of the loop serves the ready connections only. */
    struct synack_events *set = synack_events_new(st);
    if (!set || synack_events_add(set, l, SYNACK_POLLIN, (union synack_event_data){.ptr = NULL})) {
        fprintf(stderr, "synack http serve: out of memory\n");
        synack_driver_free(d);
        return 1;
    }
    static struct conn conns[MAX_CONNS];
    for (int i = 0; i < MAX_CONNS; i++) {
        conns[i].fd = -1;
        conns[i].file = -1;
    }
    struct synack_event evs[64];
    int timeout = 0;
    while (!stop) {
        if (synack_driver_run_once(d, NULL, 0, timeout) < 0 && errno != EINTR) break;
        int n = synack_events_wait(set, evs, 64);
        timeout = n > 0 ? 0 : 1000; /* work was done: look again before sleeping */
        for (int k = 0; k < n; k++) {
            struct conn *c = evs[k].data.ptr;
            if (!c) { /* the listener */
                int fd;
                while ((fd = synack_accept(st, l, NULL)) >= 0) {
                    int i = 0;
                    while (i < MAX_CONNS && conns[i].fd >= 0)
                        i++;
                    if (i == MAX_CONNS) {
                        synack_abort(st, fd); /* full: refuse rather than queue without bound */
                        continue;
                    }
                    memset(&conns[i], 0, sizeof conns[i]);
                    conns[i].fd = fd;
                    conns[i].file = -1;
                    if (synack_events_add(set, fd, SYNACK_POLLIN,
                                          (union synack_event_data){.ptr = &conns[i]})) {
                        synack_abort(st, fd);
                        reset_conn(&conns[i]);
                        continue;
                    }
                }
                continue;
            }
            enum verdict v = service(st, c, root);
            if (v == KEEP) {
                /* Waiting for send-buffer room: POLLOUT instead of POLLIN until the response
                 * is queued (further requests wait in the socket meanwhile). */
                bool want_out = c->out_off < c->out_len || c->file_left > 0;
                if (want_out != c->want_out) {
                    c->want_out = want_out;
                    synack_events_mod(set, c->fd, want_out ? SYNACK_POLLOUT : SYNACK_POLLIN,
                                      (union synack_event_data){.ptr = c});
                }
                continue;
            }
            /* Closing the descriptor also takes it out of the event set. */
            if (v == CLOSE)
                synack_close(st, c->fd); /* graceful: queued data, then FIN */
            else
                synack_abort(st, c->fd);
            reset_conn(c);
        }
    }
    synack_events_free(set);
    /* Connections still in the stack: those mid-close; reported for tests and users. */
    synack_time_t end = synack_driver_now(d) + SYNACK_SEC(2);
    while (synack_stack_connection_count(st) > 0 && synack_driver_now(d) < end)
        synack_driver_run_once(d, NULL, 0, 100);
    fprintf(stderr, "synack http serve: %u connections left\n", synack_stack_connection_count(st));
    synack_driver_free(d);
    return 0;
}
