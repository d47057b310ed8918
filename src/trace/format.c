/* SPDX-License-Identifier: MIT */
/* One-line rendering of trace events (for --trace and logs), options as tcpdump shows them
 * and the causes of outgoing segments. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "synack/ladder.h"
#include "synack/socket.h"
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
        [SYNACK_TIMER_REORDER] = "reorder",
    };
    return timer >= 0 && timer < SYNACK_TIMER_COUNT ? names[timer] : "?";
}

const char *synack_call_name(int call)
{
    static const char *const names[SYNACK_CALL_COUNT] = {
        [SYNACK_CALL_SOCKET] = "socket",
        [SYNACK_CALL_BIND] = "bind",
        [SYNACK_CALL_LISTEN] = "listen",
        [SYNACK_CALL_ACCEPT] = "accept",
        [SYNACK_CALL_CONNECT] = "connect",
        [SYNACK_CALL_SEND] = "send",
        [SYNACK_CALL_RECV] = "recv",
        [SYNACK_CALL_SHUTDOWN] = "shutdown",
        [SYNACK_CALL_CLOSE] = "close",
        [SYNACK_CALL_ABORT] = "abort",
        [SYNACK_CALL_SETSOCKOPT] = "setsockopt",
        [SYNACK_CALL_SENDTO] = "sendto",
        [SYNACK_CALL_RECV_BORROW] = "recv_borrow",
        [SYNACK_CALL_RECV_RETURN] = "recv_return",
    };
    return call >= 0 && call < SYNACK_CALL_COUNT ? names[call] : "?";
}

/* The errors the socket calls return (include/synack/socket.h), by name. */
static const char *errno_name(int64_t err)
{
#define E(x)                                                                                       \
    {                                                                                              \
        x, #x                                                                                      \
    }
    static const struct {
        int err;
        const char *name;
    } names[] = {
        E(EBADF),      E(EINVAL),       E(EMFILE),       E(ENOMEM),        E(ENOBUFS),
        E(EFAULT),     E(EAGAIN),       E(EINPROGRESS),  E(EALREADY),      E(EISCONN),
        E(ENOTCONN),   E(EPIPE),        E(EADDRINUSE),   E(EADDRNOTAVAIL), E(ECONNREFUSED),
        E(ECONNRESET), E(ECONNABORTED), E(ETIMEDOUT),    E(EHOSTUNREACH),  E(ENETUNREACH),
        E(EOPNOTSUPP), E(ENOPROTOOPT),  E(EDESTADDRREQ), E(EBUSY),
    };
#undef E
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].err == err) return names[i].name;
    return NULL;
}

static const char *sockopt_name(int opt)
{
    static const char *const names[] = {
        [SYNACK_SO_RCVBUF] = "SO_RCVBUF",
        [SYNACK_SO_SNDBUF] = "SO_SNDBUF",
        [SYNACK_SO_REUSEADDR] = "SO_REUSEADDR",
        [SYNACK_TCP_NODELAY] = "TCP_NODELAY",
        [SYNACK_TCP_MAXSEG] = "TCP_MAXSEG",
        [SYNACK_SO_KEEPALIVE] = "SO_KEEPALIVE",
        [SYNACK_TCP_KEEPIDLE] = "TCP_KEEPIDLE",
        [SYNACK_TCP_KEEPINTVL] = "TCP_KEEPINTVL",
        [SYNACK_TCP_KEEPCNT] = "TCP_KEEPCNT",
        [SYNACK_TCP_FASTOPEN_CONNECT] = "TCP_FASTOPEN_CONNECT",
        [SYNACK_TCP_USER_TIMEOUT] = "TCP_USER_TIMEOUT",
        [SYNACK_TCP_CONGESTION] = "TCP_CONGESTION",
        [SYNACK_TCP_FASTOPEN] = "TCP_FASTOPEN",
    };
    return opt >= 0 && (size_t)opt < sizeof names / sizeof names[0] && names[opt] ? names[opt]
                                                                                  : NULL;
}

