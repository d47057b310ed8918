/* SPDX-License-Identifier: MIT */
/* Randomised two-way stress (see stress.h). A seed chooses everything: buffers from 256 B to
 * 256 KiB, MSS, options, delayed ACKs, impairments of each direction, the traffic pattern
 * (echo, request/response, two independent streams), who half-closes first, read and write
 * sizes and a reader that pauses. */
#include "stress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "sim/rng.h"
#include "synack/ladder.h"
#include "synack/sim.h"
#include "synack/synack.h"

#define CLIENT_ADDR SYNACK_IPV4(198, 18, 0, 1)
#define SERVER_ADDR SYNACK_IPV4(198, 18, 0, 2)
#define PORT 80
#define MAX_ROUNDS 16
#define CHUNK 16384

enum mode { MODE_ECHO, MODE_REQRESP, MODE_STREAMS };
enum order { CLIENT_FIRST, SERVER_FIRST, INDEPENDENT };

struct side_plan {
    uint32_t rcvbuf, sndbuf;
    uint32_t rcvbuf_max, sndbuf_max; /* auto-tuning limits; 0: off */
    int ecn;                         /* config ecn: 0, 1 (ask), 2 (accept) */
    uint16_t mss;
    bool timestamps, sack, tlp, nodelay, frto;
    int zerocopy; /* 0 copying sends; 1 zero-copy sends (SYNACK_MSG_ZEROCOPY); 2 both */
    bool offload; /* a card with TSO and checksum offload (synack_sim_set_offload) */
    int8_t window_scale;
    synack_time_t delayed_ack;
    unsigned initial_cwnd;
    uint32_t read_chunk, write_chunk;
    synack_time_t pause_every, pause_len; /* 0: a reader that never pauses */
    size_t mem_limit;                     /* stack-wide buffer memory, 0: none */
    struct synack_sim_path path;          /* what this side sends through */
};

struct plan {
    enum mode mode;
    enum order order;
    struct side_plan side[2]; /* 0 client, 1 server */
    uint32_t bytes[2];        /* streams / echo: what each side sends */
    unsigned rounds;          /* request/response */
    uint32_t req[MAX_ROUNDS], resp[MAX_ROUNDS];
};

struct side {
    int idx;
    struct synack_stack *st;
    int fd;
    struct sk_rng rng;
    uint64_t sent, received, to_send, to_receive;
    bool shut, eof;
    bool connected;  /* the handshake completed (shutdown in SYN-SENT would abort it) */
    uint8_t *zc_buf; /* zero-copy sends: the whole pattern, unchanged while the run lasts */
    /* Echo server: bytes read and not yet sent back. */
    uint8_t *pending;
    uint32_t pending_len, pending_off;
    unsigned round; /* request/response: current round */
    uint64_t round_base_in, round_base_out;
    synack_time_t pause_until, next_pause;
};

struct run {
    const struct plan *p;
    struct synack_sim *sim;
    struct side s[2];
    int lfd;
    char why[512];
    bool failed;
    synack_time_t wake; /* when an application next wants to run without a packet */
};

static uint8_t pattern(int from, uint64_t i)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull + (uint64_t)from * 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    return (uint8_t)(x >> 17);
}

static uint64_t upto(struct sk_rng *r, uint64_t n)
{
    return sk_rng_upto(r, n);
}

static double unit(struct sk_rng *r)
{
    return sk_rng_unit(r);
}

/* Sizes spread evenly over powers of two from 2^lo to 2^hi. */
static uint32_t log_size(struct sk_rng *r, unsigned lo, unsigned hi)
{
    unsigned shift = lo + (unsigned)upto(r, hi - lo);
    uint32_t base = 1u << shift;
    return base + (uint32_t)upto(r, base - 1);
}

