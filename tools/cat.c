/* SPDX-License-Identifier: MIT */
/* `synack cat`: netcat over synack. stdin goes to the connection, the connection to stdout;
 * EOF on stdin half-closes (shutdown SHUT_WR); done when both directions are. */
#include "cat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "netopts.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: synack cat [OPTIONS] HOST PORT    connect to HOST:PORT\n"
                 "       synack cat [OPTIONS] -l PORT      accept one connection on PORT\n\n"
                 "Copies stdin to the connection and the connection to stdout; EOF on stdin\n"
                 "half-closes the connection. Exits 0 when both directions are done, 1 on a\n"
                 "connection error (refused, reset, timed out).\n\n" NETOPTS_HELP);
}

static int fail(const char *what, int err)
{
    fprintf(stderr, "synack cat: %s: %s\n", what, strerror(-err));
    return 1;
}

/* Copies between stdin/stdout and fd until both directions end. */
static int pump(struct synack_driver *d, int fd)
{
    struct synack_stack *st = synack_driver_stack(d);
    static char buf[65536];
    size_t pending = 0, off = 0; /* read from stdin, not yet queued */
    bool in_eof = false, out_eof = false, shut = false;
    while (!(out_eof && shut)) {
        /* Connection -> stdout. */
        for (;;) {
            char rb[16384];
            ssize_t n = synack_recv(st, fd, rb, sizeof rb);
            if (n == -EAGAIN) break;
            if (n < 0) return fail("receive", (int)n);
            if (n == 0) {
                out_eof = true;
                fflush(stdout);
                break;
            }
            if (fwrite(rb, 1, (size_t)n, stdout) != (size_t)n) return fail("stdout", -EIO);
        }
        fflush(stdout);
        /* stdin -> connection. */
        while (pending > 0) {
            ssize_t n = synack_send(st, fd, buf + off, pending);
            if (n == -EAGAIN) break;
            if (n < 0) return fail("send", (int)n);
            off += (size_t)n;
            pending -= (size_t)n;
        }
        if (in_eof && pending == 0 && !shut) {
            synack_shutdown(st, fd, SYNACK_SHUT_WR);
            shut = true;
        }
        /* Both directions closed: stop here rather than wait for one more event (the next
         * timer may be TIME-WAIT's, a minute away). Our FIN is sent by netopts_finish. */
        if (out_eof && shut) break;
        struct pollfd pin = {STDIN_FILENO, POLLIN, 0};
        bool want_in = !in_eof && pending == 0;
        int r = synack_driver_run_once(d, want_in ? &pin : NULL, want_in ? 1 : 0, -1);
        if (r < 0) return fail("poll", r);
        if (want_in && (pin.revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n <= 0)
                in_eof = true;
            else {
                pending = (size_t)n;
                off = 0;
            }
        }
    }
    netopts_finish(d, fd, 5000);
    return 0;
}

static int wait_connected(struct synack_driver *d, int fd)
{
    struct synack_stack *st = synack_driver_stack(d);
    for (;;) {
        int ev = synack_poll_events(st, fd);
        if (ev & (SYNACK_POLLERR | SYNACK_POLLHUP)) {
            int err = synack_get_error(st, fd);
            return err ? err : -ECONNRESET;
        }
        if (ev & SYNACK_POLLOUT) return 0;
        int r = synack_driver_run_once(d, NULL, 0, -1);
        if (r < 0) return r;
    }
}

int cat_main(int argc, char **argv)
{
    struct synack_driver_config cfg;
    int early = netopts_begin(&argc, argv, &cfg, usage);
    if (early >= 0) return early;
    bool listen_mode = argc == 2 && !strcmp(argv[0], "-l");
    if (argc != 2) {
        usage(stderr);
        return 2;
    }
    long port = strtol(argv[1], NULL, 10);
    uint32_t host = 0;
    if (port <= 0 || port > 65535 || (!listen_mode && netopts_ipv4(argv[0], &host) < 0)) {
        fprintf(stderr, "synack cat: need an IPv4 address and a port 1-65535\n");
        return 2;
    }
    struct synack_driver *d = netopts_start("cat", &cfg);
    if (!d) return 1;
    struct synack_stack *st = synack_driver_stack(d);
    int rc, fd;
    if (listen_mode) {
        int l = synack_socket(st);
        struct synack_endpoint ep = {0, (uint16_t)port};
        int err = synack_bind(st, l, &ep);
        if (!err) err = synack_listen(st, l, 1);
        if (err) {
            rc = fail("listen", err);
            goto out;
        }
        while ((fd = synack_accept(st, l, NULL)) == -EAGAIN)
            synack_driver_run_once(d, NULL, 0, -1);
        synack_close(st, l);
        rc = fd < 0 ? fail("accept", fd) : pump(d, fd);
    } else {
        fd = synack_socket(st);
        struct synack_endpoint r = {host, (uint16_t)port};
        int err = synack_connect(st, fd, &r);
        if (err == -EINPROGRESS) err = wait_connected(d, fd);
        rc = err ? fail("connect", err) : pump(d, fd);
    }
out:
    synack_driver_free(d);
    return rc;
}
