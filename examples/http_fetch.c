/* SPDX-License-Identifier: MIT */
/* http_fetch: an HTTP/1.0 GET over a TUN device, with the event loop written out in full.
 *
 * This is the loop every embedder writes (docs/getting-started.md explains it):
 *   - a link callback that hands each packet the stack sends to the device;
 *   - packets read from the device go to synack_stack_input() with the current time;
 *   - synack_stack_poll() runs timers and sends what socket calls queued;
 *   - poll(2) sleeps until a packet arrives or synack_stack_next_deadline() comes.
 * (synack/driver.h packages the same loop; the synack tool and tls_client.c use it.)
 *
 * It needs root (CAP_NET_ADMIN) for the TUN device. The kernel side of the device gets
 * 198.18.0.1/24 and synack is 198.18.0.2, so try it in a private namespace:
 *
 *   scripts/netns.sh -- sh -c 'python3 -m http.server 8000 --bind 198.18.0.1 & sleep 1;
 *       build/examples/http_fetch 198.18.0.1 8000 /README.md; kill $!'
 *
 * The body goes to stdout; exit status 0 when the server sent status 200. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <synack/synack.h>
#include <synack/tun.h>

#define TUN_NAME "synack0"

/* The clock is the application's business: the engine is only ever told the time. */
static synack_time_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (synack_time_t)ts.tv_sec * 1000000000ull + (synack_time_t)ts.tv_nsec;
}

/* The link: called from inside synack_stack_input() and synack_stack_poll() for each IPv4
 * packet the stack sends. The buffer is only valid during the call. A full device queue
 * drops the packet; TCP recovers as from any loss. */