static void plan_path(struct sk_rng *r, struct synack_sim_path *p)
{
    memset(p, 0, sizeof *p);
    p->delay = (synack_time_t)log_size(r, 7, 15) * 1000; /* 128 us .. 65 ms */
    if (unit(r) < 0.3) p->jitter = (synack_time_t)(unit(r) * (double)p->delay / 2);
    if (unit(r) < 0.7) p->loss = unit(r) * 0.10;
    if (unit(r) < 0.15) {
        /* Bursts of a few packets. The chain steps per packet, so on a quiet connection a
         * bad state lasts across retransmissions many seconds apart: a harsher chain makes
         * a blackout that rightly ends in ETIMEDOUT, not a test of recovery. */
        p->ge_good_to_bad = 0.005 + unit(r) * 0.015;
        p->ge_bad_to_good = 0.3 + unit(r) * 0.3;
        p->ge_loss_bad = 0.3 + unit(r) * 0.4;
    }
    if (unit(r) < 0.3) p->duplicate = unit(r) * 0.03;
    if (unit(r) < 0.3) p->reorder = unit(r) * 0.05;
    if (unit(r) < 0.2) p->corrupt = unit(r) * 0.02;
    if (unit(r) < 0.3) {
        p->rate_bps = 1000000ull * (1 + upto(r, 99));
        p->queue_limit = unit(r) < 0.5 ? 0 : 20 + (unsigned)upto(r, 180);
    }
}

static void plan_side(struct sk_rng *r, struct side_plan *sp)
{
    sp->rcvbuf = log_size(r, 8, 17);
    sp->sndbuf = log_size(r, 8, 17);
    double m = unit(r);
    sp->mss = m < 0.5 ? 1460 : m < 0.75 ? 536 : (uint16_t)(64 + upto(r, 1460 - 64));
    sp->timestamps = unit(r) < 0.75;
    sp->sack = unit(r) < 0.75;
    sp->tlp = unit(r) < 0.8;
    sp->nodelay = unit(r) < 0.3;
    sp->window_scale = -1;
    if (unit(r) < 0.3) {
        /* Any shift the buffer allows (a window unit of at most a quarter of it). */
        int max = 0;
        while (max < 14 && (1u << (max + 1)) <= sp->rcvbuf / 4)
            max++;
        sp->window_scale = (int8_t)upto(r, (uint64_t)max);
    }
    double d = unit(r);
    sp->delayed_ack = d < 0.7 ? SYNACK_MS(40) : d < 0.85 ? 0 : SYNACK_MS(200);
    sp->initial_cwnd = unit(r) < 0.8 ? 10 : 1 + (unsigned)upto(r, 9);
    if (unit(r) < 0.1) sp->mem_limit = 16384 + (size_t)upto(r, 256 * 1024);
    sp->read_chunk = log_size(r, 0, 13);
    sp->write_chunk = log_size(r, 0, 13);
    if (unit(r) < 0.4) {
        sp->pause_every = SYNACK_MS(50) + (synack_time_t)upto(r, SYNACK_MS(2000));
        sp->pause_len = SYNACK_MS(1) + (synack_time_t)upto(r, SYNACK_MS(1500));
    }
    plan_path(r, &sp->path);
}

static void make_plan(uint64_t seed, struct plan *p)
{
    struct sk_rng r;
    sk_rng_seed(&r, seed ^ 0x5eed5eed5eedull);
    memset(p, 0, sizeof *p);
    plan_side(&r, &p->side[0]);
    plan_side(&r, &p->side[1]);
    p->mode = (enum mode)upto(&r, 2);
    p->order = (enum order)upto(&r, 2);
    for (int i = 0; i < 2; i++)
        p->bytes[i] = unit(&r) < 0.05 ? 0 : log_size(&r, 4, 17);
    if (p->mode == MODE_ECHO) p->bytes[1] = p->bytes[0];
    p->rounds = 1 + (unsigned)upto(&r, MAX_ROUNDS - 1);
    for (unsigned i = 0; i < p->rounds; i++) {
        p->req[i] = log_size(&r, 0, 14);
        p->resp[i] = unit(&r) < 0.1 ? 0 : log_size(&r, 0, 15);
    }
    if (p->mode == MODE_REQRESP) p->order = unit(&r) < 0.5 ? CLIENT_FIRST : SERVER_FIRST;
    /* Drawn last so that every earlier choice of a seed stays what it was. Half the sides
     * tune their buffers, up to 64 times the initial size; half keep tiny buffers tiny. */
    for (int i = 0; i < 2; i++) {
        struct side_plan *sp = &p->side[i];
        if (unit(&r) < 0.5) sp->rcvbuf_max = sp->rcvbuf << (1 + upto(&r, 5));
        if (unit(&r) < 0.5) sp->sndbuf_max = sp->sndbuf << (1 + upto(&r, 5));
        sp->ecn = (int)upto(&r, 2);
        sp->frto = unit(&r) < 0.8;
        sp->zerocopy = (int)upto(&r, 2);
        sp->offload = unit(&r) < 0.5;
    }
}

