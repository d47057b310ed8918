/* SPDX-License-Identifier: MIT */
/* Trace files: the events a ladder collected, one line each, written and read back
 * (synack_ladder_save / synack_ladder_load). Every field of every event is kept, so a
 * ladder read back draws exactly what the run drew. The format, after the first line
 * "synack-trace 1" and "sides LEFT RIGHT":
 *
 *   TIME SIDE KIND LOCAL REMOTE FIELDS...
 *
 * TIME in ns, SIDE 0 or 1, KIND one of IN OUT STATE DROP CWND RTT TIMER CALL, endpoints
 * as A.B.C.D:PORT, then the kind's fields as decimal numbers in the order of its struct in
 * include/synack/trace.h (a segment's options as hex bytes, "-" for none). Lines starting
 * with '#' are comments. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "trace/ladder_impl.h"

#define MAX_FIELDS 24

static const char *const kinds[] = {
    [SYNACK_TRACE_SEGMENT_IN] = "IN",       [SYNACK_TRACE_SEGMENT_OUT] = "OUT",
    [SYNACK_TRACE_STATE] = "STATE",         [SYNACK_TRACE_DROP] = "DROP",
    [SYNACK_TRACE_CWND] = "CWND",           [SYNACK_TRACE_RTT] = "RTT",
    [SYNACK_TRACE_TIMER] = "TIMER",         [SYNACK_TRACE_CALL] = "CALL",
    [SYNACK_TRACE_TIMER_SET] = "TIMER-SET",
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static void ep(FILE *out, struct synack_endpoint e)
{
    fprintf(out, " %u.%u.%u.%u:%u", e.addr >> 24, (e.addr >> 16) & 255, (e.addr >> 8) & 255,
            e.addr & 255, e.port);
}

static void write_event(FILE *out, int side, const struct synack_trace_event *ev)
{
    fprintf(out, "%" PRIu64 " %d %s", ev->time, side, kinds[ev->kind]);
    ep(out, ev->local);
    ep(out, ev->remote);
    switch (ev->kind) {
    case SYNACK_TRACE_SEGMENT_IN:
    case SYNACK_TRACE_SEGMENT_OUT: {
        const struct synack_trace_segment *s = &ev->u.segment;
        ep(out, s->src);
        ep(out, s->dst);
        fprintf(out, " %u %u %u %u %u %u %d %d %d %u %u ", s->seq, s->ack, s->flags, s->window,
                s->len, s->mss, s->wscale, s->sack_permitted, s->retransmission, s->cause,
                s->backoff);
        unsigned n = s->opt_len < sizeof s->options ? s->opt_len : sizeof s->options;
        for (unsigned i = 0; i < n; i++)
            fprintf(out, "%02x", s->options[i]);
        if (n == 0) fputc('-', out);
        break;
    }
    case SYNACK_TRACE_STATE:
        fprintf(out, " %d %d", (int)ev->u.state.from, (int)ev->u.state.to);
        break;
    case SYNACK_TRACE_DROP:
        fprintf(out, " %d", ev->u.drop.counter);
        break;
    case SYNACK_TRACE_CWND:
        fprintf(out, " %u %u %u %u %d", ev->u.cwnd.cwnd, ev->u.cwnd.ssthresh, ev->u.cwnd.in_flight,
                ev->u.cwnd.algorithm, ev->u.cwnd.in_recovery);
        break;
    case SYNACK_TRACE_RTT:
        fprintf(out, " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64, ev->u.rtt.sample,
                ev->u.rtt.srtt, ev->u.rtt.rttvar, ev->u.rtt.rto);
        break;
    case SYNACK_TRACE_TIMER:
        fprintf(out, " %d %u", ev->u.timer.which, ev->u.timer.backoff);
        break;
    case SYNACK_TRACE_TIMER_SET:
        fprintf(out, " %d %" PRIu64, ev->u.timer.which, ev->u.timer.at);
        break;
    case SYNACK_TRACE_CALL:
        fprintf(out, " %d %d %" PRId64 " %d", ev->u.call.call, ev->u.call.fd, ev->u.call.arg,
                ev->u.call.arg2);
        ep(out, ev->u.call.addr);
        fprintf(out, " %" PRId64, ev->u.call.result);
        break;
    }
    fputc('\n', out);
}

int synack_ladder_save(const struct synack_ladder *l, FILE *out)
{
    if (!l || !out) return -EINVAL;
    fputs("synack-trace 1\nsides", out);
    for (int i = 0; i < 2; i++) { /* a name is one word: blanks become '_' */
        fputc(' ', out);
        for (const char *c = l->sides[i].name; *c; c++)
            fputc(*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r' ? '_' : *c, out);
    }
    fputc('\n', out);
    for (size_t i = 0; i < l->count; i++)
        if ((unsigned)l->events[i].ev.kind < NKINDS)
            write_event(out, l->events[i].side, &l->events[i].ev);
    return ferror(out) ? -EIO : 0;
}

