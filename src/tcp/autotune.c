/* SPDX-License-Identifier: MIT */
#include "tcp/autotune.h"
#include "tcp/zcopy.h"

#include "tcp/output.h"
#include "tcp/seq.h"

#define NS_PER_US 1000u
#define NS_PER_MS 1000000u

/* Bytes the application has taken out of the receive buffer (low 32 bits suffice: only
 * differences over one round trip are used). */
static uint32_t bytes_read(const struct sk_tcb *tcb)
{
    return (uint32_t)tcb->bytes_received - tcb->rcvbuf.len;
}

static uint32_t to_us(synack_time_t ns)
{
    uint64_t us = ns / NS_PER_US;
    return us == 0 ? 1 : us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* Linux tcp_rcv_rtt_update: a sample that depends on the window (one window's worth took
 * this long) is an upper bound, so only a smaller one replaces the estimate; a timestamp
 * sample is averaged in with gain 1/8. `floor_ns` is the least the round trip can have been
 * (a timestamp counts whole milliseconds): the latest sample, which the growth checks
 * (queued() below). Only the exact, window-based samples feed the path's minimum. */
static void rcv_rtt_update(struct sk_tcb *tcb, synack_time_t sample_ns, synack_time_t floor_ns,
                           bool window_based)
{
    uint32_t sample = to_us(sample_ns);
    uint32_t cur = tcb->rcv_rtt_us;
    if (cur == 0)
        cur = sample;
    else if (window_based)
        cur = sample < cur ? sample : cur;
    else
        cur = (uint32_t)(((uint64_t)cur * 7 + sample) / 8);
    tcb->rcv_rtt_us = cur ? cur : 1;
    tcb->rcv_rtt_last_us = to_us(floor_ns);
    if (window_based) sk_rtt_note_min(&tcb->rtt, sample_ns);
}

/* A round trip over twice the path's smallest means a queue, not the window, holds the
 * transfer back: a bottleneck link's, or the time the hosts take to process a window
 * (CPU-bound, as two stacks in one thread). A bigger buffer would only lengthen the queue
 * and the data's trip through the caches, so buffers grow only while it is not so. Linux
 * grows regardless; this is synack's own choice (measured in docs/performance.md). */
static bool queued(const struct sk_tcb *tcb, synack_time_t rtt)
{
    return tcb->rtt.min != 0 && rtt > 2 * tcb->rtt.min;
}

void sk_tcp_rcv_rtt_measure(struct sk_engine *eng, struct sk_tcb *tcb, uint32_t ts_ecr,
                            uint32_t len)
{
    if (tcb->rcvbuf_max <= tcb->rcvbuf.cap || len == 0) return; /* nothing to tune */
    /* Linux tcp_rcv_rtt_measure_ts: a full-sized segment echoing our clock gives the RTT
     * directly (our TSval counts milliseconds, output.c). */
    if (ts_ecr != 0 && len >= tcb->rcv_mss) {
        uint32_t ts_now = (uint32_t)(eng->now / NS_PER_MS) + tcb->ts_offset;
        uint32_t delta = ts_now - ts_ecr;
        if (delta > 0 && delta < (1u << 30))
            rcv_rtt_update(tcb, (synack_time_t)delta * NS_PER_MS,
                           (synack_time_t)(delta - 1) * NS_PER_MS, false);
    }
    /* Linux tcp_rcv_rtt_measure: the time for one offered window of data to arrive. It is
     * near the round trip only while the window is what limits the sender. */
    if (tcb->rcv_rtt_time != 0 && seq_lt(tcb->rcv_nxt, tcb->rcv_rtt_seq)) return;
    if (tcb->rcv_rtt_time != 0) {
        synack_time_t took = eng->now - tcb->rcv_rtt_time;
        rcv_rtt_update(tcb, took, took, true);
    }
    tcb->rcv_rtt_seq = tcb->rcv_nxt + sk_tcp_offered_window(tcb);
    tcb->rcv_rtt_time = eng->now ? eng->now : 1;
}

/* Linux tcp_under_memory_pressure: past tcp_mem[1] (by default two thirds of tcp_mem[2])
 * buffers stop growing. */
static bool under_pressure(const struct sk_engine *eng)
{
    const struct sk_mem *m = &eng->mem;
    return m->limit && m->in_use > m->limit / 3 * 2;
}

/* Raises a ring's limit to at least target (at most max), by half its size at least so
 * that a steadily rising target moves the ring's chunk table a few times only. */
static bool grow(struct sk_engine *eng, struct sk_ring *r, uint64_t target, uint32_t max,
                 uint32_t extent)
{
    uint64_t cap = r->cap + (uint64_t)r->cap / 2;
    if (cap < target) cap = target;
    cap = (cap + SK_RING_CHUNK - 1) / SK_RING_CHUNK * SK_RING_CHUNK;
    if (cap > max) cap = max;
    if (cap <= r->cap || under_pressure(eng)) return false;
    return sk_ring_grow(&eng->mem, r, (uint32_t)cap, extent);
}

void sk_tcp_rcv_space_adjust(struct sk_engine *eng, struct sk_tcb *tcb)
{
    if (tcb->rcvbuf_max <= tcb->rcvbuf.cap) return;
    if (tcb->rcvq_time == 0) {
        /* Linux tcp_init_buffer_space: the first measure starts from an initial window's
         * worth (TCP_INIT_CWND segments). */
        uint32_t init = 10u * tcb->our_mss;
        tcb->rcvq_space = init < tcb->rcvbuf.cap ? init : tcb->rcvbuf.cap;
        tcb->rcvq_read = bytes_read(tcb);
        tcb->rcvq_time = eng->now ? eng->now : 1;
        return;
    }
    if (tcb->rcv_rtt_us == 0 ||
        eng->now - tcb->rcvq_time < (synack_time_t)tcb->rcv_rtt_us * NS_PER_US)
        return;
    uint32_t copied = bytes_read(tcb) - tcb->rcvq_read;
    if (copied > tcb->rcvq_space) {
        /* Linux: room for twice what was read in one round trip plus 16 segments, and
         * twice more in proportion to how fast that grew since the last round trip, so the
         * sender's slow start is never held back by the window. */
        uint64_t win = 2 * (uint64_t)copied + 16u * tcb->our_mss;
        win += 2 * (win * (copied - tcb->rcvq_space) / tcb->rcvq_space);
        uint32_t extent = tcb->rcvbuf.len + sk_reasm_extent(&tcb->reasm);
        bool queue = queued(tcb, (synack_time_t)tcb->rcv_rtt_last_us * NS_PER_US);
        /* Not while views of the buffer are lent out (zcopy.h): growing may move it. */
        bool lent = tcb->zc && tcb->zc->borrowed;
        if (win > tcb->rcvbuf.cap && !queue && !lent &&
            grow(eng, &tcb->rcvbuf, win, tcb->rcvbuf_max, extent))
            sk_count(eng, SYNACK_CTR_TCP_RCVBUF_GROWN);
        tcb->rcvq_space = copied;
    }
    tcb->rcvq_read = bytes_read(tcb);
    tcb->rcvq_time = eng->now;
}

void sk_tcp_snd_space_expand(struct sk_engine *eng, struct sk_tcb *tcb)
{
    if (!tcb->snd_nospace) return;
    tcb->snd_nospace = false;
    if (tcb->sndbuf_max <= tcb->sndbuf.cap) return;
    /* tcp_should_expand_sndbuf: not while the congestion window is what holds data back. */
    if (sk_tcp_in_flight(tcb) >= tcb->cwnd) return;
    if (tcb->rtt.has_sample && queued(tcb, tcb->rtt.srtt)) return;
    /* tcp_sndbuf_expand: room for twice the congestion window (at least the initial
     * window), for fast recovery and for the window's growth in slow start. */
    uint32_t floor = 10u * tcb->snd_mss;
    uint64_t target = 2 * (uint64_t)(tcb->cwnd > floor ? tcb->cwnd : floor);
    if (target > tcb->sndbuf.cap &&
        grow(eng, &tcb->sndbuf, target, tcb->sndbuf_max, tcb->sndbuf.len))
        sk_count(eng, SYNACK_CTR_TCP_SNDBUF_GROWN);
}