static uint64_t sum(const uint32_t *v, unsigned n)
{
    uint64_t s = 0;
    for (unsigned i = 0; i < n; i++)
        s += v[i];
    return s;
}

static void describe(const struct plan *p, char *buf, size_t n)
{
    static const char *modes[] = {"echo", "reqresp", "streams"};
    static const char *orders[] = {"client-first", "server-first", "independent"};
    int k = snprintf(buf, n, "%s %s", modes[p->mode], orders[p->order]);
    if (p->mode == MODE_REQRESP)
        k += snprintf(buf + k, n - (size_t)k, " rounds=%u req=%llu resp=%llu", p->rounds,
                      (unsigned long long)sum(p->req, p->rounds),
                      (unsigned long long)sum(p->resp, p->rounds));
    else
        k += snprintf(buf + k, n - (size_t)k, " bytes=%u/%u", p->bytes[0], p->bytes[1]);
    for (int i = 0; i < 2 && k < (int)n; i++) {
        const struct side_plan *s = &p->side[i];
        k += snprintf(buf + k, n - (size_t)k,
                      " | %s rcv=%u/%u snd=%u/%u ecn=%d mss=%u ts=%d sack=%d frto=%d zc=%d tso=%d "
                      "ws=%d dack=%llums "
                      "nodelay=%d "
                      "pause=%llu/%llums mem=%zu delay=%.1fms loss=%.3f ge=%.3f dup=%.3f "
                      "reo=%.3f cor=%.3f rate=%lluM",
                      i ? "server" : "client", s->rcvbuf, s->rcvbuf_max, s->sndbuf, s->sndbuf_max,
                      s->ecn, s->mss, s->timestamps, s->sack, s->frto, s->zerocopy, s->offload,
                      s->window_scale, (unsigned long long)(s->delayed_ack / 1000000), s->nodelay,
                      (unsigned long long)(s->pause_every / 1000000),
                      (unsigned long long)(s->pause_len / 1000000), s->mem_limit,
                      (double)s->path.delay / 1e6, s->path.loss, s->path.ge_good_to_bad,
                      s->path.duplicate, s->path.reorder, s->path.corrupt,
                      (unsigned long long)(s->path.rate_bps / 1000000));
    }
}

/* The virtual time a correct stack needs at most, from the plan: round trips for every
 * window's worth of data (with a delayed ACK and the reader's pauses), a retransmission
 * timeout with some backoff for each segment that loss, corruption or a full queue may
 * take, the handshake and the close. */