char *synack_trace_call_str(const struct synack_trace_event *ev, char *buf, size_t size)
{
    if (size == 0) return buf;
    buf[0] = '\0';
    if (ev->kind != SYNACK_TRACE_CALL) return buf;
    char args[64] = "", res[64], ip[16];
    const int64_t r = ev->u.call.result, a = ev->u.call.arg;
    const struct synack_endpoint *ep = &ev->u.call.addr;
    ip_str(ep->addr, ip, sizeof ip);
    switch (ev->u.call.call) {
    case SYNACK_CALL_BIND:
    case SYNACK_CALL_CONNECT:
        snprintf(args, sizeof args, "%s:%u", ip, ep->port);
        break;
    case SYNACK_CALL_SENDTO:
        snprintf(args, sizeof args, "%s:%u, %" PRId64 "%s", ip, ep->port, a,
                 ev->u.call.arg2 & SYNACK_FASTOPEN_QUEUE_ALL ? ", FASTOPEN_QUEUE_ALL" : "");
        break;
    case SYNACK_CALL_SEND:
        snprintf(args, sizeof args, "%" PRId64 "%s", a,
                 ev->u.call.arg2 & SYNACK_MSG_ZEROCOPY ? ", MSG_ZEROCOPY" : "");
        break;
    case SYNACK_CALL_LISTEN:
    case SYNACK_CALL_RECV_BORROW:
    case SYNACK_CALL_RECV_RETURN:
        snprintf(args, sizeof args, "%" PRId64, a);
        break;
    case SYNACK_CALL_RECV:
        snprintf(args, sizeof args, "%" PRId64 "%s%s%s", a,
                 ev->u.call.arg2 & SYNACK_MSG_PEEK ? ", MSG_PEEK" : "",
                 ev->u.call.arg2 & SYNACK_MSG_TRUNC ? ", MSG_TRUNC" : "",
                 ev->u.call.arg2 & SYNACK_MSG_DONTWAIT ? ", MSG_DONTWAIT" : "");
        break;
    case SYNACK_CALL_SHUTDOWN:
        snprintf(args, sizeof args, "%s",
                 a == SYNACK_SHUT_RD     ? "SHUT_RD"
                 : a == SYNACK_SHUT_WR   ? "SHUT_WR"
                 : a == SYNACK_SHUT_RDWR ? "SHUT_RDWR"
                                         : "?");
        break;
    case SYNACK_CALL_SETSOCKOPT: {
        const char *o = sockopt_name(ev->u.call.arg2);
        if (o)
            snprintf(args, sizeof args, "%s, %" PRId64, o, a);
        else
            snprintf(args, sizeof args, "%d, %" PRId64, ev->u.call.arg2, a);
        break;
    }
    default:
        break;
    }
    const char *e = r < 0 ? errno_name(-r) : NULL;
    if (e)
        snprintf(res, sizeof res, "-%s", e);
    else if (ev->u.call.call == SYNACK_CALL_ACCEPT && r >= 0)
        snprintf(res, sizeof res, "%" PRId64 " (%s:%u)", r, ip, ep->port);
    else
        snprintf(res, sizeof res, "%" PRId64, r);
    snprintf(buf, size, "%s(%s) = %s", synack_call_name(ev->u.call.call), args, res);
    return buf;
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
    case SYNACK_TRACE_TIMER_SET:
        snprintf(buf, size, "%.3f ms TIMER-SET %s:%u-%s:%u %s at %.3f ms", ms, l, ev->local.port, r,
                 ev->remote.port, synack_timer_name(ev->u.timer.which),
                 (double)ev->u.timer.at / 1e6);
        break;
    case SYNACK_TRACE_CALL: {
        char call[160];
        snprintf(buf, size, "%.3f ms CALL %s:%u-%s:%u fd %d %s", ms, l, ev->local.port, r,
                 ev->remote.port, ev->u.call.fd, synack_trace_call_str(ev, call, sizeof call));
        break;
    }
    default:
        snprintf(buf, size, "%.3f ms ?", ms);
        break;
    }
    return buf;
}