/* One line's fields, read in order; `bad` is set by the first that does not parse. */
struct fields {
    char *tok[MAX_FIELDS];
    int n, next;
    bool bad;
};

static const char *next_tok(struct fields *f)
{
    if (f->next >= f->n) {
        f->bad = true;
        return "";
    }
    return f->tok[f->next++];
}

/* A whole decimal number in [lo, hi]. */
static int64_t num(struct fields *f, int64_t lo, int64_t hi)
{
    const char *t = next_tok(f);
    char *end;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    if (!*t || *end || errno || v < lo || v > hi) {
        f->bad = true;
        return 0;
    }
    return v;
}

static uint64_t unum(struct fields *f, uint64_t hi)
{
    const char *t = next_tok(f);
    char *end;
    errno = 0;
    unsigned long long v = strtoull(t, &end, 10);
    if (!*t || *t == '-' || *end || errno || v > hi) {
        f->bad = true;
        return 0;
    }
    return v;
}

static struct synack_endpoint endpoint(struct fields *f)
{
    struct synack_endpoint e = {0, 0};
    unsigned a, b, c, d, port;
    char tail;
    if (sscanf(next_tok(f), "%u.%u.%u.%u:%u%c", &a, &b, &c, &d, &port, &tail) != 5 || a > 255 ||
        b > 255 || c > 255 || d > 255 || port > 65535) {
        f->bad = true;
        return e;
    }
    e.addr = SYNACK_IPV4(a, b, c, d);
    e.port = (uint16_t)port;
    return e;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void options(struct fields *f, struct synack_trace_segment *s)
{
    const char *t = next_tok(f);
    if (!strcmp(t, "-")) return;
    size_t n = strlen(t);
    if (n == 0 || n % 2 || n / 2 > sizeof s->options) {
        f->bad = true;
        return;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(t[2 * i]), lo = hexval(t[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            f->bad = true;
            return;
        }
        s->options[i] = (uint8_t)(hi << 4 | lo);
    }
    s->opt_len = (uint8_t)(n / 2);
}

/* Parses one event line into ev and side; false if it is not one. */
static bool parse_event(char *line, struct synack_trace_event *ev, int *side)
{
    struct fields f = {.n = 0};
    for (char *t = strtok(line, " \t\r\n"); t; t = strtok(NULL, " \t\r\n")) {
        if (f.n == MAX_FIELDS) return false;
        f.tok[f.n++] = t;
    }
    memset(ev, 0, sizeof *ev);
    ev->time = unum(&f, UINT64_MAX);
    *side = (int)num(&f, 0, 1);
    const char *k = next_tok(&f);
    size_t kind;
    for (kind = 0; kind < NKINDS; kind++)
        if (!strcmp(k, kinds[kind])) break;
    if (kind == NKINDS) return false;
    ev->kind = (enum synack_trace_kind)kind;
    ev->local = endpoint(&f);
    ev->remote = endpoint(&f);
    switch (ev->kind) {
    case SYNACK_TRACE_SEGMENT_IN:
    case SYNACK_TRACE_SEGMENT_OUT: {
        struct synack_trace_segment *s = &ev->u.segment;
        s->src = endpoint(&f);
        s->dst = endpoint(&f);
        s->seq = (uint32_t)unum(&f, UINT32_MAX);
        s->ack = (uint32_t)unum(&f, UINT32_MAX);
        s->flags = (uint8_t)unum(&f, 255);
        s->window = (uint16_t)unum(&f, 65535);
        s->len = (uint32_t)unum(&f, UINT32_MAX);
        s->mss = (uint16_t)unum(&f, 65535);
        s->wscale = (int8_t)num(&f, -1, 127);
        s->sack_permitted = num(&f, 0, 1);
        s->retransmission = num(&f, 0, 1);
        s->cause = (uint8_t)unum(&f, 255);
        s->backoff = (uint8_t)unum(&f, 255);
        options(&f, s);
        break;
    }
    case SYNACK_TRACE_STATE:
        ev->u.state.from = (enum synack_tcp_state)num(&f, 0, SYNACK_TIME_WAIT);
        ev->u.state.to = (enum synack_tcp_state)num(&f, 0, SYNACK_TIME_WAIT);
        break;
    case SYNACK_TRACE_DROP:
        ev->u.drop.counter = (int)num(&f, 0, INT32_MAX);
        break;
    case SYNACK_TRACE_CWND:
        ev->u.cwnd.cwnd = (uint32_t)unum(&f, UINT32_MAX);
        ev->u.cwnd.ssthresh = (uint32_t)unum(&f, UINT32_MAX);
        ev->u.cwnd.in_flight = (uint32_t)unum(&f, UINT32_MAX);
        ev->u.cwnd.algorithm = (uint8_t)unum(&f, 255);
        ev->u.cwnd.in_recovery = num(&f, 0, 1);
        break;
    case SYNACK_TRACE_RTT:
        ev->u.rtt.sample = unum(&f, UINT64_MAX);
        ev->u.rtt.srtt = unum(&f, UINT64_MAX);
        ev->u.rtt.rttvar = unum(&f, UINT64_MAX);
        ev->u.rtt.rto = unum(&f, UINT64_MAX);
        break;
    case SYNACK_TRACE_TIMER:
        ev->u.timer.which = (int)num(&f, 0, INT32_MAX);
        ev->u.timer.backoff = (unsigned)unum(&f, UINT32_MAX);
        break;
    case SYNACK_TRACE_TIMER_SET:
        ev->u.timer.which = (int)num(&f, 0, INT32_MAX);
        ev->u.timer.at = unum(&f, UINT64_MAX);
        break;
    case SYNACK_TRACE_CALL:
        ev->u.call.call = (int)num(&f, 0, INT32_MAX);
        ev->u.call.fd = (int)num(&f, INT32_MIN, INT32_MAX);
        ev->u.call.arg = num(&f, INT64_MIN, INT64_MAX);
        ev->u.call.arg2 = (int)num(&f, INT32_MIN, INT32_MAX);
        ev->u.call.addr = endpoint(&f);
        ev->u.call.result = num(&f, INT64_MIN, INT64_MAX);
        break;
    }
    return !f.bad && f.next == f.n;
}

struct synack_ladder *synack_ladder_load(FILE *in, char *err, size_t err_size)
{
    char line[512], left[32], right[32], tail;
    unsigned version;
    unsigned long n = 0;
    const char *why = NULL;
    struct synack_ladder *l = NULL;
    if (!in) {
        why = "no file";
    } else if (!fgets(line, sizeof line, in) ||
               sscanf(line, "synack-trace %u%c", &version, &tail) != 2 || tail != '\n') {
        why = "not a synack trace file (its first line is not \"synack-trace 1\")";
    } else if (version != 1) {
        why = "a trace file of a later version";
    } else if (!fgets(line, sizeof line, in) ||
               sscanf(line, "sides %31s %31s%c", left, right, &tail) != 3 || tail != '\n') {
        why = "line 2: not \"sides LEFT RIGHT\"";
    } else if (!(l = synack_ladder_new(left, right))) {
        why = "out of memory";
    }
    for (n = 3; !why && fgets(line, sizeof line, in); n++) {
        struct synack_trace_event ev;
        int side;
        if (line[0] == '#' || line[0] == '\n') continue;
        if (!strchr(line, '\n') && !feof(in))
            why = "line too long";
        else if (!parse_event(line, &ev, &side))
            why = "not an event";
        else if (synack_ladder_add(l, side, &ev) < 0)
            why = "out of memory";
        if (why && err && err_size) {
            snprintf(err, err_size, "line %lu: %s", n, why);
            why = err;
        }
    }
    if (!why && in && ferror(in)) why = "read error";
    if (why) {
        if (err && err_size && why != err) snprintf(err, err_size, "%s", why);
        synack_ladder_free(l);
        return NULL;
    }
    return l;
}