static double bound_seconds(const struct plan *p)
{
    double rtt = 0, p_loss = 0, pause_frac = 0, dack = 0;
    uint32_t win = UINT32_MAX, mss = 1460;
    for (int i = 0; i < 2; i++) {
        const struct side_plan *s = &p->side[i];
        const struct synack_sim_path *pa = &s->path;
        double reo = pa->reorder > 0 ? (pa->reorder_delay ? (double)pa->reorder_delay / 1e9
                                                          : 2 * (double)pa->delay / 1e9 + 0.001)
                                     : 0;
        rtt += (double)(pa->delay + pa->jitter) / 1e9 + reo;
        double ge = pa->ge_good_to_bad > 0 ? pa->ge_loss_bad : 0;
        double l = pa->loss + pa->corrupt + ge + (pa->queue_limit ? 0.05 : 0);
        if (l > p_loss) p_loss = l;
        if (s->rcvbuf < win) win = s->rcvbuf;
        if (s->sndbuf < win) win = s->sndbuf;
        /* Under a memory limit the window offered shrinks to what memory is left (both
         * buffers each way and 4 KiB chunks share it). */
        if (s->mem_limit && s->mem_limit / 8 < win) win = (uint32_t)(s->mem_limit / 8);
        if (s->mss < mss) mss = s->mss;
        if ((double)s->delayed_ack / 1e9 > dack) dack = (double)s->delayed_ack / 1e9;
        if (s->pause_every)
            pause_frac += (double)s->pause_len / (double)(s->pause_every + s->pause_len);
    }
    uint64_t bytes = p->mode == MODE_REQRESP ? sum(p->req, p->rounds) + sum(p->resp, p->rounds)
                                             : (uint64_t)p->bytes[0] + p->bytes[1];
    double chunk = win / 2 < mss ? win / 2.0 : mss;
    if (chunk < 64) chunk = 64;
    double segments = (double)bytes / chunk + 2.0 * p->rounds + 10;
    double rounds = (double)bytes / (win / 2.0 + 1) + 2.0 * p->rounds + 10;
    /* Serialisation on the slowest link. */
    double ser = 0;
    for (int i = 0; i < 2; i++)
        if (p->side[i].path.rate_bps)
            ser += (double)bytes * 8 * 1.2 / (double)p->side[i].path.rate_bps;
    double t = rounds * (rtt + dack + 0.002) + ser;
    t += segments * p_loss * 3.0; /* a timeout (with backoff) per lost segment */
    t /= (1 - (pause_frac > 0.9 ? 0.9 : pause_frac));
    return 4 * t + 150; /* margin, plus the handshake and close under loss */
}

static void trace_line(void *ctx, const struct synack_trace_event *ev)
{
    FILE *f = ctx;
    char line[256];
    fprintf(f, "%s\n", synack_trace_format(ev, line, sizeof line));
}

static void configure(const struct side_plan *sp, int idx, FILE *trace, struct synack_config *c)
{
    synack_config_init(c);
    c->local_addr = idx == 0 ? CLIENT_ADDR : SERVER_ADDR;
    for (int i = 0; i < 16; i++)
        c->secret[i] = (uint8_t)(i * 7 + idx + 1);
    c->rcvbuf = sp->rcvbuf;
    c->sndbuf = sp->sndbuf;
    c->rcvbuf_max = sp->rcvbuf_max;
    c->ecn = sp->ecn;
    c->sndbuf_max = sp->sndbuf_max;
    c->mss = sp->mss;
    c->timestamps = sp->timestamps;
    c->sack = sp->sack;
    c->tail_loss_probe = sp->tlp;
    c->frto = sp->frto;
    c->window_scale = sp->window_scale;
    c->delayed_ack = sp->delayed_ack;
    c->initial_cwnd_segments = sp->initial_cwnd;
    c->mem_limit = sp->mem_limit;
    if (trace) {
        c->trace = trace_line;
        c->trace_ctx = trace;
    }
}

__attribute__((format(printf, 2, 3))) static void fail(struct run *r, const char *fmt, ...)
{
    if (r->failed) return;
    r->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
}

static const char *name(const struct side *s)
{
    return s->idx ? "server" : "client";
}

static bool paused(struct run *r, struct side *s)
{
    const struct side_plan *sp = &r->p->side[s->idx];
    synack_time_t now = synack_sim_now(r->sim);
    if (!sp->pause_every) return false;
    if (now < s->pause_until) return true;
    if (now >= s->next_pause) {
        s->pause_until = now + SYNACK_MS(1) + upto(&s->rng, sp->pause_len);
        s->next_pause = s->pause_until + SYNACK_MS(1) + upto(&s->rng, 2 * sp->pause_every);
        return true;
    }
    return false;
}

