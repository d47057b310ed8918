/* SPDX-License-Identifier: MIT */
/* libFuzzer target: two stacks exchange two byte streams through a wire the fuzzer
 * controls. Each packet either side sends takes one byte of the input, which decides whether
 * it is delivered (after a delay the byte also picks), dropped, duplicated, held back
 * (reordered) or has one bit flipped; once the input is used up the wire is perfect. Both
 * streams are checked byte for byte as they arrive; both must end with the peer's FIN
 * unless a connection failed (retries ran out, or a reset after that); the stacks must never
 * see an ACK of data not sent, and the engine checks its invariants after every input and
 * poll. A transfer that neither finishes nor fails is a wedge and aborts.
 *
 * Input: 5 configuration bytes, then one byte per packet sent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_peer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WIRE_MAX 512
#define PKT_MAX 1600

struct pkt {
    synack_time_t at;
    uint64_t order;
    int to;
    size_t len;
    uint8_t data[PKT_MAX];
};

struct side {
    struct synack_stack *st;
    int fd;            /* the connection (-1 before connect/accept) */
    size_t to_send;    /* bytes of this side's stream */
    size_t sent, got;  /* bytes queued by send, bytes received */
    size_t peer_total; /* length of the stream from the other side */
    bool shut, eof;
    int err; /* first error seen on the connection */
    int dir;
};

static struct world {
    struct fz_in in;
    struct pkt wire[WIRE_MAX];
    unsigned nwire;
    uint64_t order;
    synack_time_t delay;
    struct side s[2];
    synack_time_t now;
    bool exhausted;
} w;

static void die(const char *what)
{
    fprintf(stderr,
            "fuzz_pair: %s at %llu ns: A sent %zu/%zu got %zu/%zu err %d eof %d; B sent %zu/%zu "
            "got %zu/%zu err %d eof %d\n",
            what, (unsigned long long)w.now, w.s[0].sent, w.s[0].to_send, w.s[0].got,
            w.s[0].peer_total, w.s[0].err, w.s[0].eof, w.s[1].sent, w.s[1].to_send, w.s[1].got,
            w.s[1].peer_total, w.s[1].err, w.s[1].eof);
    abort();
}

static uint8_t pattern(int dir, size_t i)
{
    return (uint8_t)(i * 131u + (i >> 8) * 7u + (unsigned)dir * 89u);
}

static void enqueue(int to, const uint8_t *p, size_t len, synack_time_t at)
{
    if (w.nwire == WIRE_MAX || len > PKT_MAX) return; /* queue full: tail drop */
    struct pkt *k = &w.wire[w.nwire++];
    k->at = at;
    k->order = w.order++;
    k->to = to;
    k->len = len;
    memcpy(k->data, p, len);
}

/* The link of side `from`: the fuzzer decides what becomes of each packet. */
static void transmit(void *ctx, const uint8_t *p, size_t len, synack_time_t now)
{
    int to = 1 - (int)(intptr_t)ctx;
    if (!fz_more(&w.in)) {
        w.exhausted = true;
        enqueue(to, p, len, now + w.delay);
        return;
    }
    uint8_t d = fz_u8(&w.in);
    synack_time_t extra = SYNACK_MS((d >> 3) & 31);
    switch (d & 7) {
    case 4: /* lost */
        break;
    case 5: /* duplicated */
        enqueue(to, p, len, now + w.delay + extra);
        enqueue(to, p, len, now + w.delay + SYNACK_MS(fz_u8(&w.in)));
        break;
    case 6: /* held back: reordered behind later packets */
        enqueue(to, p, len, now + w.delay + extra * 20 + SYNACK_MS(5));
        break;
    case 7: { /* one bit flipped: the checksums must catch it */
        uint8_t copy[PKT_MAX];
        if (len > PKT_MAX) break;
        memcpy(copy, p, len);
        uint16_t bit = fz_u16(&w.in);
        copy[(bit / 8) % len] ^= (uint8_t)(1u << (bit % 8));
        enqueue(to, copy, len, now + w.delay + extra);
        break;
    }
    default:
        enqueue(to, p, len, now + w.delay + extra);
        break;
    }
}

