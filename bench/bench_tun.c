/* SPDX-License-Identifier: MIT */
/* One end of a bulk transfer for bench/tun.sh: synack on a TUN device (through the driver,
 * offloads on unless --no-offload) or a kernel socket, sending or receiving BYTES of a
 * pattern that the receiver checks word by word (the 8-byte word at offset 8k holds
 * k * 0x9e3779b97f4a7c15, so a byte out of place, lost or repeated is seen). Prints one line:
 *   ROLE bytes=N wall=S cpu=S user=S sys=S verified=yes|NO [driver stats]
 * wall is from the connection's start to the last byte (receiver) or to the peer's close
 * (sender); cpu is this process's user + system time over the same span. Exit 0 only if the
 * transfer completed and verified. Every wait is bounded (--timeout seconds, default 120). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "synack/driver.h"
#include "synack/synack.h"

#define CHUNK (256u * 1024u)
#define K 0x9e3779b97f4a7c15ull

static double timeout_s = 120;
static bool no_offload;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void cpu(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* Pattern bytes [pos, pos + n) into buf; pos and n multiples of 8. */
static void fill(uint8_t *buf, uint64_t pos, size_t n)
{
    uint64_t k = pos / 8;
    for (size_t i = 0; i < n; i += 8, k++) {
        uint64_t w = k * K;
        memcpy(buf + i, &w, 8);
    }
}

/* Checks n received bytes at stream offset pos (any alignment). */
static bool check(const uint8_t *buf, uint64_t pos, size_t n)
{
    size_t i = 0;
    while (i < n && (pos + i) % 8) {
        uint64_t w = ((pos + i) / 8) * K;
        if (buf[i] != ((const uint8_t *)&w)[(pos + i) % 8]) return false;
        i++;
    }
    uint64_t k = (pos + i) / 8;
    for (; i + 8 <= n; i += 8, k++) {
        uint64_t w;
        memcpy(&w, buf + i, 8);
        if (w != k * K) return false;
    }
    for (; i < n; i++) {
        uint64_t w = ((pos + i) / 8) * K;
        if (buf[i] != ((const uint8_t *)&w)[(pos + i) % 8]) return false;
    }
    return true;
}

struct span {
    double t, user, sys;
};

static struct span now_span(void)
{
    struct span s;
    s.t = mono();
    cpu(&s.user, &s.sys);
    return s;
}

static void report(const char *role, uint64_t bytes, struct span a, bool ok, const char *extra)
{
    struct span b = now_span();
    printf("%s bytes=%llu wall=%.3f cpu=%.3f user=%.3f sys=%.3f verified=%s%s\n", role,
           (unsigned long long)bytes, b.t - a.t, b.user - a.user + b.sys - a.sys, b.user - a.user,
           b.sys - a.sys, ok ? "yes" : "NO", extra);
    fflush(stdout);
}

/* ---- kernel sockets ---- */

static int kernel_send(const char *host, int port, uint64_t total)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    struct timeval tv = {(time_t)timeout_s, 0};
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    double until = mono() + timeout_s;
    while (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
        if ((errno != ECONNREFUSED && errno != EAGAIN) || mono() > until) {
            perror("kernel-send: connect");
            return 1;
        }
        usleep(20000);
        close(s);
        s = socket(AF_INET, SOCK_STREAM, 0);
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    static uint8_t buf[CHUNK];
    struct span a = now_span();
    uint64_t pos = 0;
    while (pos < total) {
        size_t n = total - pos < CHUNK ? (size_t)(total - pos) : CHUNK;
        fill(buf, pos, (n + 7) & ~(size_t)7);
        size_t off = 0;
        while (off < n) {
            ssize_t w = send(s, buf + off, n - off, 0);
            if (w <= 0) {
                perror("kernel-send: send");
                return 1;
            }
            off += (size_t)w;
        }
        pos += n;
    }
    shutdown(s, SHUT_WR);
    char c;
    bool closed = recv(s, &c, 1, 0) == 0; /* the receiver closes once it has everything */
    report("kernel-send", pos, a, closed, "");
    close(s);
    return closed ? 0 : 1;
}