/* Sends bytes [sent, limit) of this side's pattern, as far as the buffer takes them. */
static void send_pattern(struct run *r, struct side *s, uint64_t limit)
{
    uint8_t buf[CHUNK];
    uint32_t chunk = r->p->side[s->idx].write_chunk;
    int zerocopy = r->p->side[s->idx].zerocopy;
    while (s->sent < limit) {
        uint64_t n = limit - s->sent;
        if (n > chunk) n = chunk;
        /* Zero-copy sends reference the pattern where it lies (every send, or every other
         * write's worth when mixed with copying ones). */
        bool zc = s->zc_buf && (zerocopy == 1 || (s->sent / chunk) % 2 == 0);
        for (uint64_t i = 0; !zc && i < n; i++)
            buf[i] = pattern(s->idx, s->sent + i);
        ssize_t k = zc ? synack_send_flags(s->st, s->fd, s->zc_buf + s->sent, (size_t)n,
                                           SYNACK_MSG_ZEROCOPY)
                       : synack_send(s->st, s->fd, buf, (size_t)n);
        if (k == -EAGAIN) return;
        if (k <= 0) {
            fail(r, "%s: send returned %lld", name(s), (long long)k);
            return;
        }
        s->sent += (uint64_t)k;
    }
}

/* Echo server: send back what was read, then read more only once it is all out. */
static void echo_back(struct run *r, struct side *s)
{
    while (s->pending_off < s->pending_len) {
        ssize_t k =
            synack_send(s->st, s->fd, s->pending + s->pending_off, s->pending_len - s->pending_off);
        if (k == -EAGAIN) return;
        if (k <= 0) {
            fail(r, "%s: send returned %lld", name(s), (long long)k);
            return;
        }
        s->pending_off += (uint32_t)k;
        s->sent += (uint64_t)k;
    }
}

/* Reads what is there (at most `limit` bytes in all), checking each byte. */
static void receive(struct run *r, struct side *s, uint64_t limit)
{
    uint8_t buf[CHUNK];
    uint32_t chunk = r->p->side[s->idx].read_chunk;
    bool echo_server = r->p->mode == MODE_ECHO && s->idx == 1;
    int from = r->p->mode == MODE_ECHO ? 0 : 1 - s->idx;
    while (!s->eof && s->received < limit && !paused(r, s)) {
        if (echo_server && s->pending_off < s->pending_len) return;
        uint64_t n = limit - s->received;
        if (n > chunk) n = chunk;
        ssize_t k = synack_recv(s->st, s->fd, buf, (size_t)n);
        if (k == -EAGAIN) return;
        if (k == 0) {
            s->eof = true;
            return;
        }
        if (k < 0) {
            fail(r, "%s: recv returned %lld", name(s), (long long)k);
            return;
        }
        for (ssize_t i = 0; i < k; i++) {
            if (buf[i] != pattern(from, s->received + (uint64_t)i)) {
                fail(r, "%s: wrong byte at offset %lld", name(s),
                     (long long)(s->received + (uint64_t)i));
                return;
            }
        }
        if (echo_server) {
            memcpy(s->pending, buf, (size_t)k);
            s->pending_len = (uint32_t)k;
            s->pending_off = 0;
            echo_back(r, s);
        }
        s->received += (uint64_t)k;
    }
    /* EOF may follow the last byte; look for it once everything expected is in. */
    if (!s->eof && s->received >= s->to_receive && !paused(r, s)) {
        ssize_t k = synack_recv(s->st, s->fd, buf, 1);
        if (k == 0) s->eof = true;
        if (k > 0) fail(r, "%s: %lld bytes more than the peer sent", name(s), (long long)k);
        if (k < 0 && k != -EAGAIN) fail(r, "%s: recv returned %lld", name(s), (long long)k);
    }
}

