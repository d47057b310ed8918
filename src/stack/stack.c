/* SPDX-License-Identifier: MIT */
/* The stack object: creation, IPv4 input and demultiplexing, timers, deadlines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "stack/stack_impl.h"
#include "tcp/tracepoints.h"
#include "tcp/input.h"
#include "tcp/output.h"
#include "tcp/seq.h"
#include "tcp/state.h"
#include "tcp/timers.h"
#include "wire/ipv4.h"

struct synack_stack *synack_stack_new(const struct synack_config *config,
                                      const struct synack_link *link)
{
    struct synack_config cfg;
    if (config)
        cfg = *config;
    else
        synack_config_init(&cfg);
    if (synack_config_check(&cfg, NULL) || !link || !link->transmit) return NULL;
    void *(*alloc)(void *, size_t) = cfg.alloc;
    struct synack_stack *s = alloc ? alloc(cfg.mem_ctx, sizeof *s) : malloc(sizeof *s);
    if (!s) return NULL;
    memset(s, 0, sizeof *s);
    s->eng.cfg = cfg;
    s->eng.link = *link;
    s->eng.hooks = sk_stack_hooks;
    s->eng.mem = (struct sk_mem){
        .alloc = cfg.alloc, .dealloc = cfg.dealloc, .ctx = cfg.mem_ctx, .limit = cfg.mem_limit};
    s->eng.scratch_cap = 20 + 60 + (size_t)cfg.mss + 4;
    s->max_fds = cfg.max_sockets;
    unsigned nb = 16;
    while (nb < cfg.max_connections * 2 && nb < (1u << 24))
        nb *= 2;
    s->bucket_mask = nb - 1;
    unsigned np = 256; /* local ports: at most 65536 of them */
    while (np < nb && np < 65536)
        np *= 2;
    s->ports.mask = np - 1;
    size_t sizes[6] = {s->eng.scratch_cap,
                       s->max_fds * sizeof(struct sk_tcb *),
                       nb * sizeof(struct sk_tcb *),
                       sk_fdtable_words(s->max_fds) * sizeof(uint64_t),
                       np * sizeof(struct sk_port_entry *),
                       nb * sizeof(struct sk_tw *)};
    void *blocks[6];
    bool ok = true;
    for (int i = 0; i < 6; i++) {
        blocks[i] = alloc ? alloc(cfg.mem_ctx, sizes[i]) : malloc(sizes[i]);
        if (blocks[i]) memset(blocks[i], 0, sizes[i]);
        ok = ok && blocks[i];
    }
    s->eng.scratch = blocks[0];
    s->fds = blocks[1];
    s->buckets = blocks[2];
    s->fd_free.used = blocks[3];
    s->ports.buckets = blocks[4];
    s->tw.buckets = blocks[5];
    if (!ok) {
        synack_stack_free(s);
        return NULL;
    }
    sk_fdtable_init(&s->fd_free, blocks[3], s->max_fds);
    return s;
}

void synack_stack_free(struct synack_stack *s)
{
    if (!s) return;
    sk_conn_reap(s);
    while (s->all)
        sk_conn_free(s, s->all);
    if (s->tw.buckets) sk_tw_free_all(s);
    sk_event_free(s);
    sk_sched_free(s);
    sk_mem_trim(&s->eng.mem);
    void (*dealloc)(void *, void *) = s->eng.cfg.dealloc;
    void *ctx = s->eng.cfg.mem_ctx;
    void *blocks[7] = {s->eng.scratch,   s->fds,        s->buckets, s->fd_free.used,
                       s->ports.buckets, s->tw.buckets, s};
    for (int i = 0; i < 7; i++) {
        if (!blocks[i]) continue;
        if (dealloc)
            dealloc(ctx, blocks[i]);
        else
            free(blocks[i]);
    }
}

