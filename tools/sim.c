/* SPDX-License-Identifier: MIT */
/* `synack sim`: a run composed from flags (how many bytes, the path's delay, loss and
 * reordering, packets to drop, the hosts' options, who closes), replayed in the simulator
 * on the demo's world (world.c), drawn as a ladder and checked: every byte delivered
 * intact, and with --close both connections gone after TIME-WAIT. */
#include "sim.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "charset.h"
#include "world.h"

#define MAX_DROPS 32
/* The flags that take a value (sim_flag). */
#define VALUED                                                                                     \
    " --bytes --delay --loss --reorder --seed --drop --initial-rto --time-limit --close --rcvbuf " \
    "--sndbuf --mss --svg --pcap --tsg --cwnd --rtt --states --html --save "

enum close_mode { CLOSE_NONE, CLOSE_CLIENT, CLOSE_SERVER, CLOSE_BOTH };

struct sim_run {
    struct world_opts opts;
    uint64_t bytes;
    synack_time_t limit;
    enum close_mode close;
    unsigned drops;
    struct {
        int side; /* 0 client, 1 server */
        uint64_t nth;
    } drop[MAX_DROPS];
    bool client_closed, server_closed;
};

static void sim_usage(FILE *out)
{
    fprintf(out,
            "usage: synack sim [OPTIONS]\n\n"
            "Composes a run in the simulator from the options below: the client (198.18.0.1)\n"
            "connects to the server (198.18.0.2) port 80, sends --bytes bytes, and the ladder\n"
            "of every segment is drawn. The run is checked: every byte delivered intact and,\n"
            "with --close, both connections gone after TIME-WAIT; exit status 1 if not.\n"
            "Durations take ms or s (\"250ms\", \"3s\", \"1.5s\"; a bare number is ms).\n\n"
            "  --bytes N          the client sends N bytes to the server (default 0: only\n"
            "                     the handshake)\n"
            "  --delay DUR        one-way delay of the link, each way (default 10ms)\n"
            "  --loss P           each packet is lost with probability P (0 to 1), each way\n"
            "  --reorder P        each packet is held back with probability P (by twice the\n"
            "                     delay plus 1 ms), so later packets overtake it\n"
            "  --seed S           seed of the random choices (default 1)\n"
            "  --drop SIDE:N      lose the Nth packet SIDE (client or server) sends, counting\n"
            "                     from 1 (the client's SYN is client:1); repeatable\n"
            "  --initial-rto DUR  initial retransmission timeout of both hosts (default 1s,\n"
            "                     as RFC 6298 and Linux; 3s is the classic figure)\n"
            "  --close WHO        after the transfer, client, server or both (at once) close\n"
            "  --rcvbuf N         receive buffer of both hosts in bytes (default 262144)\n"
            "  --sndbuf N         send buffer of both hosts in bytes (default 262144)\n"
            "  --mss N            MSS both hosts announce (default 1460)\n"
            "  --no-sack          neither host offers SACK\n"
            "  --no-timestamps    neither host offers timestamps\n"
            "  --absolute         sequence numbers as on the wire, not from the ISNs\n"
            "  --causes           the cause of every segment, not only of repeats\n"
            "  --ascii, --unicode draw the ladder's arrows and lines in ASCII or in Unicode\n"
            "                     (default: Unicode on a UTF-8 terminal, else ASCII)\n"
            "  --time-limit DUR   give up after this much virtual time (default 600s)\n"
            "  --step             show one ladder row at a time, the next after each line\n"
            "                     read from standard input (Enter; q or end of input stops)\n"
            "  --svg FILE         also write the ladder as an SVG picture to FILE\n"
            "  --tsg FILE         write the time-sequence graph (sequence numbers over time,\n"
            "                     ACK and window lines, retransmissions) of the client's data\n"
            "                     as an SVG picture to FILE\n"
            "  --tsg-other        graph the other direction (the side sending less data)\n"
            "  --cwnd FILE        write the client's congestion window over time (cwnd,\n"
            "                     ssthresh, bytes in flight, recovery, RTO/TLP/persist\n"
            "                     timers fired) as an SVG picture to FILE\n"
            "  --rtt FILE         write the client's round-trip times over time (samples,\n"
            "                     SRTT, RTO, timers fired) as an SVG picture to FILE\n"
            "  --states FILE      write the state timeline (one bar per host, coloured by\n"
            "                     TCP state) as an SVG picture to FILE\n"
            "  --html FILE        write one self-contained HTML report to FILE: the ladder,\n"
            "                     the graphs, retransmissions by cause, drops, every event\n"
            "  --pcap FILE        write the client's capture to FILE\n"
            "  --save FILE        write every trace event of both hosts to FILE, a trace\n"
            "                     file that synack ladder FILE draws again, all of it\n\n"
            "example: synack sim --bytes 20000 --drop client:5 --close both\n");
}

static int bad(const char *flag, const char *value, const char *why)
{
    fprintf(stderr, "synack sim: %s %s: %s (synack sim --help)\n", flag, value, why);
    return 2;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9') return -EINVAL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > max) return -EINVAL;
    *out = v;
    return 0;
}