static void shut(struct run *r, struct side *s)
{
    if (!s->connected && (synack_poll_events(s->st, s->fd) & SYNACK_POLLOUT)) s->connected = true;
    if (s->shut || !s->connected) return;
    int e = synack_shutdown(s->st, s->fd, SYNACK_SHUT_WR);
    if (e) fail(r, "%s: shutdown returned %d", name(s), e);
    s->shut = true;
}

/* Request/response: the client sends request i, the server reads it whole and answers with
 * response i; the client reads it whole, then round i + 1. */
static void reqresp_step(struct run *r, struct side *s)
{
    const struct plan *p = r->p;
    bool client = s->idx == 0;
    while (s->round < p->rounds) {
        uint32_t out = client ? p->req[s->round] : p->resp[s->round];
        uint32_t in = client ? p->resp[s->round] : p->req[s->round];
        if (!client) {
            receive(r, s, s->round_base_in + in);
            if (s->received < s->round_base_in + in) return;
        }
        send_pattern(r, s, s->round_base_out + out);
        if (s->sent < s->round_base_out + out) return;
        if (client) {
            receive(r, s, s->round_base_in + in);
            if (s->received < s->round_base_in + in) return;
        }
        s->round_base_in += in;
        s->round_base_out += out;
        s->round++;
    }
    receive(r, s, s->to_receive);
}

static void side_step(struct run *r, struct side *s)
{
    if (s->fd < 0 || r->failed) return;
    const struct plan *p = r->p;
    struct side *peer = &r->s[1 - s->idx];
    bool first = (p->order == CLIENT_FIRST && s->idx == 0) ||
                 (p->order == SERVER_FIRST && s->idx == 1) || p->order == INDEPENDENT;
    switch (p->mode) {
    case MODE_STREAMS:
        send_pattern(r, s, s->to_send);
        receive(r, s, s->to_receive);
        break;
    case MODE_ECHO:
        if (s->idx == 1) echo_back(r, s);
        if (s->idx == 0) send_pattern(r, s, s->to_send);
        receive(r, s, s->to_receive);
        if (s->idx == 1) echo_back(r, s);
        break;
    case MODE_REQRESP:
        reqresp_step(r, s);
        break;
    }
    /* Half-close once everything is sent: the first closer at once, the other after the
     * peer's FIN (echo: the client first, by its nature). */
    bool all_sent = s->sent >= s->to_send && s->pending_off >= s->pending_len &&
                    (p->mode != MODE_REQRESP || s->round >= p->rounds);
    if (p->mode == MODE_ECHO) first = s->idx == 0;
    if (all_sent && (first || s->eof)) shut(r, s);
    (void)peer;
}

static bool finished(const struct run *r)
{
    for (int i = 0; i < 2; i++) {
        const struct side *s = &r->s[i];
        if (s->fd < 0 || !s->eof || !s->shut || s->received != s->to_receive) return false;
    }
    return true;
}

static synack_time_t next_wake(const struct run *r)
{
    synack_time_t w = SYNACK_TIME_NEVER, now = synack_sim_now(r->sim);
    for (int i = 0; i < 2; i++) {
        const struct side *s = &r->s[i];
        if (!r->p->side[i].pause_every) continue;
        if (s->pause_until > now && s->pause_until < w) w = s->pause_until;
        if (s->next_pause > now && s->next_pause < w) w = s->next_pause;
    }
    return w;
}

static bool step(void *ctx)
{
    struct run *r = ctx;
    if (r->s[1].fd < 0) {
        int fd = synack_accept(r->s[1].st, r->lfd, NULL);
        if (fd >= 0) r->s[1].fd = fd;
        if (fd < 0 && fd != -EAGAIN) fail(r, "server: accept returned %d", fd);
    }
    for (int i = 0; i < 2; i++)
        side_step(r, &r->s[i]);
    /* Back to the main loop when an application must wake up at a time of its own. */
    return r->failed || finished(r) || synack_sim_now(r->sim) >= r->wake || next_wake(r) < r->wake;
}

