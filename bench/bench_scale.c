/* SPDX-License-Identifier: MIT */
/* Issue 8's figures in one run: per-packet cost with 0, 10k, 100k, 1M idle established
 * connections present, time to open them and RSS per idle connection, connections per
 * second against the kernel on loopback, and bulk throughput against the kernel. Two synack
 * stacks in this process, joined by an in-memory wire (a preallocated packet queue each
 * way, no allocation per packet), in virtual time (the clock moves 1 us per delivery round
 * and jumps to the next deadline when nothing else can happen). Every transfer is checked
 * byte for byte against a pattern. Figures are printed, never asserted.
 *
 * Usage: build/bench/bench_scale [--conns N] [--bulk-mib M] [--cps-seconds S]
 *   --conns N        idle connections to reach (default 1000000; capped, with a note, so
 *                    that the projected RSS stays under half of MemAvailable)
 *   --bulk-mib M     bulk transfer size for throughput (default 1024)
 *   --cps-seconds S  duration of each connections-per-second run (default 2) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "synack/synack.h"

#define PERIOD 65521u /* pattern period (prime, so it never lines up with buffer sizes) */
#define SLOT 2048     /* wire slot: a default-MSS packet with options */
#define WIRE_SLOTS (1u << 16)
#define LISTENERS 64 /* server ports 1000..1063: 64 x 28232 ephemeral ports */
#define REQ 100

static uint8_t pattern[PERIOD + (1u << 16)];

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double rss_mib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

/* The number of the first line of a /proc file that fmt (one %lf) matches; 0 if none. */
static double proc_number(const char *path, const char *fmt)
{
    FILE *f = fopen(path, "r");
    char line[512];
    double v = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, fmt, &v) == 1) break;
    if (f) fclose(f);
    return v;
}

static double mem_available_mib(void)
{
    return proc_number("/proc/meminfo", "MemAvailable: %lf kB") / 1024.0;
}

/* ---- the in-memory wire ---- */

struct wire {
    uint8_t *slot; /* nslots packets of at most size bytes */
    size_t size;
    unsigned nslots;
    uint32_t *len;
    unsigned head, count;
};

/* With offload, the wire behaves as a virtio or veth link with its offloads on: the stacks
 * hand it TCP segments of up to 64 KiB with the checksum left to it (TSO), and it passes
 * them whole to the other stack with the checksum vouched for (as GRO and checksum offload
 * would), so per-packet costs are paid per 64 KiB and checksums not at all. */
#define TSO_MAX 65536u
#define TSO_SLOTS 2048u

struct bench {
    struct synack_stack *c, *s; /* client 198.18.0.1, server 198.18.0.2 */
    struct wire to_s, to_c;
    synack_time_t now;
    uint64_t delivered;
    /* Measured transfers run on the real clock (plus what jump() skipped), so the stacks
     * see how long the work takes, as they would on a real link; setup runs in virtual
     * time, 1 us per round. */
    bool real_clock;
    synack_time_t skew;
    bool offload;
};

static synack_time_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (synack_time_t)ts.tv_sec * 1000000000u + (synack_time_t)ts.tv_nsec;
}

/* The next free slot of the wire for a packet of len bytes. */
static uint8_t *wire_slot(struct wire *w, size_t len)
{
    if (len > w->size || w->count == w->nslots) {
        fprintf(stderr, "bench_scale: wire overflow (packet %zu bytes, %u queued)\n", len,
                w->count);
        exit(2);
    }
    unsigned i = (w->head + w->count++) % w->nslots;
    w->len[i] = (uint32_t)len;
    return w->slot + (size_t)i * w->size;
}

static void wire_tx(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    (void)now;
    memcpy(wire_slot(ctx, len), pkt, len);
}

/* A super-segment in pieces (headers, then references into the send buffer): gathered
 * into one packet, the wire's one copy. */
static void wire_tso(void *ctx, const struct synack_iovec *iov, unsigned niov, size_t len,
                     uint16_t seg_size, synack_time_t now)
{
    (void)seg_size;
    (void)now;
    uint8_t *p = wire_slot(ctx, len);
    for (unsigned k = 0; k < niov; k++) {
        memcpy(p, iov[k].base, iov[k].len);
        p += iov[k].len;
    }
}