static int parse_probability(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0 && v <= 1)) return -EINVAL;
    *out = v;
    return 0;
}

/* Applies one flag with its value; returns 0 or the exit code 2 after saying why. */
static int sim_flag(struct sim_run *r, const char *flag, const char *val)
{
    struct world_opts *o = &r->opts;
    uint64_t n;
    synack_time_t t;
    if (!strcmp(flag, "--bytes")) {
        if (parse_u64(val, UINT64_MAX / 2, &r->bytes)) return bad(flag, val, "not a byte count");
    } else if (!strcmp(flag, "--delay")) {
        if (world_parse_duration(val, &o->path.delay)) return bad(flag, val, "not a duration");
    } else if (!strcmp(flag, "--loss")) {
        if (parse_probability(val, &o->path.loss)) return bad(flag, val, "not a probability");
    } else if (!strcmp(flag, "--reorder")) {
        if (parse_probability(val, &o->path.reorder)) return bad(flag, val, "not a probability");
    } else if (!strcmp(flag, "--seed")) {
        if (parse_u64(val, UINT64_MAX, &o->seed)) return bad(flag, val, "not a number");
    } else if (!strcmp(flag, "--drop")) {
        const char *colon = strchr(val, ':');
        int side = colon && !strncmp(val, "client", 6) && colon == val + 6   ? 0
                   : colon && !strncmp(val, "server", 6) && colon == val + 6 ? 1
                                                                             : -1;
        if (side < 0 || parse_u64(colon + 1, UINT64_MAX, &n) || n == 0)
            return bad(flag, val, "expected client:N or server:N, N counting from 1");
        if (r->drops == MAX_DROPS) return bad(flag, val, "at most 32 drops");
        r->drop[r->drops].side = side;
        r->drop[r->drops++].nth = n;
    } else if (!strcmp(flag, "--initial-rto")) {
        if (world_parse_duration(val, &t)) return bad(flag, val, "not a duration");
        o->client_cfg.rto_initial = o->server_cfg.rto_initial = t;
    } else if (!strcmp(flag, "--time-limit")) {
        if (world_parse_duration(val, &r->limit)) return bad(flag, val, "not a duration");
    } else if (!strcmp(flag, "--close")) {
        r->close = !strcmp(val, "client")   ? CLOSE_CLIENT
                   : !strcmp(val, "server") ? CLOSE_SERVER
                   : !strcmp(val, "both")   ? CLOSE_BOTH
                                            : CLOSE_NONE;
        if (r->close == CLOSE_NONE) return bad(flag, val, "expected client, server or both");
    } else if (!strcmp(flag, "--rcvbuf") || !strcmp(flag, "--sndbuf")) {
        if (parse_u64(val, UINT32_MAX, &n)) return bad(flag, val, "not a byte count");
        uint32_t *c = flag[2] == 'r' ? &o->client_cfg.rcvbuf : &o->client_cfg.sndbuf;
        uint32_t *s = flag[2] == 'r' ? &o->server_cfg.rcvbuf : &o->server_cfg.sndbuf;
        *c = *s = (uint32_t)n;
    } else if (!strcmp(flag, "--mss")) {
        if (parse_u64(val, UINT16_MAX, &n)) return bad(flag, val, "not an MSS (64 .. 65495)");
        o->client_cfg.mss = o->server_cfg.mss = (uint16_t)n;
    } else if (!strcmp(flag, "--svg")) {
        o->svg_path = val;
    } else if (!strcmp(flag, "--tsg")) {
        o->tsg_path = val;
    } else if (!strcmp(flag, "--cwnd")) {
        o->cwnd_path = val;
    } else if (!strcmp(flag, "--rtt")) {
        o->rtt_path = val;
    } else if (!strcmp(flag, "--states")) {
        o->states_path = val;
    } else if (!strcmp(flag, "--html")) {
        o->html_path = val;
    } else if (!strcmp(flag, "--pcap")) {
        o->pcap_path = val;
    } else if (!strcmp(flag, "--save")) {
        o->trace_path = val;
    } else {
        return -1;
    }
    return 0;
}

/* Flags without a value; returns false if flag is none of them. */
static bool sim_switch(struct sim_run *r, const char *flag)
{
    struct world_opts *o = &r->opts;
    if (!strcmp(flag, "--no-sack"))
        o->client_cfg.sack = o->server_cfg.sack = false;
    else if (!strcmp(flag, "--no-timestamps"))
        o->client_cfg.timestamps = o->server_cfg.timestamps = false;
    else if (!strcmp(flag, "--absolute"))
        o->ladder_flags |= SYNACK_LADDER_ABSOLUTE;
    else if (!strcmp(flag, "--causes"))
        o->ladder_flags |= SYNACK_LADDER_CAUSES;
    else if (!strcmp(flag, "--step"))
        o->step = true;
    else if (!strcmp(flag, "--tsg-other"))
        o->tsg_direction = SYNACK_TSG_LEAST;
    else
        return false;
    return true;
}

/* The programs on both hosts: the transfer (world_pump), then the closes asked for. Returns
 * true if a socket call was made. */