static void note_error(struct side *s, long e)
{
    if (e == -EAGAIN || e >= 0) return;
    if (e != -ETIMEDOUT && e != -ECONNRESET && e != -EPIPE) {
        fprintf(stderr, "fuzz_pair: side %d: unexpected error %ld\n", s->dir, e);
        die("unexpected error");
    }
    if (!s->err) s->err = (int)e;
}

/* The application of one side: send what fits, shut down when all is queued, read and check
 * everything that arrived. */
static void app(struct side *s)
{
    static uint8_t buf[16384];
    if (s->fd < 0) return;
    int e = synack_get_error(s->st, s->fd);
    if (e < 0) note_error(s, e);
    while (!s->err && s->sent < s->to_send) {
        size_t n = s->to_send - s->sent;
        if (n > sizeof buf) n = sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(s->dir, s->sent + i);
        ssize_t r = synack_send(s->st, s->fd, buf, n);
        if (r < 0) {
            if (r != -EAGAIN && r != -ENOTCONN) note_error(s, r);
            break;
        }
        s->sent += (size_t)r;
    }
    struct synack_conn_info info;
    bool open = synack_get_info(s->st, s->fd, &info) == 0 &&
                (info.state == SYNACK_ESTABLISHED || info.state == SYNACK_CLOSE_WAIT);
    /* Not before the handshake: shutdown(SHUT_WR) in SYN-SENT ends the attempt, as Linux. */
    if (!s->err && !s->shut && open && s->sent == s->to_send) {
        int r = synack_shutdown(s->st, s->fd, SYNACK_SHUT_WR);
        if (r == 0) s->shut = true;
    }
    while (!s->eof) {
        ssize_t r = synack_recv(s->st, s->fd, buf, sizeof buf);
        if (r == 0) {
            if (s->got != s->peer_total && !s->err) die("end of stream before all the data");
            s->eof = true;
            break;
        }
        if (r < 0) {
            if (r != -EAGAIN && r != -ENOTCONN) note_error(s, r);
            break;
        }
        if (s->got + (size_t)r > s->peer_total) die("more data than was sent");
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != pattern(1 - s->dir, s->got + (size_t)i)) die("byte mismatch");
        s->got += (size_t)r;
    }
}

static bool done(void)
{
    for (int i = 0; i < 2; i++) {
        const struct side *s = &w.s[i];
        if (s->err) continue;
        if (!s->eof || !s->shut) return false;
    }
    return true;
}