static int kernel_recv(const char *host, int port, uint64_t total)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (bind(l, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(l, 1) < 0) {
        perror("kernel-recv: bind/listen");
        return 1;
    }
    printf("listening\n");
    fflush(stdout);
    struct timeval tv = {(time_t)timeout_s, 0};
    setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int s = accept(l, NULL, NULL);
    if (s < 0) {
        perror("kernel-recv: accept");
        return 1;
    }
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    static uint8_t buf[CHUNK];
    struct span a = now_span();
    uint64_t pos = 0;
    bool ok = true;
    for (;;) {
        ssize_t r = recv(s, buf, sizeof buf, 0);
        if (r < 0) {
            perror("kernel-recv: recv");
            ok = false;
            break;
        }
        if (r == 0) break;
        if (ok && !check(buf, pos, (size_t)r)) ok = false;
        pos += (uint64_t)r;
    }
    ok = ok && pos == total;
    report("kernel-recv", pos, a, ok, "");
    close(s);
    close(l);
    return ok ? 0 : 1;
}

/* ---- synack through the driver ---- */

static struct synack_driver *start(void)
{
    struct synack_driver_config cfg;
    synack_driver_config_init(&cfg);
    cfg.no_offload = no_offload;
    struct synack_config sc;
    synack_config_init(&sc);
    struct synack_driver *d;
    const char *msg;
    int err = synack_driver_new(&cfg, &sc, &d, &msg);
    if (err < 0) {
        fprintf(stderr, "bench_tun: %s\n", msg ? msg : strerror(-err));
        return NULL;
    }
    return d;
}

static void stats_line(struct synack_driver *d, char *out, size_t cap)
{
    struct synack_driver_stats s;
    synack_driver_get_stats(d, &s);
    snprintf(out, cap,
             " offload=%s/%s rx_pkts=%llu rx_gso=%llu rx_csum_done=%llu tx_pkts=%llu tx_tso=%llu "
             "wakeups=%llu tx_dropped=%llu",
             s.rx_offload ? "rx" : "-", s.tx_offload ? "tx" : "-", (unsigned long long)s.rx_packets,
             (unsigned long long)s.rx_gso, (unsigned long long)s.rx_csum_done,
             (unsigned long long)s.tx_packets, (unsigned long long)s.tx_tso,
             (unsigned long long)s.wakeups, (unsigned long long)synack_driver_tx_dropped(d));
}