void sk_trace_drop(struct sk_engine *eng, enum synack_counter c, const struct sk_segment *seg)
{
    struct synack_trace_event ev;
    if (!sk_trace_begin(eng, SYNACK_TRACE_DROP, seg ? &seg->dst : NULL, seg ? &seg->src : NULL,
                        &ev))
        return;
    ev.u.drop.counter = (int)c;
    sk_trace_emit(eng, &ev);
}

static void drop(struct synack_stack *s, enum synack_counter c, const struct sk_segment *seg)
{
    sk_count(&s->eng, c);
    sk_trace_drop(&s->eng, c, seg);
}

static void trace_in(struct synack_stack *s, const struct sk_segment *seg)
{
    struct synack_trace_event ev;
    if (!sk_trace_begin(&s->eng, SYNACK_TRACE_SEGMENT_IN, &seg->dst, &seg->src, &ev)) return;
    struct synack_trace_segment *t = &ev.u.segment;
    t->src = seg->src;
    t->dst = seg->dst;
    t->seq = seg->h.seq;
    t->ack = seg->h.ack;
    t->flags = seg->h.flags;
    t->window = seg->h.window;
    t->len = seg->len;
    t->mss = seg->h.opts.has_mss ? seg->h.opts.mss : 0;
    t->wscale = seg->h.opts.has_wscale ? (int8_t)seg->h.opts.wscale : -1;
    t->sack_permitted = seg->h.opts.sack_permitted;
    t->opt_len = (uint8_t)(seg->h.hdr_len - SK_TCP_HDR_LEN);
    memcpy(t->options, seg->payload - seg->h.hdr_len + SK_TCP_HDR_LEN, t->opt_len);
    sk_trace_emit(&s->eng, &ev);
}

static void set_now(struct synack_stack *s, synack_time_t now)
{
    if (now > s->eng.now) s->eng.now = now; /* time never goes backwards inside the engine */
}

/* Linux tcp_timewait_state_process: the ISN of a connection that replaces a TIME-WAIT. */
static uint32_t tw_isn(uint32_t snd_nxt)
{
    uint32_t isn = snd_nxt + 65535 + 2;
    return isn ? isn : 1;
}

static void tcp_demux(struct synack_stack *s, struct sk_segment *seg)
{
    struct sk_tcb *tcb = sk_conn_lookup(s, &seg->dst, &seg->src);
    if (tcb && tcb->state == SYNACK_TIME_WAIT && (seg->h.flags & SYNACK_SYN) &&
        !(seg->h.flags & (SYNACK_ACK | SYNACK_RST)) && seq_gt(seg->h.seq, tcb->rcv_nxt) &&
        sk_conn_find_listener(s, &seg->dst)) {
        /* A new SYN above the old connection's sequence space ends TIME-WAIT early and
         * opens a new connection (RFC 9293 3.10.7.4 note, RFC 6191; Linux TCP_TW_SYN). */
        seg->isn_hint = tw_isn(tcb->snd_max);
        sk_sched_touch(s, tcb);
        sk_tcp_close_with(&s->eng, tcb, 0);
        tcb = NULL;
    }
    if (!tcb) {
        struct sk_tw *tw = sk_tw_lookup(s, &seg->dst, &seg->src);
        if (tw) {
            enum sk_tw_verdict v = sk_tw_input(&s->eng, tw, seg);
            if (v == SK_TW_KEEP) {
                sk_tw_requeue(s, tw);
                return;
            }
            if (v == SK_TW_SYN) seg->isn_hint = tw_isn(tw->snd_nxt);
            sk_tw_closed(&s->eng, tw); /* RST, or a new incarnation's SYN (below) */
            sk_tw_remove(s, tw);
            if (v == SK_TW_KILL) return;
        }
    }
    if (!tcb) tcb = sk_conn_find_listener(s, &seg->dst);
    if (!tcb) {
        sk_tcp_input_closed(&s->eng, seg);
        return;
    }
    sk_sched_touch(s, tcb); /* settled (timers, events, checks) at the end of the call */
    sk_tcp_input(&s->eng, tcb, seg);
}

void synack_stack_input(struct synack_stack *s, const uint8_t *packet, size_t len,
                        synack_time_t now)
{
    synack_stack_input_flags(s, packet, len, now, 0);
}