/* Delivers what is queued now on both wires, polls due stacks; returns true if anything
 * happened. */
static bool deliver_round(struct bench *b)
{
    bool any = false;
    struct {
        struct wire *w;
        struct synack_stack *to;
    } dir[2] = {{&b->to_s, b->s}, {&b->to_c, b->c}};
    for (int d = 0; d < 2; d++) {
        struct wire *w = dir[d].w;
        for (unsigned n = w->count; n > 0; n--) {
            unsigned i = w->head;
            w->head = (w->head + 1) % w->nslots;
            w->count--;
            synack_stack_input_flags(dir[d].to, w->slot + (size_t)i * w->size, w->len[i], b->now,
                                     b->offload ? SYNACK_INPUT_CSUM_VALID : 0);
            b->delivered++;
            any = true;
        }
    }
    struct synack_stack *st[2] = {b->c, b->s};
    for (int i = 0; i < 2; i++) {
        if (synack_stack_next_deadline(st[i]) <= b->now) {
            synack_stack_poll(st[i], b->now);
            any = true;
        }
    }
    if (b->real_clock) {
        synack_time_t t = mono_ns() + b->skew;
        b->now = t > b->now ? t : b->now + 1;
    } else {
        b->now += SYNACK_US(1);
    }
    return any;
}

/* Runs until nothing is in flight or due now. */
static void settle(struct bench *b)
{
    while (deliver_round(b) || b->to_s.count || b->to_c.count) {
    }
}

/* Nothing in flight: moves the clock to the earliest deadline (a blocked application). */
static void jump(struct bench *b)
{
    synack_time_t a = synack_stack_next_deadline(b->c), c = synack_stack_next_deadline(b->s);
    synack_time_t t = a < c ? a : c;
    if (t != SYNACK_TIME_NEVER && t > b->now) {
        b->skew += t - b->now;
        b->now = t;
    }
}

static void bench_init_with(struct bench *b, unsigned max_conns, bool offload)
{
    memset(b, 0, sizeof *b);
    b->offload = offload;
    struct wire *w[2] = {&b->to_s, &b->to_c};
    for (int i = 0; i < 2; i++) {
        w[i]->size = offload ? TSO_MAX : SLOT;
        w[i]->nslots = offload ? TSO_SLOTS : WIRE_SLOTS;
        w[i]->slot = malloc((size_t)w[i]->nslots * w[i]->size);
        w[i]->len = malloc(w[i]->nslots * sizeof *w[i]->len);
        if (!w[i]->slot || !w[i]->len) exit(2);
    }
    struct synack_config cfg[2];
    for (int i = 0; i < 2; i++) {
        synack_config_init(&cfg[i]); /* the default config, with room for max_conns */
        synack_config_random_secret(&cfg[i]);
        if (getenv("NOTUNE")) cfg[i].rcvbuf_max = cfg[i].sndbuf_max = 0;
        cfg[i].local_addr = i == 0 ? SYNACK_IPV4(198, 18, 0, 1) : SYNACK_IPV4(198, 18, 0, 2);
        if (max_conns + 1024 > cfg[i].max_sockets) cfg[i].max_sockets = max_conns + 1024;
        if (max_conns + 1024 > cfg[i].max_connections) cfg[i].max_connections = max_conns + 1024;
    }
    b->c = synack_stack_new(&cfg[0], &(struct synack_link){&b->to_s, wire_tx});
    b->s = synack_stack_new(&cfg[1], &(struct synack_link){&b->to_c, wire_tx});
    if (!b->c || !b->s) {
        fprintf(stderr, "bench_scale: stack creation failed\n");
        exit(2);
    }
    if (offload) {
        struct synack_link_offload off[2] = {{true, TSO_MAX, wire_tso}, {true, TSO_MAX, wire_tso}};
        if (synack_stack_set_link_offload(b->c, &off[0]) ||
            synack_stack_set_link_offload(b->s, &off[1])) {
            fprintf(stderr, "bench_scale: link offload refused\n");
            exit(2);
        }
    }
    b->now = SYNACK_SEC(1);
    synack_stack_poll(b->c, b->now);
    synack_stack_poll(b->s, b->now);
}

static void bench_init(struct bench *b, unsigned max_conns)
{
    bench_init_with(b, max_conns, false);
}