static bool sim_pump(struct world *w, struct sim_run *r)
{
    struct world_transfer before = w->xfer;
    bool accepted = w->sfd >= 0;
    /* Once the server closed its socket there is nothing to read from it (every byte was
     * delivered before it closed). */
    bool delivered = r->server_closed || world_pump(w), acted = false;
    if (r->close != CLOSE_NONE && delivered) {
        bool client_now = r->close == CLOSE_CLIENT || r->close == CLOSE_BOTH;
        bool server_now = r->close == CLOSE_SERVER || r->close == CLOSE_BOTH ||
                          (r->close == CLOSE_CLIENT && w->xfer.eof);
        char b[256];
        if (r->close == CLOSE_SERVER && r->server_closed && !r->client_closed)
            client_now = synack_recv(w->c, w->cfd, b, sizeof b) == 0; /* the server's FIN */
        if (client_now && !r->client_closed) {
            synack_close(w->c, w->cfd);
            r->client_closed = acted = true;
        }
        if (server_now && !r->server_closed) {
            synack_close(w->s, w->sfd);
            r->server_closed = acted = true;
        }
    }
    return acted || accepted != (w->sfd >= 0) || before.sent != w->xfer.sent ||
           before.received != w->xfer.received || before.eof != w->xfer.eof;
}

/* Runs until nothing is pending and the programs have nothing more to do, or the limit. */
static void sim_run(struct world *w, struct sim_run *r)
{
    world_connect(w);
    for (;;) {
        bool more = synack_sim_step(w->sim);
        synack_time_t now = synack_sim_now(w->sim);
        if (now > r->limit) break;
        /* Every stack's clock to now, so socket calls are stamped with the right time. */
        synack_sim_run_until(w->sim, now);
        if (!sim_pump(w, r) && !more) break;
    }
}

static int sim_report(struct world *w, const struct sim_run *r)
{
    const struct world_transfer *x = &w->xfer;
    printf("client sent %llu of %llu bytes; the server received %llu%s\n",
           (unsigned long long)x->sent, (unsigned long long)r->bytes,
           (unsigned long long)x->received, x->corrupt ? ", CORRUPTED" : "");
    for (int i = 0; i < 2; i++) {
        const struct world_side *s = &w->side[i];
        printf("%s: %u retransmission(s) or probe(s)", i ? "server" : "client", s->repeat_count);
        for (int c = 0; c < SYNACK_CAUSE_COUNT; c++) {
            unsigned n = 0;
            for (unsigned k = 0; k < s->repeat_count; k++)
                n += s->repeats[k].cause == c;
            if (n) printf(", %u %s", n, synack_trace_cause_name((enum synack_trace_cause)c));
        }
        printf("\n");
    }
    int failed = world_check(w, w->sfd >= 0, "the connection was established");
    failed += world_check(w, x->received == r->bytes && !x->corrupt, "every byte delivered intact");
    if (r->close != CLOSE_NONE)
        failed += world_check(
            w, synack_stack_connection_count(w->c) == 0 && synack_stack_connection_count(w->s) == 0,
            "both connections closed");
    return failed ? 1 : 0;
}

int sim_main(int argc, char **argv)
{
    struct sim_run r;
    enum tool_charset charset = CHARSET_AUTO;
    memset(&r, 0, sizeof r);
    world_opts_init(&r.opts);
    r.opts.tool = "synack sim";
    r.limit = SYNACK_SEC(600);
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            sim_usage(stdout);
            return 0;
        }
        if (sim_switch(&r, argv[i]) || tool_charset_flag(argv[i], &charset)) continue;
        int rc = i + 1 < argc ? sim_flag(&r, argv[i], argv[i + 1]) : -1;
        if (rc > 0) return rc;
        if (rc < 0) {
            char word[64];
            snprintf(word, sizeof word, " %s ", argv[i]);
            bool known = i + 1 == argc && strstr(VALUED, word);
            fprintf(stderr, "synack sim: %s '%s' (synack sim --help)\n",
                    known ? "missing value after" : "unknown argument", argv[i]);
            return 2;
        }
        i++;
    }
    /* The report's source line: the command as given. */
    char source[1024] = "synack sim";
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(source);
        snprintf(source + n, sizeof source - n, " %s", argv[i]);
    }
    r.opts.ladder_flags |= tool_ladder_charset(charset, STDOUT_FILENO);
    r.opts.title = "synack sim: a run composed from flags";
    r.opts.source = source;
    struct world w;
    int err = world_init(&w, &r.opts);
    if (err < 0) {
        world_free(&w);
        return err == -EINVAL ? 2 : 1;
    }
    for (unsigned i = 0; i < r.drops; i++) {
        int from = r.drop[i].side ? w.server : w.client, to = r.drop[i].side ? w.client : w.server;
        synack_sim_drop_nth(w.sim, from, to, r.drop[i].nth);
    }
    w.xfer.total = r.bytes;
    sim_run(&w, &r);
    world_draw(&w);
    int rc = sim_report(&w, &r);
    world_free(&w);
    return rc;
}