void synack_stack_input_flags(struct synack_stack *s, const uint8_t *packet, size_t len,
                              synack_time_t now, unsigned flags)
{
    set_now(s, now);
    sk_count(&s->eng, SYNACK_CTR_IP_IN);
    struct sk_ipv4 ip;
    static const enum synack_counter ip_errors[] = {
        [SK_IPV4_TOO_SHORT] = SYNACK_CTR_IP_TOO_SHORT,
        [SK_IPV4_BAD_VERSION] = SYNACK_CTR_IP_BAD_VERSION,
        [SK_IPV4_BAD_IHL] = SYNACK_CTR_IP_BAD_IHL,
        [SK_IPV4_BAD_LENGTH] = SYNACK_CTR_IP_BAD_LENGTH,
        [SK_IPV4_BAD_CHECKSUM] = SYNACK_CTR_IP_BAD_CHECKSUM,
        [SK_IPV4_FRAGMENT] = SYNACK_CTR_IP_FRAGMENT,
    };
    enum sk_ipv4_result r = packet ? sk_ipv4_parse(packet, len, &ip) : SK_IPV4_TOO_SHORT;
    if (r != SK_IPV4_OK) {
        drop(s, ip_errors[r], NULL);
        goto out;
    }
    if (ip.dst != s->eng.cfg.local_addr && !s->eng.cfg.accept_any_addr) {
        drop(s, SYNACK_CTR_IP_NOT_FOR_US, NULL);
        goto out;
    }
    if (ip.proto == SK_IPPROTO_ICMP) {
        sk_icmp_input(s, &ip);
        goto out;
    }
    if (ip.proto == 17 /* UDP */ && ip.dst == s->eng.cfg.local_addr) {
        /* No UDP here: RFC 1122 3.2.2.1 / 4.1.3.1 port unreachable, then the drop. */
        sk_udp_unreachable(s, &ip, packet);
    }
    if (ip.proto != SK_IPPROTO_TCP) {
        drop(s, SYNACK_CTR_IP_UNKNOWN_PROTO, NULL);
        goto out;
    }
    struct sk_segment seg;
    memset(&seg, 0, sizeof seg);
    static const enum synack_counter tcp_errors[] = {
        [SK_TCP_TOO_SHORT] = SYNACK_CTR_TCP_TOO_SHORT,
        [SK_TCP_BAD_OFFSET] = SYNACK_CTR_TCP_BAD_OFFSET,
        [SK_TCP_BAD_OPTION] = SYNACK_CTR_TCP_BAD_OPTION,
    };
    enum sk_tcp_result tr = sk_tcp_parse(ip.payload, ip.payload_len, &seg.h);
    if (tr != SK_TCP_OK) {
        drop(s, tcp_errors[tr], NULL);
        goto out;
    }
    seg.ecn = ip.tos & 3u;
    seg.src.addr = ip.src;
    seg.src.port = seg.h.sport;
    seg.dst.addr = ip.dst;
    seg.dst.port = seg.h.dport;
    if (!(flags & SYNACK_INPUT_CSUM_VALID) &&
        !sk_tcp_checksum_ok(ip.payload, ip.payload_len, ip.src, ip.dst)) {
        drop(s, SYNACK_CTR_TCP_BAD_CHECKSUM, &seg);
        goto out;
    }
    /* RFC 1122 4.2.3.10: no segments from broadcast / multicast sources; port 0 is
     * invalid on either side. */
    if (seg.h.sport == 0 || seg.h.dport == 0 || ip.src == 0xffffffffu || (ip.src >> 28) == 0xe ||
        ip.src == ip.dst) {
        drop(s, SYNACK_CTR_TCP_BAD_PORT, &seg);
        goto out;
    }
    seg.payload = ip.payload + seg.h.hdr_len;
    seg.len = (uint32_t)(ip.payload_len - seg.h.hdr_len);
    sk_count(&s->eng, SYNACK_CTR_TCP_IN);
    trace_in(s, &seg);
    s->eng.defer_output = (flags & SYNACK_INPUT_MORE) != 0;
    tcp_demux(s, &seg);
    s->eng.defer_output = false;
out:
    sk_conn_reap(s);
}