static void bench_free(struct bench *b)
{
    synack_stack_free(b->c);
    synack_stack_free(b->s);
    free(b->to_s.slot);
    free(b->to_s.len);
    free(b->to_c.slot);
    free(b->to_c.len);
}

static int listen_on(struct synack_stack *st, uint16_t port, int backlog)
{
    int l = synack_socket(st);
    struct synack_endpoint ep = {0, port};
    if (l < 0 || synack_bind(st, l, &ep) || synack_listen(st, l, backlog)) {
        fprintf(stderr, "bench_scale: listen on %u failed\n", port);
        exit(2);
    }
    return l;
}

static int connect_to(struct bench *b, uint16_t port)
{
    int fd = synack_socket(b->c);
    struct synack_endpoint srv = {SYNACK_IPV4(198, 18, 0, 2), port};
    int r = fd < 0 ? fd : synack_connect(b->c, fd, &srv);
    if (r != -EINPROGRESS) {
        fprintf(stderr, "bench_scale: connect: %s\n", strerror(-r));
        exit(2);
    }
    return fd;
}

/* ---- a verified bulk transfer on one connection (client -> server) ---- */

struct bulk {
    int cfd, sfd;
    uint64_t total, sent, got;
    uint64_t bad;
    bool zerocopy; /* SYNACK_MSG_ZEROCOPY sends from the pattern, borrowed reads */
};

/* Reads what the server has, in place (synack_recv_borrow) or copied, checking it against
 * the pattern; returns whether anything came. */
static bool bulk_read(struct bench *b, struct bulk *x)
{
    static uint8_t rbuf[1 << 16];
    bool moved = false;
    for (;;) {
        struct synack_iovec v[16];
        unsigned count = 1;
        ssize_t n = x->zerocopy ? synack_recv_borrow(b->s, x->sfd, v, 16, &count)
                                : synack_recv(b->s, x->sfd, rbuf, sizeof rbuf);
        if (n <= 0) break;
        if (!x->zerocopy) v[0] = (struct synack_iovec){rbuf, (size_t)n};
        for (unsigned i = 0; i < count; i++) {
            if (memcmp(v[i].base, pattern + x->got % PERIOD, v[i].len)) x->bad++;
            x->got += v[i].len;
        }
        if (x->zerocopy) synack_recv_return(b->s, x->sfd, (size_t)n);
        moved = true;
    }
    return moved;
}

static void bulk_run(struct bench *b, struct bulk *x)
{
    while (x->got < x->total) {
        bool moved = false;
        while (x->sent < x->total) {
            uint64_t off = x->sent % PERIOD, left = x->total - x->sent;
            size_t want = left < (1u << 16) ? (size_t)left : (1u << 16);
            /* The pattern stays as it is while the run lasts: zero-copy sends may
             * reference it until they complete. */
            ssize_t n = synack_send_flags(b->c, x->cfd, pattern + off, want,
                                          x->zerocopy ? SYNACK_MSG_ZEROCOPY : 0);
            if (n <= 0) break;
            x->sent += (uint64_t)n;
            moved = true;
        }
        moved |= bulk_read(b, x);
        if (!deliver_round(b) && !moved && !b->to_s.count && !b->to_c.count) jump(b);
    }
}

/* Opens one connection on port 1000 and returns its two ends. */
static void open_active(struct bench *b, int lfd, int *cfd, int *sfd)
{
    *cfd = connect_to(b, 1000);
    settle(b);
    *sfd = synack_accept(b->s, lfd, NULL);
    if (*sfd < 0) {
        fprintf(stderr, "bench_scale: the measured connection did not open\n");
        exit(2);
    }
}

/* Per-packet cost: a verified transfer of mib MiB on the active connection; ns per packet
 * handed to a stack (data segments and ACKs). */
static double per_packet(struct bench *b, int cfd, int sfd, uint64_t mib, double *gbps_cpu,
                         bool zerocopy)
{
    struct bulk x = {cfd, sfd, mib << 20, 0, 0, 0, zerocopy};
    uint64_t d0 = b->delivered;
    b->real_clock = true;
    b->skew = b->now - mono_ns();
    double c0 = cpu_s();
    bulk_run(b, &x);
    double t = cpu_s() - c0;
    b->real_clock = false;
    uint64_t pkts = b->delivered - d0;
    if (x.bad) {
        fprintf(stderr, "bench_scale: %llu corrupted reads\n", (unsigned long long)x.bad);
        exit(3);
    }
    if (gbps_cpu) *gbps_cpu = (double)x.total * 8 / t / 1e9;
    return t * 1e9 / (double)pkts;
}