static bool all_gone(void *ctx)
{
    struct run *r = ctx;
    return synack_stack_connection_count(r->s[0].st) == 0 &&
           synack_stack_connection_count(r->s[1].st) == 0;
}

static void check_counters(struct run *r)
{
    /* Between two correct stacks nobody acknowledges what was never sent, whatever the
     * network does (corruption is caught by checksums). */
    for (int i = 0; i < 2; i++) {
        uint64_t bad = synack_stack_counter(r->s[i].st, SYNACK_CTR_TCP_BAD_ACK);
        if (bad) fail(r, "%s: %llu ACKs of unsent data", name(&r->s[i]), (unsigned long long)bad);
    }
}

bool stress_run(uint64_t seed, const struct stress_opts *opts, struct stress_report *rep)
{
    struct plan p;
    make_plan(seed, &p);
    memset(rep, 0, sizeof *rep);
    describe(&p, rep->plan, sizeof rep->plan);
    rep->bound_s = bound_seconds(&p);
    FILE *trace = opts && opts->trace_path ? fopen(opts->trace_path, "w") : NULL;

    struct run r;
    memset(&r, 0, sizeof r);
    r.p = &p;
    r.sim = synack_sim_new(seed);
    struct synack_config cfg[2];
    int host[2];
    for (int i = 0; i < 2; i++) {
        configure(&p.side[i], i, trace, &cfg[i]);
        host[i] = synack_sim_add_host(r.sim, &cfg[i]);
    }
    if (host[0] < 0 || host[1] < 0) {
        snprintf(rep->why, sizeof rep->why, "a stack refused the config (%d, %d)", host[0],
                 host[1]);
        synack_sim_free(r.sim);
        if (trace) fclose(trace);
        return false;
    }
    synack_sim_link(r.sim, host[0], host[1], &p.side[0].path, &p.side[1].path);
    for (int i = 0; i < 2; i++)
        if (p.side[i].offload && synack_sim_set_offload(r.sim, host[i], true))
            fail(&r, "%s: offload refused", i ? "server" : "client");
    if (opts && opts->pcap_prefix) {
        char path[512];
        for (int i = 0; i < 2; i++) {
            snprintf(path, sizeof path, "%s-%s.pcap", opts->pcap_prefix, i ? "server" : "client");
            synack_sim_capture(r.sim, host[i], path);
        }
    }
    for (int i = 0; i < 2; i++) {
        struct side *s = &r.s[i];
        s->idx = i;
        s->st = synack_sim_stack(r.sim, host[i]);
        s->fd = -1;
        sk_rng_seed(&s->rng, seed * 2 + (uint64_t)i);
        s->next_pause = p.side[i].pause_every ? upto(&s->rng, p.side[i].pause_every) : 0;
        s->pending = malloc(CHUNK);
    }
    if (p.mode == MODE_REQRESP) {
        r.s[0].to_send = r.s[1].to_receive = sum(p.req, p.rounds);
        r.s[1].to_send = r.s[0].to_receive = sum(p.resp, p.rounds);
    } else {
        r.s[0].to_send = r.s[1].to_receive = p.bytes[0];
        r.s[1].to_send = r.s[0].to_receive = p.bytes[1];
    }
    if (p.mode == MODE_ECHO) r.s[1].to_send = p.bytes[0];
    for (int i = 0; i < 2; i++) {
        struct side *s = &r.s[i];
        if (!p.side[i].zerocopy || s->to_send == 0) continue;
        s->zc_buf = malloc(s->to_send);
        for (uint64_t k = 0; s->zc_buf && k < s->to_send; k++)
            s->zc_buf[k] = pattern(i, k);
    }

    r.lfd = synack_socket(r.s[1].st);
    struct synack_endpoint any = {0, PORT}, srv = {SERVER_ADDR, PORT};
    synack_bind(r.s[1].st, r.lfd, &any);
    synack_listen(r.s[1].st, r.lfd, 4);
    r.s[0].fd = synack_socket(r.s[0].st);
    if (p.side[0].nodelay) synack_setsockopt(r.s[0].st, r.s[0].fd, SYNACK_TCP_NODELAY, 1);
    if (p.side[1].nodelay) synack_setsockopt(r.s[1].st, r.lfd, SYNACK_TCP_NODELAY, 1);
    int e = synack_connect(r.s[0].st, r.s[0].fd, &srv);
    if (e != -EINPROGRESS) fail(&r, "client: connect returned %d", e);

    /* Virtual time is cheap: the hard limit is far past the bound, so a slow run is told
     * apart from a stalled one. */
    synack_time_t limit = (synack_time_t)(rep->bound_s * 4 * 1e9) + SYNACK_SEC(600);
    while (!r.failed && !finished(&r)) {
        r.wake = next_wake(&r);
        synack_time_t until = r.wake < limit ? r.wake : limit;
        bool stopped = synack_sim_run_until_done(r.sim, step, &r, until);
        if (r.failed || finished(&r) || synack_sim_now(r.sim) >= limit) break;
        if (!stopped) synack_sim_run_until(r.sim, until); /* quiet until then: skip ahead */
    }
    if (!r.failed && !finished(&r)) {
        char buf[2][200];
        for (int i = 0; i < 2; i++) {
            const struct side *s = &r.s[i];
            struct synack_conn_info ci;
            memset(&ci, 0, sizeof ci);
            if (s->fd >= 0) synack_get_info(s->st, s->fd, &ci);
            snprintf(buf[i], sizeof buf[i],
                     "%s %s sent %llu/%llu recv %llu/%llu eof %d shut %d round %u queued %u/%u",
                     name(s), synack_state_name(ci.state), (unsigned long long)s->sent,
                     (unsigned long long)s->to_send, (unsigned long long)s->received,
                     (unsigned long long)s->to_receive, s->eof, s->shut, s->round, ci.send_queued,
                     ci.recv_queued);
        }
        fail(&r, "stalled at %.1f s: %s; %s", (double)synack_sim_now(r.sim) / 1e9, buf[0], buf[1]);
    }
    if (!r.failed) {
        /* Both close; TIME-WAIT and any retransmitted FINs run out; nothing may remain. */
        for (int i = 0; i < 2; i++)
            if (synack_close(r.s[i].st, r.s[i].fd)) fail(&r, "%s: close failed", name(&r.s[i]));
        synack_sim_run_until_done(r.sim, all_gone, &r, synack_sim_now(r.sim) + SYNACK_SEC(1000));
        rep->done_s = (double)synack_sim_now(r.sim) / 1e9;
        for (int i = 0; i < 2; i++)
            if (synack_stack_buffer_memory(r.s[i].st) != 0)
                fail(&r, "%s: %zu bytes of buffer memory left after close", name(&r.s[i]),
                     synack_stack_buffer_memory(r.s[i].st));
        if (!all_gone(&r))
            fail(&r, "connections left after close: client %u, server %u",
                 synack_stack_connection_count(r.s[0].st),
                 synack_stack_connection_count(r.s[1].st));
        else if (rep->done_s > rep->bound_s + 2 * 30 + 10)
            fail(&r, "too slow: %.1f s, bound %.1f s", rep->done_s, rep->bound_s);
    }
    check_counters(&r);
    for (int i = 0; i < 2; i++)
        rep->events += synack_stack_counter(r.s[i].st, SYNACK_CTR_TCP_OUT);
    snprintf(rep->why, sizeof rep->why, "%s", r.why);
    for (int i = 0; i < 2; i++)
        free(r.s[i].pending);
    synack_sim_free(r.sim);
    for (int i = 0; i < 2; i++)
        free(r.s[i].zc_buf); /* after the stacks: they may reference it to the end */
    if (trace) fclose(trace);
    return !r.failed;
}