static void tun_transmit(void *ctx, const uint8_t *packet, size_t len, synack_time_t now)
{
    (void)now;
    int fd = *(int *)ctx;
    if (write(fd, packet, len) < 0) { /* dropped */
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: http_fetch A.B.C.D PORT /PATH   (as root; see the source)\n");
        return 2;
    }
    struct in_addr ia;
    long port = strtol(argv[2], NULL, 10);
    if (inet_pton(AF_INET, argv[1], &ia) != 1 || port < 1 || port > 65535) {
        fprintf(stderr, "http_fetch: need an IPv4 address and a port\n");
        return 2;
    }

    /* The device: synack is a host behind it, the kernel sees an interface. */
    int tun = synack_tun_open(TUN_NAME);
    if (tun < 0) {
        fprintf(stderr, "http_fetch: %s: %s\n", TUN_NAME, synack_tun_strerror(tun));
        return 1;
    }
    int err = synack_tun_configure(TUN_NAME, SYNACK_IPV4(198, 18, 0, 1), 24);
    if (err < 0) {
        fprintf(stderr, "http_fetch: %s: %s\n", TUN_NAME, synack_tun_strerror(err));
        return 1;
    }

    /* The stack: defaults follow Linux; a real link needs a random secret (RFC 6528), and
     * synack_stack_new() refuses the all-zero default. */
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.local_addr = SYNACK_IPV4(198, 18, 0, 2);
    if (synack_config_random_secret(&cfg) < 0) {
        fprintf(stderr, "http_fetch: getrandom failed\n");
        return 1;
    }
    struct synack_link link = {&tun, tun_transmit};
    struct synack_stack *st = synack_stack_new(&cfg, &link);
    if (!st) return 1;

    /* The request, queued as soon as the connection is writable. */
    char req[1024];
    int reqlen = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", argv[3], argv[1]);
    if (reqlen < 0 || (size_t)reqlen >= sizeof req) return 2;
    size_t sent = 0;

    int fd = synack_socket(st);
    struct synack_endpoint server = {ntohl(ia.s_addr), (uint16_t)port};
    err = synack_connect(st, fd, &server); /* -EINPROGRESS: the SYN leaves at the next poll */
    if (err != -EINPROGRESS) {
        fprintf(stderr, "http_fetch: connect: %s\n", strerror(-err));
        return 1;
    }

    char head[4096]; /* the response header, to find the status line and the body */
    size_t headlen = 0;
    int status = 0, rc = 1;
    bool in_body = false;
    synack_time_t give_up = now_ns() + SYNACK_SEC(30);
    for (;;) {
        /* 1. Application work: send what fits, read what arrived. */
        int ev = synack_poll_events(st, fd);
        if (ev & SYNACK_POLLERR) {
            fprintf(stderr, "http_fetch: %s\n", strerror(-synack_get_error(st, fd)));
            break;
        }
        if ((ev & SYNACK_POLLOUT) && sent < (size_t)reqlen) {
            ssize_t n = synack_send(st, fd, req + sent, (size_t)reqlen - sent);
            if (n > 0) sent += (size_t)n;
            if (sent == (size_t)reqlen) synack_shutdown(st, fd, SYNACK_SHUT_WR);
        }
        char buf[16384];
        ssize_t n;
        bool eof = false;
        while ((n = synack_recv(st, fd, buf, sizeof buf)) > 0) {
            size_t off = 0;
            if (!in_body) { /* collect the header up to the empty line */
                size_t take =
                    (size_t)n < sizeof head - 1 - headlen ? (size_t)n : sizeof head - 1 - headlen;
                memcpy(head + headlen, buf, take);
                headlen += take;
                head[headlen] = '\0';
                char *end = strstr(head, "\r\n\r\n");
                if (!end && headlen == sizeof head - 1) break; /* header too long */
                if (!end) continue;
                in_body = true;
                sscanf(head, "HTTP/%*d.%*d %d", &status);
                off = take - (headlen - (size_t)(end + 4 - head)); /* body starts here */
            }
            fwrite(buf + off, 1, (size_t)n - off, stdout);
        }
        if (n == 0) eof = true;
        if (n < 0 && n != -EAGAIN) {
            fprintf(stderr, "http_fetch: %s\n", strerror((int)-n));
            break;
        }
        if (eof) {
            rc = status == 200 ? 0 : 1;
            if (status != 200) fprintf(stderr, "http_fetch: status %d\n", status);
            break;
        }

        /* 2. Sleep until a packet arrives or the stack's next deadline, whichever is first.
         * synack_stack_next_deadline() is in the past when socket calls left output
         * pending, so the poll below runs at once. */
        synack_time_t t = now_ns(), deadline = synack_stack_next_deadline(st);
        if (t >= give_up) {
            fprintf(stderr, "http_fetch: timed out\n");
            break;
        }
        if (deadline > give_up) deadline = give_up;
        int wait_ms = deadline <= t ? 0 : (int)((deadline - t + 999999) / 1000000);
        struct pollfd p = {tun, POLLIN, 0};
        poll(&p, 1, wait_ms);

        /* 3. Feed every packet that arrived, then let the stack run its timers and send. */
        t = now_ns();
        uint8_t pkt[65536];
        ssize_t len;
        while ((len = read(tun, pkt, sizeof pkt)) > 0)
            synack_stack_input(st, pkt, (size_t)len, t);
        synack_stack_poll(st, t);
    }
    fflush(stdout);
    /* Give our FIN a moment to be acknowledged before the stack (and the device) go away:
     * wait for TIME-WAIT (both FINs exchanged and acknowledged), at most 500 ms. */
    synack_time_t end = now_ns() + SYNACK_MS(500);
    struct synack_conn_info ci;
    while (synack_get_info(st, fd, &ci) == 0 && ci.state != SYNACK_TIME_WAIT &&
           ci.state != SYNACK_CLOSED && now_ns() < end) {
        struct pollfd p = {tun, POLLIN, 0};
        poll(&p, 1, 10);
        synack_time_t t = now_ns();
        uint8_t pkt[2048];
        ssize_t len;
        while ((len = read(tun, pkt, sizeof pkt)) > 0)
            synack_stack_input(st, pkt, (size_t)len, t);
        synack_stack_poll(st, t);
    }
    synack_close(st, fd);
    synack_stack_free(st);
    close(tun);
    return rc;
}