/* ---- idle connections ---- */

struct idle {
    int lfd[LISTENERS];
    struct synack_events *acc; /* the listeners, level-triggered */
    unsigned open;
    unsigned next_port;
};

/* Opens idle connections until there are target; returns false if one failed. */
static bool idle_open(struct bench *b, struct idle *id, unsigned target)
{
    struct synack_event ev[LISTENERS];
    while (id->open < target) {
        unsigned batch = target - id->open < 8192 ? target - id->open : 8192;
        for (unsigned i = 0; i < batch; i++) {
            connect_to(b, (uint16_t)(1000 + id->next_port));
            id->next_port = (id->next_port + 1) % LISTENERS;
        }
        unsigned got = 0;
        for (int round = 0; got < batch && round < 100000; round++) {
            bool any = deliver_round(b);
            int n = synack_events_wait(id->acc, ev, LISTENERS);
            for (int k = 0; k < n; k++) {
                int l = ev[k].data.fd;
                while (synack_accept(b->s, l, NULL) >= 0)
                    got++;
            }
            if (!any && n == 0 && !b->to_s.count && !b->to_c.count) jump(b);
        }
        id->open += got;
        if (got < batch) return false;
        settle(b);
    }
    return true;
}

/* ---- connections per second ---- */

static double synack_cps(double seconds, unsigned *count_out)
{
    struct bench b;
    bench_init(&b, 1u << 21);
    int l = listen_on(b.s, 80, 4096);
    uint8_t req[REQ], buf[512];
    unsigned done = 0;
    double t0 = wall_s(), t = 0;
    while ((t = wall_s() - t0) < seconds) {
        for (int rep = 0; rep < 256; rep++) {
            int c = connect_to(&b, 80);
            settle(&b);
            int s = synack_accept(b.s, l, NULL);
            memcpy(req, pattern + done % PERIOD, REQ);
            if (s < 0 || synack_send(b.c, c, req, REQ) != REQ) goto fail;
            settle(&b);
            if (synack_recv(b.s, s, buf, sizeof buf) != REQ || memcmp(buf, req, REQ)) goto fail;
            if (synack_send(b.s, s, pattern + (done + 7) % PERIOD, REQ) != REQ) goto fail;
            synack_close(b.s, s); /* the server closes first: TIME-WAIT stays with it */
            settle(&b);
            if (synack_recv(b.c, c, buf, sizeof buf) != REQ ||
                memcmp(buf, pattern + (done + 7) % PERIOD, REQ))
                goto fail;
            if (synack_recv(b.c, c, buf, sizeof buf) != 0) goto fail;
            synack_close(b.c, c);
            settle(&b);
            done++;
        }
    }
    *count_out = done;
    bench_free(&b);
    return done / t;
fail:
    fprintf(stderr, "bench_scale: synack connection %u failed\n", done);
    exit(3);
}

struct kside {
    struct sockaddr_in addr;
    int lfd;
    volatile int stop;
    unsigned done;
    int failed;
};

static void *kernel_server(void *arg)
{
    struct kside *k = arg;
    uint8_t buf[512];
    for (;;) {
        int s = accept(k->lfd, NULL, NULL);
        if (s < 0) break;
        size_t got = 0;
        while (got < REQ) {
            ssize_t n = read(s, buf + got, REQ - got);
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (got != REQ || write(s, buf, REQ) != REQ) k->failed = 1;
        close(s);
    }
    return NULL;
}

static double kernel_cps(double seconds, unsigned *count_out)
{
    struct kside k;
    memset(&k, 0, sizeof k);
    k.addr.sin_family = AF_INET;
    k.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof k.addr;
    k.lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (k.lfd < 0 || bind(k.lfd, (struct sockaddr *)&k.addr, sizeof k.addr) ||
        listen(k.lfd, 4096) || getsockname(k.lfd, (struct sockaddr *)&k.addr, &al)) {
        perror("bench_scale: kernel listen");
        return 0;
    }
    pthread_t th;
    pthread_create(&th, NULL, kernel_server, &k);
    uint8_t req[REQ], buf[512];
    unsigned done = 0;
    double t0 = wall_s(), t = 0;
    while ((t = wall_s() - t0) < seconds) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        memcpy(req, pattern + done % PERIOD, REQ);
        if (connect(c, (struct sockaddr *)&k.addr, sizeof k.addr) || write(c, req, REQ) != REQ) {
            perror("bench_scale: kernel client");
            close(c);
            break;
        }
        size_t got = 0;
        ssize_t n;
        while ((n = read(c, buf + got, sizeof buf - got)) > 0)
            got += (size_t)n;
        if (got != REQ || memcmp(buf, req, REQ)) k.failed = 1;
        close(c);
        done++;
    }
    shutdown(k.lfd, SHUT_RDWR);
    close(k.lfd);
    pthread_join(th, NULL);
    if (k.failed) fprintf(stderr, "bench_scale: kernel exchange failed verification\n");
    *count_out = done;
    return done / t;
}

