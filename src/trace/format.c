/* SPDX-License-Identifier: MIT */
/* One-line rendering of trace events (for --trace and logs), options as tcpdump shows them
 * and the causes of outgoing segments. */
#include <stdio.h>
#include <string.h>
#include "synack/ladder.h"
#include "synack/stack.h"

static void ip_str(uint32_t a, char *buf, size_t n)
{
    snprintf(buf, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

const char *synack_trace_cause_name(enum synack_trace_cause cause)
{
    static const char *const names[SYNACK_CAUSE_COUNT] = {
        [SYNACK_CAUSE_NONE] = "",
        [SYNACK_CAUSE_OPEN] = "open",
        [SYNACK_CAUSE_DATA] = "data",
        [SYNACK_CAUSE_FIN] = "fin",
        [SYNACK_CAUSE_ACK] = "ack",
        [SYNACK_CAUSE_DELAYED_ACK] = "delayed ack",
        [SYNACK_CAUSE_RTO] = "rto",
        [SYNACK_CAUSE_RTO_GO_BACK] = "rto go-back-n",
        [SYNACK_CAUSE_FAST_RETRANSMIT] = "fast retransmit",
        [SYNACK_CAUSE_PARTIAL_ACK] = "partial ack",
        [SYNACK_CAUSE_SACK_RECOVERY] = "sack recovery",
        [SYNACK_CAUSE_TLP] = "tail loss probe",
        [SYNACK_CAUSE_SYN_REPEAT] = "syn repeated",
        [SYNACK_CAUSE_PERSIST] = "zero-window probe",
        [SYNACK_CAUSE_KEEPALIVE] = "keepalive",
        [SYNACK_CAUSE_CHALLENGE_ACK] = "challenge ack",
        [SYNACK_CAUSE_ANSWER] = "answer",
        [SYNACK_CAUSE_TIME_WAIT] = "time-wait answer",
        [SYNACK_CAUSE_RESET] = "reset",
        [SYNACK_CAUSE_ABORT] = "abort",
        [SYNACK_CAUSE_FASTOPEN] = "fast open fallback",
        [SYNACK_CAUSE_PMTU] = "path mtu",
    };
    if ((unsigned)cause >= SYNACK_CAUSE_COUNT) return "?";
    return names[cause];
}

char *synack_trace_cause_str(const struct synack_trace_segment *s, char *buf, size_t size)
{
    const char *name = synack_trace_cause_name((enum synack_trace_cause)s->cause);
    if (s->cause == SYNACK_CAUSE_RTO && s->backoff)
        snprintf(buf, size, "rto #%u", s->backoff);
    else if (!*name && s->retransmission)
        snprintf(buf, size, "retransmission");
    else
        snprintf(buf, size, "%s", name);
    return buf;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

char *synack_trace_options_str(const struct synack_trace_segment *s, uint32_t sack_base, char *buf,
                               size_t size)
{
    size_t k = 0;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        int n_ = snprintf(buf + k, size - k, __VA_ARGS__);                                         \
        if (n_ < 0 || (size_t)n_ >= size - k) return buf;                                          \
        k += (size_t)n_;                                                                           \
    } while (0)
    if (size == 0) return buf;
    buf[0] = '\0';
    const uint8_t *o = s->options;
    size_t len = s->opt_len < sizeof s->options ? s->opt_len : sizeof s->options;
    if (len == 0) return buf;
    PUT("<");
    for (size_t i = 0; i < len;) {
        const char *sep = i ? "," : "";
        uint8_t kind = o[i];
        if (kind == 0) {
            PUT("%seol", sep);
            break;
        }
        if (kind == 1) {
            PUT("%snop", sep);
            i++;
            continue;
        }
        if (i + 1 >= len || o[i + 1] < 2 || i + o[i + 1] > len) {
            PUT("%sbad opt", sep);
            break;
        }
        uint8_t ol = o[i + 1];
        const uint8_t *v = o + i + 2;
        if (kind == 2 && ol == 4)
            PUT("%smss %u", sep, (unsigned)(v[0] << 8 | v[1]));
        else if (kind == 3 && ol == 3)
            PUT("%swscale %u", sep, v[0]);
        else if (kind == 4 && ol == 2)
            PUT("%ssackOK", sep);
        else if (kind == 8 && ol == 10)
            PUT("%sTS val %u ecr %u", sep, be32(v), be32(v + 4));
        else if (kind == 5 && (ol - 2) % 8 == 0) {
            PUT("%ssack %u ", sep, (unsigned)(ol - 2) / 8);
            for (unsigned b = 0; b < (unsigned)(ol - 2) / 8; b++)
                PUT("{%u:%u}", be32(v + 8 * b) - sack_base, be32(v + 8 * b + 4) - sack_base);
        } else if (kind == 34) {
            if (ol == 2)
                PUT("%stfo cookiereq", sep);
            else {
                PUT("%stfo cookie ", sep);
                for (unsigned b = 0; b < (unsigned)ol - 2; b++)
                    PUT("%02x", v[b]);
            }
        } else
            PUT("%sopt-%u:%u", sep, kind, ol);
        i += ol;
    }
    PUT(">");
#undef PUT
    return buf;
}

const char *synack_timer_name(int timer)
{
    static const char *const names[SYNACK_TIMER_COUNT] = {
        [SYNACK_TIMER_RTO] = "rto",
        [SYNACK_TIMER_TLP] = "tlp",
        [SYNACK_TIMER_PERSIST] = "persist",
        [SYNACK_TIMER_DELACK] = "delayed-ack",
        [SYNACK_TIMER_KEEPALIVE] = "keepalive",
        [SYNACK_TIMER_CLOSE] = "close",
    };
    return timer >= 0 && timer < SYNACK_TIMER_COUNT ? names[timer] : "?";
}

char *synack_trace_format(const struct synack_trace_event *ev, char *buf, size_t size)
{
    char l[16], r[16], f[32];
    ip_str(ev->local.addr, l, sizeof l);
    ip_str(ev->remote.addr, r, sizeof r);
    double ms = (double)ev->time / 1e6;
    switch (ev->kind) {
    case SYNACK_TRACE_SEGMENT_IN:
    case SYNACK_TRACE_SEGMENT_OUT: {
        const struct synack_trace_segment *s = &ev->u.segment;
        bool out = ev->kind == SYNACK_TRACE_SEGMENT_OUT;
        char opts[256], why[48], tail[80] = "";
        synack_trace_options_str(s, 0, opts, sizeof opts);
        synack_trace_cause_str(s, why, sizeof why);
        if (out && s->retransmission)
            snprintf(tail, sizeof tail, " (retransmission%s%s)", *why && s->cause ? ": " : "",
                     s->cause ? why : "");
        else if (out && *why)
            snprintf(tail, sizeof tail, " (%s)", why);
        snprintf(buf, size, "%.3f ms %s %s:%u %s %s:%u %s seq=%u ack=%u win=%u len=%u%s%s%s", ms,
                 out ? "OUT" : "IN ", l, ev->local.port, out ? ">" : "<", r, ev->remote.port,
                 synack_flags_str(s->flags, f, sizeof f), s->seq, s->ack, s->window, s->len,
                 *opts ? " " : "", opts, tail);
        break;
    }
    case SYNACK_TRACE_STATE:
        snprintf(buf, size, "%.3f ms STATE %s:%u-%s:%u %s -> %s", ms, l, ev->local.port, r,
                 ev->remote.port, synack_state_name(ev->u.state.from),
                 synack_state_name(ev->u.state.to));
        break;
    case SYNACK_TRACE_DROP:
        snprintf(buf, size, "%.3f ms DROP %s", ms,
                 synack_counter_name((enum synack_counter)ev->u.drop.counter));
        break;
    case SYNACK_TRACE_CWND: {
        char ss[16] = "-";
        if (ev->u.cwnd.ssthresh != UINT32_MAX) snprintf(ss, sizeof ss, "%u", ev->u.cwnd.ssthresh);
        const char *algo = synack_congestion_name(ev->u.cwnd.algorithm);
        snprintf(buf, size, "%.3f ms CWND %s:%u-%s:%u cwnd=%u ssthresh=%s in_flight=%u %s%s", ms, l,
                 ev->local.port, r, ev->remote.port, ev->u.cwnd.cwnd, ss, ev->u.cwnd.in_flight,
                 algo ? algo : "?", ev->u.cwnd.in_recovery ? " recovery" : "");
        break;
    }
    case SYNACK_TRACE_RTT:
        snprintf(buf, size, "%.3f ms RTT %s:%u-%s:%u sample=%.3f srtt=%.3f rttvar=%.3f rto=%.3f",
                 ms, l, ev->local.port, r, ev->remote.port, (double)ev->u.rtt.sample / 1e6,
                 (double)ev->u.rtt.srtt / 1e6, (double)ev->u.rtt.rttvar / 1e6,
                 (double)ev->u.rtt.rto / 1e6);
        break;
    case SYNACK_TRACE_TIMER:
        snprintf(buf, size, "%.3f ms TIMER %s:%u-%s:%u %s (%u)", ms, l, ev->local.port, r,
                 ev->remote.port, synack_timer_name(ev->u.timer.which), ev->u.timer.backoff);
        break;
    default:
        snprintf(buf, size, "%.3f ms ?", ms);
        break;
    }
    return buf;
}