static int synack_side(bool sending, const char *host, int port, uint64_t total)
{
    struct synack_driver *d = start();
    if (!d) return 1;
    struct synack_stack *st = synack_driver_stack(d);
    int fd;
    double until = mono() + timeout_s;
    if (sending) {
        uint32_t addr;
        struct in_addr ia;
        inet_pton(AF_INET, host, &ia);
        addr = ntohl(ia.s_addr);
        for (;;) {
            fd = synack_socket(st);
            struct synack_endpoint r = {addr, (uint16_t)port};
            int err = synack_connect(st, fd, &r);
            while (err == -EINPROGRESS && mono() < until) {
                int ev = synack_poll_events(st, fd);
                if (ev & (SYNACK_POLLERR | SYNACK_POLLHUP)) {
                    err = synack_get_error(st, fd);
                    if (!err) err = -ECONNRESET;
                } else if (ev & SYNACK_POLLOUT) {
                    err = 0;
                } else {
                    synack_driver_run_once(d, NULL, 0, 100);
                }
            }
            if (err == 0) break;
            synack_close(st, fd);
            if (err != -ECONNREFUSED || mono() > until) {
                fprintf(stderr, "bench_tun: connect: %s\n", strerror(-err));
                synack_driver_free(d);
                return 1;
            }
            usleep(20000);
        }
    } else {
        int l = synack_socket(st);
        struct synack_endpoint ep = {0, (uint16_t)port};
        if (synack_bind(st, l, &ep) || synack_listen(st, l, 1)) {
            fprintf(stderr, "bench_tun: listen failed\n");
            return 1;
        }
        printf("listening\n");
        fflush(stdout);
        while ((fd = synack_accept(st, l, NULL)) == -EAGAIN && mono() < until)
            synack_driver_run_once(d, NULL, 0, 100);
        if (fd < 0) {
            fprintf(stderr, "bench_tun: accept: %s\n", strerror(-fd));
            return 1;
        }
        synack_close(st, l);
    }
    static uint8_t buf[CHUNK];
    struct span a = now_span();
    uint64_t pos = 0, filled = 0; /* sender: bytes queued; pattern in buf from filled - CHUNK */
    size_t have = 0, off = 0;
    bool ok = true, done = false, shut = false;
    while (!done) {
        if (mono() > until) {
            fprintf(stderr, "bench_tun: timed out after %llu bytes\n", (unsigned long long)pos);
            ok = false;
            break;
        }
        if (sending) {
            while (pos < total) {
                if (off == have) {
                    have = total - filled < CHUNK ? (size_t)(total - filled) : CHUNK;
                    fill(buf, filled, (have + 7) & ~(size_t)7);
                    filled += have;
                    off = 0;
                }
                ssize_t n = synack_send(st, fd, buf + off, have - off);
                if (n == -EAGAIN) break;
                if (n < 0) {
                    fprintf(stderr, "bench_tun: send: %s\n", strerror((int)-n));
                    ok = false;
                    done = true;
                    break;
                }
                off += (size_t)n;
                pos += (uint64_t)n;
            }
            if (pos == total && !shut) {
                synack_shutdown(st, fd, SYNACK_SHUT_WR);
                shut = true;
            }
            if (shut) {
                char c;
                ssize_t n = synack_recv(st, fd, &c, 1);
                if (n == 0)
                    done = true; /* the receiver has everything and closed */
                else if (n != -EAGAIN) {
                    fprintf(stderr, "bench_tun: recv: %s\n", strerror((int)-n));
                    ok = false;
                    done = true;
                }
            }
        } else {
            for (;;) {
                ssize_t n = synack_recv(st, fd, buf, sizeof buf);
                if (n == -EAGAIN) break;
                if (n <= 0) {
                    if (n < 0) fprintf(stderr, "bench_tun: recv: %s\n", strerror((int)-n));
                    ok = ok && n == 0;
                    done = true;
                    break;
                }
                if (ok && !check(buf, pos, (size_t)n)) ok = false;
                pos += (uint64_t)n;
            }
        }
        if (!done) synack_driver_run_once(d, NULL, 0, 100);
    }
    char extra[256];
    stats_line(d, extra, sizeof extra);
    ok = ok && pos == total;
    report(sending ? "synack-send" : "synack-recv", pos, a, ok, extra);
    synack_close(st, fd);
    /* Let our FIN (or the last ACK) go out before the device closes. */
    for (double end = mono() + 0.2; mono() < end;)
        synack_driver_run_once(d, NULL, 0, 20);
    synack_driver_free(d);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    int a = 1;
    for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a++) {
        if (!strcmp(argv[a], "--no-offload"))
            no_offload = true;
        else if (!strcmp(argv[a], "--timeout") && a + 1 < argc)
            timeout_s = atof(argv[++a]);
        else
            break;
    }
    if (argc - a != 4) {
        fprintf(stderr, "usage: bench_tun [--no-offload] [--timeout S] "
                        "synack-send|synack-recv|kernel-send|kernel-recv ADDR PORT BYTES\n"
                        "(synack-recv ignores ADDR: it listens on its own address)\n");
        return 2;
    }
    const char *mode = argv[a], *host = argv[a + 1];
    int port = atoi(argv[a + 2]);
    uint64_t bytes = strtoull(argv[a + 3], NULL, 10);
    if (!strcmp(mode, "kernel-send")) return kernel_send(host, port, bytes);
    if (!strcmp(mode, "kernel-recv")) return kernel_recv(host, port, bytes);
    if (!strcmp(mode, "synack-send")) return synack_side(true, host, port, bytes);
    if (!strcmp(mode, "synack-recv")) return synack_side(false, host, port, bytes);
    fprintf(stderr, "bench_tun: unknown mode %s\n", mode);
    return 2;
}
