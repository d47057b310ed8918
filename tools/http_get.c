/* SPDX-License-Identifier: MIT */
/* `synack http get URL -o FILE`: an HTTP/1.1 GET over synack. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"
#include "netopts.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: synack http get http://A.B.C.D[:PORT]/PATH -o FILE [OPTIONS]\n\n"
                 "Fetches the URL over synack and writes the body to FILE. Exits 0 on status\n"
                 "200, 1 otherwise (with the reason).\n\n" NETOPTS_HELP);
}

static int parse_url(const char *url, uint32_t *addr, uint16_t *port, char *path, size_t size)
{
    if (strncmp(url, "http://", 7)) return -1;
    const char *h = url + 7, *slash = strchr(h, '/');
    char host[64];
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    if (hl == 0 || hl >= sizeof host) return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = 80;
    char *colon = strchr(host, ':');
    if (colon) {
        *colon = '\0';
        long p = strtol(colon + 1, NULL, 10);
        if (p <= 0 || p > 65535) return -1;
        *port = (uint16_t)p;
    }
    snprintf(path, size, "%s", slash ? slash : "/");
    return netopts_ipv4(host, addr);
}

struct fetch {
    char head[16384];
    size_t head_len;
    bool have_head;
    long long length; /* -1: until EOF */
    long long got;
    int status;
    FILE *out;
};

/* Feeds received bytes: the header block first, then the body into the file. */
static int take(struct fetch *f, const char *data, size_t n)
{
    if (!f->have_head) {
        size_t room = sizeof f->head - f->head_len;
        size_t k = n < room ? n : room;
        memcpy(f->head + f->head_len, data, k);
        f->head_len += k;
        size_t end = http_header_end(f->head, f->head_len);
        if (!end) return f->head_len == sizeof f->head ? -1 : 0;
        f->have_head = true;
        if (sscanf(f->head, "HTTP/1.%*d %d", &f->status) != 1) return -1;
        char v[32];
        f->length =
            http_header_value(f->head, end, "Content-Length", v, sizeof v) == 0 ? atoll(v) : -1;
        size_t body = f->head_len - end;
        size_t extra = n - k;
        if (body && fwrite(f->head + end, 1, body, f->out) != body) return -1;
        f->got += (long long)body;
        if (extra && fwrite(data + k, 1, extra, f->out) != extra) return -1;
        f->got += (long long)extra;
        return 0;
    }
    if (fwrite(data, 1, n, f->out) != n) return -1;
    f->got += (long long)n;
    return 0;
}

static bool done(const struct fetch *f)
{
    return f->have_head && f->length >= 0 && f->got >= f->length;
}

int http_get_main(int argc, char **argv)
{
    struct synack_driver_config cfg;
    const char *outfile = NULL, *url = NULL;
    int early = netopts_begin(&argc, argv, &cfg, usage);
    if (early >= 0) return early;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            outfile = argv[++i];
        else if (!url)
            url = argv[i];
        else {
            usage(stderr);
            return 2;
        }
    }
    uint32_t addr;
    uint16_t port;
    char path[1024];
    if (!url || !outfile || parse_url(url, &addr, &port, path, sizeof path) < 0) {
        fprintf(stderr, "synack http get: need http://A.B.C.D[:PORT]/PATH and -o FILE\n");
        return 2;
    }
    struct fetch f;
    memset(&f, 0, sizeof f);
    f.out = fopen(outfile, "wb");
    if (!f.out) {
        fprintf(stderr, "synack http get: %s: %s\n", outfile, strerror(errno));
        return 1;
    }
    struct synack_driver *d = netopts_start("http get", &cfg);
    if (!d) {
        fclose(f.out);
        return 1;
    }
    struct synack_stack *st = synack_driver_stack(d);
    int fd = synack_socket(st), rc = 1;
    struct synack_endpoint r = {addr, port};
    int err = synack_connect(st, fd, &r);
    char req[1400];
    int rl = snprintf(req, sizeof req,
                      "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: synack\r\nConnection: "
                      "close\r\n\r\n",
                      path, url + 7);
    size_t sent = 0;
    bool eof = false;
    while (err == -EINPROGRESS || err == 0) {
        int ev = synack_poll_events(st, fd);
        if (ev & SYNACK_POLLERR) {
            err = synack_get_error(st, fd);
            break;
        }
        if ((ev & SYNACK_POLLOUT) && sent < (size_t)rl) {
            ssize_t n = synack_send(st, fd, req + sent, (size_t)rl - sent);
            if (n > 0) sent += (size_t)n;
        }
        char buf[16384];
        for (;;) {
            ssize_t n = synack_recv(st, fd, buf, sizeof buf);
            if (n == -EAGAIN) break;
            if (n < 0) {
                err = (int)n;
                break;
            }
            if (n == 0) {
                eof = true;
                break;
            }
            if (take(&f, buf, (size_t)n) < 0) {
                err = -EPROTO;
                break;
            }
        }
        if (err != -EINPROGRESS && err != 0) break;
        if (done(&f) || eof) break;
        int w = synack_driver_run_once(d, NULL, 0, -1);
        if (w < 0) err = w;
    }
    fclose(f.out);
    if (err != 0 && err != -EINPROGRESS) {
        fprintf(stderr, "synack http get: %s: %s\n", url,
                err == -EPROTO ? "malformed response" : strerror(-err));
    } else if (!f.have_head) {
        fprintf(stderr, "synack http get: %s: connection closed before a response\n", url);
    } else if (f.length >= 0 && f.got < f.length) {
        fprintf(stderr, "synack http get: %s: body cut short (%lld of %lld bytes)\n", url, f.got,
                f.length);
    } else if (f.status != 200) {
        fprintf(stderr, "synack http get: %s: status %d\n", url, f.status);
    } else {
        rc = 0;
    }
    if (err == 0 || err == -EINPROGRESS) {
        /* Graceful: our FIN, acknowledged, before the process (and the stack) goes. */
        synack_shutdown(st, fd, SYNACK_SHUT_WR);
        netopts_finish(d, fd, 3000);
    }
    synack_close(st, fd);
    synack_driver_free(d);
    return rc;
}