/* ---- kernel bulk over loopback ---- */

struct kbulk {
    struct sockaddr_in addr;
    int lfd;
    uint64_t total;
};

static void *kernel_bulk_sender(void *arg)
{
    struct kbulk *k = arg;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&k->addr, sizeof k->addr)) return NULL;
    for (uint64_t sent = 0; sent < k->total;) {
        uint64_t left = k->total - sent;
        size_t want = left < (1u << 16) ? (size_t)left : (1u << 16);
        ssize_t n = write(s, pattern + sent % PERIOD, want);
        if (n <= 0) break;
        sent += (uint64_t)n;
    }
    close(s);
    return NULL;
}

static void kernel_bulk(uint64_t total, double *wall, double *cpu, uint64_t *bad)
{
    struct kbulk k;
    memset(&k, 0, sizeof k);
    k.total = total;
    k.addr.sin_family = AF_INET;
    k.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof k.addr;
    k.lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(k.lfd, (struct sockaddr *)&k.addr, sizeof k.addr) || listen(k.lfd, 1) ||
        getsockname(k.lfd, (struct sockaddr *)&k.addr, &al)) {
        perror("bench_scale: kernel bulk");
        return;
    }
    static uint8_t rbuf[1 << 16];
    double w0 = wall_s(), c0 = cpu_s();
    pthread_t th;
    pthread_create(&th, NULL, kernel_bulk_sender, &k);
    int s = accept(k.lfd, NULL, NULL);
    uint64_t got = 0;
    *bad = 0;
    for (ssize_t n; (n = read(s, rbuf, sizeof rbuf)) > 0; got += (uint64_t)n)
        if (memcmp(rbuf, pattern + got % PERIOD, (size_t)n)) (*bad)++;
    pthread_join(th, NULL);
    *wall = wall_s() - w0;
    *cpu = cpu_s() - c0;
    if (got != total) (*bad)++;
    close(s);
    close(k.lfd);
}

/* The kernel's bulk transfer over the loopback of a private network namespace whose MTU is
 * mtu (a child process: unshare(CLONE_NEWNET) needs root). False, with why set, if it could
 * not run. CPU time is the child's (both its threads). */
struct kresult {
    double wall, cpu;
    uint64_t bad;
};

static bool kernel_bulk_mtu(uint64_t total, int mtu, struct kresult *out, const char **why)
{
    int fd[2];
    if (pipe(fd)) {
        *why = "pipe failed";
        return false;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        alarm(300); /* bounded: a stuck transfer ends the child */
        struct kresult r = {0, 0, 0};
        int code = 0;
        if (unshare(CLONE_NEWNET)) {
            code = 2;
        } else {
            int s = socket(AF_INET, SOCK_DGRAM, 0);
            struct ifreq ifr;
            memset(&ifr, 0, sizeof ifr);
            snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
            ifr.ifr_mtu = mtu;
            bool ok =
                s >= 0 && ioctl(s, SIOCSIFMTU, &ifr) == 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
            ifr.ifr_flags |= IFF_UP;
            ok = ok && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
            if (s >= 0) close(s);
            if (ok)
                kernel_bulk(total, &r.wall, &r.cpu, &r.bad);
            else
                code = 3;
        }
        if (write(fd[1], &r, sizeof r) != (ssize_t)sizeof r) code = 4;
        _exit(code);
    }
    close(fd[1]);
    int status = 0;
    ssize_t n = pid > 0 ? read(fd[0], out, sizeof *out) : -1;
    close(fd[0]);
    if (pid > 0) waitpid(pid, &status, 0);
    int code = pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : 5;
    *why = code == 2   ? "skipped: needs root (a private network namespace)"
           : code == 3 ? "skipped: could not set the loopback's MTU"
                       : "skipped: the child failed";
    return code == 0 && n == (ssize_t)sizeof *out && out->cpu > 0;
}