void synack_stack_poll(struct synack_stack *s, synack_time_t now)
{
    set_now(s, now);
    sk_tw_expire(s, s->eng.now);
    /* Due timers, from the heap: each connection once (settling re-keys it). */
    for (struct sk_tcb *t; (t = sk_sched_pop_due(s, s->eng.now)) != NULL;)
        if (!t->dead && t->state != SYNACK_CLOSED) sk_tcp_timers_run(&s->eng, t);
    /* Output that socket calls queued, for those connections only. */
    struct sk_tcb *t = sk_sched_take_output(s);
    while (t) {
        struct sk_tcb *next = t->out_next;
        t->out_marked = false;
        t->out_next = t->out_prev = NULL;
        sk_sched_touch(s, t);
        if (t->dead) {
        } else if (t->rst_pending) {
            /* Abort (RFC 9293 3.10.5): <SEQ=SND.NXT><CTL=RST,ACK>, then the block goes; a
             * socket the application still holds (aborted for lack of memory, sched.c)
             * stays, closed, reporting ENOMEM. */
            t->rst_pending = false;
            sk_tcp_send_abort_rst(&s->eng, t);
            if (t->fd >= 0)
                sk_tcp_close_with(&s->eng, t, -ENOMEM);
            else
                sk_conn_kill(s, t);
        } else if (t->state != SYNACK_CLOSED && t->state != SYNACK_LISTEN) {
            sk_tcp_output(&s->eng, t);
        }
        t = next;
    }
    sk_conn_reap(s);
}

synack_time_t synack_stack_next_deadline(const struct synack_stack *s)
{
    if (s->sched.output) return s->eng.now; /* socket calls queued output */
    synack_time_t t = sk_sched_earliest(s), tw = sk_tw_earliest(s);
    return tw < t ? tw : t;
}

uint64_t synack_stack_counter(const struct synack_stack *s, enum synack_counter id)
{
    if ((unsigned)id >= SYNACK_CTR_COUNT) return 0;
    return s->eng.counters[id];
}

size_t synack_stack_buffer_memory(const struct synack_stack *s)
{
    return s->eng.mem.in_use;
}

unsigned synack_stack_connection_count(const struct synack_stack *s)
{
    return s->eng.live;
}

const struct synack_config *synack_stack_config(const struct synack_stack *s)
{
    return &s->eng.cfg;
}

void synack_stack_flush_metrics(struct synack_stack *s)
{
    memset(&s->eng.tfo, 0, sizeof s->eng.tfo);
}

/* What sizes the stack's tables and memory was fixed by synack_stack_new. */
static bool same_shape(const struct synack_config *a, const struct synack_config *b)
{
    return a->mss == b->mss && a->max_sockets == b->max_sockets &&
           a->max_connections == b->max_connections && a->alloc == b->alloc &&
           a->dealloc == b->dealloc && a->mem_ctx == b->mem_ctx && a->local_addr == b->local_addr &&
           a->deterministic == b->deterministic &&
           memcmp(a->secret, b->secret, sizeof a->secret) == 0;
}

int synack_stack_reconfigure(struct synack_stack *s, const struct synack_config *config,
                             const char **why)
{
    if (!s || !config) return -EINVAL;
    if (synack_config_check(config, why)) return -EINVAL;
    if (!same_shape(&s->eng.cfg, config)) {
        if (why)
            *why = "mss, max_sockets, max_connections, local_addr, secret, deterministic "
                   "and the memory hooks are fixed when the stack is made";
        return -EINVAL;
    }
    /* Like a Linux sysctl: each setting is read where it is used, so the new values apply
     * from the next segment or call on (connections keep what they already negotiated). */
    s->eng.cfg = *config;
    s->eng.mem.limit = config->mem_limit;
    return 0;
}