static void configure(struct synack_config *cfg, uint32_t addr, uint8_t c0, uint8_t c2, int side)
{
    static const uint32_t bufs[8] = {256, 1024, 2048, 4096, 8192, 65536, 262144, 262144};
    static const uint16_t mss[4] = {88, 536, 1000, 1460};
    synack_config_init(cfg);
    cfg->local_addr = addr;
    cfg->deterministic = true;
    cfg->timestamps = !(c0 & 1);
    cfg->sack = !(c0 & 2);
    if (c0 & 4) cfg->delayed_ack = 0;
    if (c0 & 8) cfg->tail_loss_probe = false;
    if (c0 & 16) cfg->mem_limit = 32 * 1024;
    if (c0 & 32) cfg->ooo_max_ranges = 2;
    if (c0 & 64) cfg->initial_cwnd_segments = 1;
    cfg->sndbuf = bufs[(side ? c2 >> 3 : c2) & 7];
    cfg->rcvbuf = bufs[(side ? c2 : c2 >> 3) & 7];
    cfg->mss = mss[(c2 >> 6) & 3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&w, 0, sizeof w);
    w.in = (struct fz_in){data, size, 0};
    uint8_t c0 = fz_u8(&w.in), c1 = fz_u8(&w.in), c2 = fz_u8(&w.in), c3 = fz_u8(&w.in);
    static const size_t sizes[8] = {0, 1, 1000, 3000, 10000, 20000, 40000, 65536};
    w.delay = SYNACK_MS(1 + (c3 & 63));
    struct synack_config ca, cb;
    configure(&ca, FZ_PEER_ADDR, c0, c2, 0);
    configure(&cb, FZ_LOCAL_ADDR, c0, c2, 1);
    struct synack_link la = {(void *)(intptr_t)0, transmit}, lb = {(void *)(intptr_t)1, transmit};
    struct synack_stack *a = synack_stack_new(&ca, &la), *b = synack_stack_new(&cb, &lb);
    if (!a || !b) abort();
    w.now = SYNACK_SEC(1);
    synack_stack_poll(a, w.now);
    synack_stack_poll(b, w.now);
    for (int i = 0; i < 2; i++) {
        w.s[i].st = i ? b : a;
        w.s[i].fd = -1;
        w.s[i].dir = i;
        w.s[i].to_send = sizes[(i ? c1 >> 3 : c1) & 7];
        /* 256-byte buffers move a few KB per second of virtual time: keep runs short. */
        if (((c2 & 7) == 0 || (c2 & 0x38) == 0) && w.s[i].to_send > 3000) w.s[i].to_send = 3000;
        if ((c2 >> 6) == 0 && w.s[i].to_send > 10000) w.s[i].to_send = 10000; /* MSS 88 */
    }
    w.s[0].peer_total = w.s[1].to_send;
    w.s[1].peer_total = w.s[0].to_send;
    int l = synack_socket(b);
    struct synack_endpoint ep = {0, 80};
    if (synack_bind(b, l, &ep) || synack_listen(b, l, 4)) abort();
    w.s[0].fd = synack_socket(a);
    if (c3 & 0x40) synack_setsockopt(a, w.s[0].fd, SYNACK_TCP_NODELAY, 1);
    struct synack_endpoint r = {FZ_LOCAL_ADDR, 80};
    if (synack_connect(a, w.s[0].fd, &r) != -EINPROGRESS) abort();

    synack_time_t limit = SYNACK_SEC(4 * 3600);
    for (unsigned steps = 0;; steps++) {
        if (steps > 300000) die("livelock: too many events");
        if (w.s[1].fd < 0) {
            int fd = synack_accept(b, l, NULL);
            if (fd >= 0) {
                w.s[1].fd = fd;
                if (c3 & 0x80) synack_setsockopt(b, fd, SYNACK_TCP_NODELAY, 1);
            }
        }
        app(&w.s[0]);
        app(&w.s[1]);
        if (done()) break;
        synack_time_t next = SYNACK_TIME_NEVER;
        int which = -1;
        for (unsigned i = 0; i < w.nwire; i++)
            if (which < 0 || w.wire[i].at < w.wire[which].at ||
                (w.wire[i].at == w.wire[which].at && w.wire[i].order < w.wire[which].order)) {
                which = (int)i;
                next = w.wire[i].at;
            }
        synack_time_t da = synack_stack_next_deadline(a), db = synack_stack_next_deadline(b);
        if (da < next) next = da;
        if (db < next) next = db;
        bool failed = w.s[0].err || w.s[1].err;
        if (next == SYNACK_TIME_NEVER || next > limit) {
            if (failed) break; /* a failed side's peer may wait forever: no keepalive */
            die("wedged: the transfer neither finished nor failed");
        }
        if (next > w.now) w.now = next;
        if (which >= 0 && w.wire[which].at <= w.now) {
            static struct pkt k;
            k = w.wire[which];
            w.wire[which] = w.wire[--w.nwire];
            synack_stack_input(w.s[k.to].st, k.data, k.len, w.now);
        }
        if (synack_stack_next_deadline(a) <= w.now) synack_stack_poll(a, w.now);
        if (synack_stack_next_deadline(b) <= w.now) synack_stack_poll(b, w.now);
    }
    for (int i = 0; i < 2; i++)
        if (synack_stack_counter(w.s[i].st, SYNACK_CTR_TCP_BAD_ACK) != 0)
            die("an ACK of data never sent");
    synack_stack_free(a);
    synack_stack_free(b);
    return 0;
}