/* The CPU's clock from /proc/cpuinfo ("cpu MHz"), 0 if not said. */
static double cpu_mhz(void)
{
    return proc_number("/proc/cpuinfo", "cpu MHz : %lf");
}

static void machine(int argc, char **argv)
{
    char model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char *p = strchr(line, ':');
        if (!strncmp(line, "model name", 10) && p) {
            snprintf(model, sizeof model, "%s", p + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (f) fclose(f);
    printf("command:");
    for (int i = 0; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\nmachine: %ld CPUs (nproc), %s, %.1f GiB MemAvailable\n",
           sysconf(_SC_NPROCESSORS_ONLN), model, mem_available_mib() / 1024.0);
}

int main(int argc, char **argv)
{
    unsigned target = 1000000, bulk_mib = 1024;
    double cps_seconds = 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--conns") && i + 1 < argc)
            target = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--bulk-mib") && i + 1 < argc)
            bulk_mib = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--cps-seconds") && i + 1 < argc)
            cps_seconds = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--conns N] [--bulk-mib M] [--cps-seconds S]\n", argv[0]);
            return 2;
        }
    }
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (uint8_t)(((i % PERIOD) * 2654435761u) >> 13);
    machine(argc, argv);
    printf("every transfer is checked byte for byte; figures are printed, not asserted\n\n");

    /* 1. Bulk throughput, default config, one connection, no other connections. */
    {
        struct bench b;
        bench_init(&b, 16);
        int l = listen_on(b.s, 1000, 16), cfd, sfd;
        open_active(&b, l, &cfd, &sfd);
        double gbps_cpu, w0 = wall_s();
        double c0 = cpu_s();
        per_packet(&b, cfd, sfd, bulk_mib, &gbps_cpu, false);
        double cpu = cpu_s() - c0, wall = wall_s() - w0;
        double kwall = 0, kcpu = 0;
        uint64_t kbad = 0;
        uint64_t bytes = (uint64_t)bulk_mib << 20;
        kernel_bulk(bytes, &kwall, &kcpu, &kbad);
        double bits = (double)bytes * 8;
        /* The kernel at the MTU that matches synack's MSS 1460, and at loopback's own. */
        struct kresult k1500 = {0, 0, 0}, k65536 = {0, 0, 0};
        const char *why1500 = NULL, *why65536 = NULL;
        bool have1500 = kernel_bulk_mtu(bytes, 1500, &k1500, &why1500);
        bool have65536 = kernel_bulk_mtu(bytes, 65536, &k65536, &why65536);
        double mhz = cpu_mhz();
        const struct synack_config *cf = synack_stack_config(b.c);
        int sndbuf = 0, rcvbuf = 0;
        synack_getsockopt(b.c, cfd, SYNACK_SO_SNDBUF, &sndbuf);
        synack_getsockopt(b.s, sfd, SYNACK_SO_RCVBUF, &rcvbuf);
        printf("bulk, in memory, default config (MSS %u, buffers %u KiB auto-tuned up to %u / "
               "%u KiB; at the end: send %d KiB, receive %d KiB), %u MiB:\n",
               cf->mss, cf->sndbuf >> 10, cf->sndbuf_max >> 10, cf->rcvbuf_max >> 10, sndbuf >> 10,
               rcvbuf >> 10, bulk_mib);
        printf("  synack: %.3f CPU-s, %.3f s wall (one thread, both stacks): %.2f Gbit/s per "
               "CPU-second, %.2f Gbit/s wall\n",
               cpu, wall, bits / cpu / 1e9, bits / wall / 1e9);
        printf("  kernel loopback: %.3f CPU-s, %.3f s wall (two threads)%s: %.2f Gbit/s per "
               "CPU-second, %.2f Gbit/s wall\n",
               kcpu, kwall, kbad ? " VERIFICATION FAILED" : "", bits / kcpu / 1e9,
               bits / kwall / 1e9);
        printf("  ratio synack/kernel per CPU-second: %.2fx\n", (bits / cpu) / (bits / kcpu));
        struct {
            bool have;
            const char *why;
            struct kresult *r;
            int mtu;
        } ks[2] = {{have1500, why1500, &k1500, 1500}, {have65536, why65536, &k65536, 65536}};
        for (int i = 0; i < 2; i++) {
            if (!ks[i].have) {
                printf("  kernel loopback, MTU %d: %s\n", ks[i].mtu, ks[i].why);
                continue;
            }
            printf("  kernel loopback, MTU %d, private namespace: %.3f CPU-s, %.3f s wall%s: "
                   "%.2f Gbit/s per CPU-second, %.2f Gbit/s wall\n",
                   ks[i].mtu, ks[i].r->cpu, ks[i].r->wall,
                   ks[i].r->bad ? " VERIFICATION FAILED" : "", bits / ks[i].r->cpu / 1e9,
                   bits / ks[i].r->wall / 1e9);
        }
        if (have1500)
            printf("  ratio synack (MSS 1460) / kernel at MTU 1500 per CPU-second: %.2fx\n",
                   k1500.cpu / cpu);
        if (mhz > 0)
            printf("  cycles per byte at %.0f MHz: synack %.2f, kernel %.2f\n", mhz,
                   cpu * mhz * 1e6 / (double)bytes, kcpu * mhz * 1e6 / (double)bytes);
        bench_free(&b);
        /* The same transfer with the zero-copy API (the application's bytes neither copied
         * into the send buffer nor out of the receive buffer), and over a link with
         * segmentation and checksum offload (the wire above, as virtio or veth: 64 KiB
         * segments, no checksums computed), each way. The wire's own copy of each packet
         * stays in every row. */
        static const struct {
            bool offload, zerocopy;
            const char *what;
        } rows[] = {
            {false, true, "zero-copy API, MSS-sized packets"},
            {true, false, "copying API, link with segment and checksum offload"},
            {true, true, "zero-copy API, link with segment and checksum offload"},
        };
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            bench_init_with(&b, 16, rows[r].offload);
            l = listen_on(b.s, 1000, 16);
            open_active(&b, l, &cfd, &sfd);
            w0 = wall_s();
            c0 = cpu_s();
            per_packet(&b, cfd, sfd, bulk_mib, NULL, rows[r].zerocopy);
            double vcpu = cpu_s() - c0, vwall = wall_s() - w0;
            /* Against the kernel at the MTU of the same packet sizes (MSS-sized packets:
             * 1500; 64 KiB segments: 65536), else the host's loopback. */
            const struct kresult *kr = !rows[r].offload && have1500   ? &k1500
                                       : rows[r].offload && have65536 ? &k65536
                                                                      : NULL;
            double against = kr ? kr->cpu : kcpu;
            printf("  synack, %s (application copies per byte: %d): %.3f CPU-s, %.3f s wall: "
                   "%.2f Gbit/s per CPU-second, %.2f Gbit/s wall; %.2fx the kernel %s per "
                   "CPU-second",
                   rows[r].what, rows[r].zerocopy ? 0 : 2, vcpu, vwall, bits / vcpu / 1e9,
                   bits / vwall / 1e9, against / vcpu,
                   kr ? (rows[r].offload ? "at MTU 65536" : "at MTU 1500") : "(host loopback)");
            if (mhz > 0) printf("; %.2f cycles per byte", vcpu * mhz * 1e6 / (double)bytes);
            printf("\n");
            bench_free(&b);
        }
        printf("\n");
    }

    /* 2. Connections per second. */
    {
        unsigned sn = 0, kn = 0;
        double s = synack_cps(cps_seconds, &sn);
        double k = kernel_cps(cps_seconds, &kn);
        printf("connections per second (connect, %d B request, %d B reply, server closes, "
               "client closes; one at a time):\n",
               REQ, REQ);
        printf("  synack, default config, both stacks in one thread, in memory: %.0f/s (%u in "
               "%.1f s)\n",
               s, sn, cps_seconds);
        printf("  kernel loopback, client and server threads: %.0f/s (%u in %.1f s)\n", k, kn,
               cps_seconds);
        printf("  ratio synack/kernel: %.2fx (target >= 10x)\n\n", k > 0 ? s / k : 0);
    }

    /* 3. Idle connections: open them in stages, measure per-packet cost at each. */
    {
        struct bench b;
        bench_init(&b, target);
        struct idle id;
        memset(&id, 0, sizeof id);
        id.acc = synack_events_new(b.s);
        for (int i = 0; i < LISTENERS; i++) {
            id.lfd[i] = listen_on(b.s, (uint16_t)(1000 + i), 4096);
            synack_events_add(id.acc, id.lfd[i], SYNACK_POLLIN,
                              (union synack_event_data){.fd = id.lfd[i]});
        }
        int cfd, sfd;
        open_active(&b, id.lfd[0], &cfd, &sfd);
        settle(&b);
        double rss0 = rss_mib();
        /* Unmeasured transfers first (the empty stack's figure must not pay for first-touch
         * page faults, cold caches and the CPU's clock ramping up, which the later stages no
         * longer see); seen here: 1028, 635, then 402 ns per packet. Their few buffer chunks
         * stay in the RSS baseline's error, a few bytes per idle connection at 1M. */
        double prev = per_packet(&b, cfd, sfd, 64, NULL, false);
        for (int warm = 0; warm < 10; warm++) { /* until two runs agree within 3% */
            double ns = per_packet(&b, cfd, sfd, 64, NULL, false);
            bool steady = ns > prev * 0.97 && ns < prev * 1.03;
            prev = ns;
            if (steady) break;
        }
        unsigned stages[4] = {0, 10000, 100000, 1000000};
        double base = 0, open_wall = 0;
        printf("per-packet cost with idle established connections present (a verified 64 MiB "
               "transfer on one more connection; ns per packet handed to a stack):\n");
        for (int st = 0; st < 4; st++) {
            unsigned want = stages[st] < target ? stages[st] : target;
            if (st > 0 && stages[st - 1] >= target) break;
            if (id.open < want) {
                /* Memory guard: project the RSS at want from what the first 1000 cost. */
                double w0 = wall_s();
                if (id.open < 1000 && want > 1000 && !idle_open(&b, &id, 1000)) want = 0;
                open_wall += wall_s() - w0;
                double rate = open_wall > 0 ? id.open / open_wall : 0;
                if (rate > 0 && (want - id.open) / rate > 150) {
                    printf("  %u idle: skipped: opening them would take about %.0f s more at "
                           "%.0f/s (budget 150 s)\n",
                           want, (want - id.open) / rate, rate);
                    break;
                }
                if (id.open >= 1000) {
                    double per = (rss_mib() - rss0) / id.open;
                    double need = per * (want - id.open);
                    if (need > mem_available_mib() / 2) {
                        printf("  %u idle: skipped: %.0f MiB more would be needed (%.1f KiB per "
                               "connection), over half of MemAvailable\n",
                               want, need, per * 1024);
                        break;
                    }
                }
                w0 = wall_s();
                bool ok = want > 0 && idle_open(&b, &id, want);
                open_wall += wall_s() - w0;
                if (!ok) {
                    printf("  stopped at %u idle connections: opening more failed\n", id.open);
                    break;
                }
            }
            double ns = per_packet(&b, cfd, sfd, 64, NULL, false);
            if (st == 0) base = ns;
            printf("  %7u idle: %6.0f ns per packet (%.2fx the empty stack)\n", id.open, ns,
                   ns / base);
        }
        double rss = rss_mib() - rss0;
        printf("\nidle established connections: %u open (both ends in this process) in %.2f s "
               "wall (%.0f/s)\n",
               id.open, open_wall, open_wall > 0 ? id.open / open_wall : 0);
        if (id.open)
            printf("RSS for them: %.1f MiB: %.0f bytes per connection (two endpoints), %.0f per "
                   "endpoint (target <= 1 KiB per connection all told)\n",
                   rss, rss * 1048576 / id.open, rss * 1048576 / id.open / 2);
        printf("connections in the stacks: client %u, server %u\n",
               synack_stack_connection_count(b.c), synack_stack_connection_count(b.s));
        bench_free(&b);
    }
    return 0;
}
