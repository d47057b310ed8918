/* SPDX-License-Identifier: MIT */
/* Ladder diagrams, SVG pictures and the one-line trace format: exact text for simulated
 * handshakes (a lost third ACK, a SYN lost twice), the cause of every kind of
 * retransmission, options as tcpdump writes them, and an SVG that parses as XML. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "synack/ladder.h"
#include "synack/sim.h"

static void attach(void *ctx, int side, struct synack_config *cfg)
{
    synack_ladder_attach(ctx, side, cfg);
}

static char *render(struct synack_ladder *lad)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    synack_ladder_header(lad, out);
    synack_ladder_render(lad, out, 0);
    fclose(out);
    return text;
}

static struct synack_ladder *run_lost_ack(void)
{
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    struct synack_sim_path p = {.delay = SYNACK_MS(10)};
    struct th_pair w;
    th_pair_init(&w, 1, &p, attach, lad);
    synack_sim_drop_nth(w.sim, w.client, w.server, 2);
    th_pair_connect(&w);
    synack_sim_run_for(w.sim, SYNACK_MS(1100));
    th_pair_free(&w);
    return lad;
}

static void expect_text(char *text, const char *want)
{
    if (strcmp(text, want) != 0) {
        fprintf(stderr, "ladder differs:\n%s\nwanted:\n%s", text, want);
        fail();
    }
    free(text);
}

static void ladder_exact_lines(void **state)
{
    (void)state;
    struct synack_ladder *lad = run_lost_ack();
    expect_text(
        render(lad),
        "       ms client      |                                            |server\n"
        "    0.000             |                               socket() = 0 |\n"
        "    0.000             |                       bind(0.0.0.0:80) = 0 |\n"
        "    0.000             |                                            |LISTEN\n"
        "    0.000             |                             listen(16) = 0 |\n"
        "    0.000             | socket() = 0                               |\n"
        "    0.000 SYN-SENT    |                                            |\n"
        "    0.000             | connect(198.18.0.2:80) = -EINPROGRESS      |\n"
        "    0.000             |-SYN 0 win 65535--------------------------->|arr 10.000\n"
        "                      |  <mss 1460,sackOK,TS val 2044968921 ecr 0, |\n"
        "                      |  nop,wscale 7>                             |\n"
        "   10.000             |                                            |SYN-RECEIVED\n"
        "   10.000 arr 20.000  |<-SYN,ACK 0 ack 1 win 65535-----------------|\n"
        "                      |  <mss 1460,sackOK,                         |\n"
        "                      |  TS val 577136400 ecr 2044968921,nop,      |\n"
        "                      |  wscale 7>                                 |\n"
        "   20.000 ESTABLISHED |                                            |\n"
        "   20.000             |-ACK 1 ack 1 win 262144-x                   |lost\n"
        "                      |  <nop,nop,TS val 2044968941 ecr 577136400> |\n"
        " 1010.000 arr 1020.000|<-SYN,ACK 0 ack 1 win 65535 [rto #1]--------|\n"
        "                      |  <mss 1460,sackOK,                         |\n"
        "                      |  TS val 577137400 ecr 2044968921,nop,      |\n"
        "                      |  wscale 7>                                 |\n"
        " 1020.000 x dropped   | (tcp_duplicate)                            |\n"
        " 1020.000             |-ACK 1 ack 1 win 262144 [challenge ack]---->|arr 1030.000\n"
        "                      |  <nop,nop,TS val 2044969941 ecr 577136400> |\n"
        " 1030.000             |                                            |ESTABLISHED\n");
    synack_ladder_free(lad);
}

/* Without timestamps: the SYN is lost twice, RTO backoff 1 s then 2 s; absolute numbers. */
static void no_ts(void *ctx, int side, struct synack_config *cfg)
{
    cfg->timestamps = false;
    synack_ladder_attach(ctx, side, cfg);
}

static void ladder_syn_backoff(void **state)
{
    (void)state;
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    struct synack_sim_path p = {.delay = SYNACK_MS(10)};
    struct th_pair w;
    th_pair_init(&w, 1, &p, no_ts, lad);
    synack_sim_drop_nth(w.sim, w.client, w.server, 1);
    synack_sim_drop_nth(w.sim, w.client, w.server, 2);
    th_pair_connect(&w);
    synack_sim_run_for(w.sim, SYNACK_MS(3100));
    th_pair_free(&w);
    expect_text(
        render(lad),
        "       ms client      |                                            |server\n"
        "    0.000             |                               socket() = 0 |\n"
        "    0.000             |                       bind(0.0.0.0:80) = 0 |\n"
        "    0.000             |                                            |LISTEN\n"
        "    0.000             |                             listen(16) = 0 |\n"
        "    0.000             | socket() = 0                               |\n"
        "    0.000 SYN-SENT    |                                            |\n"
        "    0.000             | connect(198.18.0.2:80) = -EINPROGRESS      |\n"
        "    0.000             |-SYN 0 win 65535-----x                      |lost\n"
        "                      |  <mss 1460,nop,nop,sackOK,nop,wscale 7>    |\n"
        " 1000.000             |-SYN 0 win 65535 [rto #1]-x                 |lost\n"
        "                      |  <mss 1460,nop,nop,sackOK,nop,wscale 7>    |\n"
        " 3000.000             |-SYN 0 win 65535 [rto #2]------------------>|arr 3010.000\n"
        "                      |  <mss 1460,nop,nop,sackOK,nop,wscale 7>    |\n"
        " 3010.000             |                                            |SYN-RECEIVED\n"
        " 3010.000 arr 3020.000|<-SYN,ACK 0 ack 1 win 65535-----------------|\n"
        "                      |  <mss 1460,nop,nop,sackOK,nop,wscale 7>    |\n"
        " 3020.000 ESTABLISHED |                                            |\n"
        " 3020.000             |-ACK 1 ack 1 win 262144-------------------->|arr 3030.000\n"
        " 3030.000             |                                            |ESTABLISHED\n");
    synack_ladder_free(lad);
}

/* Every outgoing segment's cause, collected. */
struct causes {
    unsigned n[SYNACK_CAUSE_COUNT];
    unsigned rtx_by[SYNACK_CAUSE_COUNT];
    bool sack;
};

static void count_causes(void *ctx, const struct synack_trace_event *ev)
{
    struct causes *c = ctx;
    if (ev->kind != SYNACK_TRACE_SEGMENT_OUT) return;
    assert_true(ev->u.segment.cause > SYNACK_CAUSE_NONE &&
                ev->u.segment.cause < SYNACK_CAUSE_COUNT);
    c->n[ev->u.segment.cause]++;
    if (ev->u.segment.retransmission) c->rtx_by[ev->u.segment.cause]++;
}

static void trace_causes(void *ctx, int side, struct synack_config *cfg)
{
    struct causes *c = ctx;
    (void)side;
    cfg->sack = c->sack;
    cfg->trace = count_causes;
    cfg->trace_ctx = ctx;
}

/* A transfer of `segments` full segments with the client's packets number `drop` and
 * `drop2` lost (0: none). */
static void transfer_with_loss(struct causes *c, unsigned segments, uint64_t drop, uint64_t drop2)
{
    struct synack_sim_path p = {.delay = SYNACK_MS(10)};
    struct th_pair w;
    th_pair_init(&w, 1, &p, trace_causes, c);
    if (drop) synack_sim_drop_nth(w.sim, w.client, w.server, drop);
    if (drop2) synack_sim_drop_nth(w.sim, w.client, w.server, drop2);
    th_pair_connect(&w);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    int sfd = synack_accept(w.ss, w.lfd, NULL);
    assert_true(sfd >= 0);
    static uint8_t data[20 * 1448];
    assert_true(segments * 1448 <= sizeof data);
    assert_int_equal(synack_send(w.cs, w.cfd, data, segments * 1448), (ssize_t)(segments * 1448));
    synack_sim_run_for(w.sim, SYNACK_SEC(5));
    static uint8_t got[sizeof data];
    assert_int_equal(synack_recv(w.ss, sfd, got, sizeof got), (ssize_t)(segments * 1448));
    th_pair_free(&w);
}

static void causes_of_retransmissions(void **state)
{
    (void)state;
    /* The client's packets: SYN, ACK, then data 1, 2, 3...: the 3rd data segment is lost. */
    struct causes sack = {.sack = true};
    transfer_with_loss(&sack, 10, 5, 0);
    assert_int_equal(sack.rtx_by[SYNACK_CAUSE_SACK_RECOVERY], 1);
    assert_int_equal(sack.n[SYNACK_CAUSE_OPEN], 2);
    assert_true(sack.n[SYNACK_CAUSE_DATA] >= 9);
    struct causes reno = {.sack = false};
    transfer_with_loss(&reno, 10, 5, 0);
    assert_int_equal(reno.rtx_by[SYNACK_CAUSE_FAST_RETRANSMIT], 1);
    assert_int_equal(reno.n[SYNACK_CAUSE_SACK_RECOVERY], 0);
    /* The last two of 4 segments lost: no duplicate ACKs; the tail loss probe (2 SRTT with
     * two segments out) repeats the last; its SACK shows the other, sent before it, lost
     * once the reordering window passed (RACK, RFC 8985 6.2): recovery repeats it, no
     * timeout. */
    struct causes tail = {.sack = true};
    transfer_with_loss(&tail, 4, 5, 6);
    assert_int_equal(tail.rtx_by[SYNACK_CAUSE_TLP], 1);
    assert_int_equal(tail.rtx_by[SYNACK_CAUSE_SACK_RECOVERY], 1);
    assert_int_equal(tail.rtx_by[SYNACK_CAUSE_RTO], 0);
    /* The last of 3 lost without SACK (no TLP): the timeout repeats it. */
    struct causes rto = {.sack = false};
    transfer_with_loss(&rto, 3, 5, 0);
    assert_int_equal(rto.rtx_by[SYNACK_CAUSE_RTO], 1);
    /* Nothing lost: no retransmission at all, the server's ACKs are immediate or delayed. */
    struct causes clean = {.sack = true};
    transfer_with_loss(&clean, 3, 0, 0);
    for (int i = 0; i < SYNACK_CAUSE_COUNT; i++)
        assert_int_equal(clean.rtx_by[i], 0);
    assert_true(clean.n[SYNACK_CAUSE_ACK] + clean.n[SYNACK_CAUSE_DELAYED_ACK] >= 2);
}

/* A receiver that never reads a 4 KiB buffer: the sender's window closes and the persist
 * timer probes it; its probes are zero-window probes, never timeouts. */
static void small_rcvbuf(void *ctx, int side, struct synack_config *cfg)
{
    trace_causes(ctx, side, cfg);
    if (side == 1) cfg->rcvbuf = 4096;
}

static void causes_of_probes(void **state)
{
    (void)state;
    struct causes c = {.sack = true};
    struct synack_sim_path p = {.delay = SYNACK_MS(10)};
    struct th_pair w;
    th_pair_init(&w, 1, &p, small_rcvbuf, &c);
    th_pair_connect(&w);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    static uint8_t data[64 * 1024];
    assert_true(synack_send(w.cs, w.cfd, data, sizeof data) > 4096);
    synack_sim_run_for(w.sim, SYNACK_SEC(10));
    th_pair_free(&w);
    assert_true(c.n[SYNACK_CAUSE_PERSIST] >= 2);
    assert_int_equal(c.n[SYNACK_CAUSE_RTO], 0);
}

static void options_like_tcpdump(void **state)
{
    (void)state;
    struct synack_trace_segment s;
    memset(&s, 0, sizeof s);
    const uint8_t syn[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 3};
    memcpy(s.options, syn, sizeof syn);
    s.opt_len = sizeof syn;
    char buf[256];
    assert_string_equal(synack_trace_options_str(&s, 0, buf, sizeof buf),
                        "<mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 3>");
    const uint8_t sack[] = {1,    1, 5, 18, 0,    0, 0x10, 0, 0,    0,
                            0x20, 0, 0, 0,  0x30, 0, 0,    0, 0x40, 0};
    memcpy(s.options, sack, sizeof sack);
    s.opt_len = sizeof sack;
    assert_string_equal(synack_trace_options_str(&s, 0x1000, buf, sizeof buf),
                        "<nop,nop,sack 2 {0:4096}{8192:12288}>");
    const uint8_t odd[] = {34, 2, 99, 4, 1, 2, 0, 0};
    memcpy(s.options, odd, sizeof odd);
    s.opt_len = sizeof odd;
    assert_string_equal(synack_trace_options_str(&s, 0, buf, sizeof buf),
                        "<tfo cookiereq,opt-99:4,eol>");
    const uint8_t bad[] = {2, 9, 0, 0};
    memcpy(s.options, bad, sizeof bad);
    s.opt_len = sizeof bad;
    assert_string_equal(synack_trace_options_str(&s, 0, buf, sizeof buf), "<bad opt>");
    s.opt_len = 0;
    assert_string_equal(synack_trace_options_str(&s, 0, buf, sizeof buf), "");
    char small[8];
    memcpy(s.options, syn, sizeof syn);
    s.opt_len = sizeof syn;
    synack_trace_options_str(&s, 0, small, sizeof small); /* cut, never overrun */
    assert_true(strlen(small) < sizeof small);
}

/* Two ACKs with the same numbers but another window: each arrival goes with its own
 * segment (the window and options tell them apart), so the arrows do not cross. */
static void identical_numbers_paired_by_window(void **state)
{
    (void)state;
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    assert_non_null(lad);
    struct synack_endpoint c = {SYNACK_IPV4(198, 18, 0, 1), 40000},
                           sv = {SYNACK_IPV4(198, 18, 0, 2), 80};
    const struct {
        int side;
        enum synack_trace_kind kind;
        synack_time_t t;
        uint16_t window;
    } script[] = {
        {0, SYNACK_TRACE_SEGMENT_OUT, SYNACK_MS(0), 100},
        {0, SYNACK_TRACE_SEGMENT_OUT, SYNACK_MS(10), 200},
        {1, SYNACK_TRACE_SEGMENT_IN, SYNACK_MS(20), 100},
        {1, SYNACK_TRACE_SEGMENT_IN, SYNACK_MS(30), 200},
    };
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
        struct synack_trace_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = script[i].kind;
        ev.time = script[i].t;
        ev.local = script[i].side ? sv : c;
        ev.remote = script[i].side ? c : sv;
        ev.u.segment.src = c;
        ev.u.segment.dst = sv;
        ev.u.segment.flags = SYNACK_ACK;
        ev.u.segment.seq = 1000;
        ev.u.segment.ack = 5000;
        ev.u.segment.window = script[i].window;
        ev.u.segment.wscale = -1;
        assert_int_equal(synack_ladder_add(lad, script[i].side, &ev), 0);
    }
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    synack_ladder_render(lad, out, 0);
    fclose(out);
    synack_ladder_free(lad);
    if (!strstr(text, "    0.000             |-ACK 1000 ack 5000 win 100") ||
        !strstr(text, "win 100---") || !strstr(text, "|arr 20.000") || !strstr(text, "|arr 30.000"))
        fail_msg("unexpected ladder:\n%s", text);
    /* The first ACK's row ends with its own arrival, 20 ms. */
    const char *first = strstr(text, "win 100");
    const char *eol = strchr(first, '\n');
    const char *arr = strstr(first, "arr 20.000");
    if (!arr || arr > eol) fail_msg("first ACK not paired with the arrival at 20 ms:\n%s", text);
    free(text);
}

static void one_line_format(void **state)
{
    (void)state;
    struct synack_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SYNACK_TRACE_SEGMENT_OUT;
    ev.time = SYNACK_MS(12) + SYNACK_US(345);
    ev.local = (struct synack_endpoint){SYNACK_IPV4(198, 18, 0, 2), 80};
    ev.remote = (struct synack_endpoint){SYNACK_IPV4(198, 18, 0, 1), 40000};
    ev.u.segment.flags = SYNACK_SYN | SYNACK_ACK;
    ev.u.segment.seq = 7;
    ev.u.segment.ack = 9;
    ev.u.segment.window = 100;
    ev.u.segment.retransmission = true;
    char buf[300];
    assert_string_equal(synack_trace_format(&ev, buf, sizeof buf),
                        "12.345 ms OUT 198.18.0.2:80 > 198.18.0.1:40000 SYN,ACK seq=7 ack=9 "
                        "win=100 len=0 (retransmission)");
    ev.u.segment.cause = SYNACK_CAUSE_RTO;
    ev.u.segment.backoff = 3;
    const uint8_t mss[] = {2, 4, 0x05, 0xb4};
    memcpy(ev.u.segment.options, mss, 4);
    ev.u.segment.opt_len = 4;
    assert_string_equal(synack_trace_format(&ev, buf, sizeof buf),
                        "12.345 ms OUT 198.18.0.2:80 > 198.18.0.1:40000 SYN,ACK seq=7 ack=9 "
                        "win=100 len=0 <mss 1460> (retransmission: rto #3)");
    ev.u.segment.retransmission = false;
    ev.u.segment.cause = SYNACK_CAUSE_DELAYED_ACK;
    ev.u.segment.flags = SYNACK_ACK;
    ev.u.segment.opt_len = 0;
    assert_string_equal(synack_trace_format(&ev, buf, sizeof buf),
                        "12.345 ms OUT 198.18.0.2:80 > 198.18.0.1:40000 ACK seq=7 ack=9 "
                        "win=100 len=0 (delayed ack)");
    ev.kind = SYNACK_TRACE_STATE;
    ev.u.state.from = SYNACK_ESTABLISHED;
    ev.u.state.to = SYNACK_FIN_WAIT_1;
    assert_string_equal(synack_trace_format(&ev, buf, sizeof buf),
                        "12.345 ms STATE 198.18.0.2:80-198.18.0.1:40000 ESTABLISHED -> FIN-WAIT-1");
    ev.kind = SYNACK_TRACE_DROP;
    ev.u.drop.counter = SYNACK_CTR_TCP_BAD_CHECKSUM;
    assert_string_equal(synack_trace_format(&ev, buf, sizeof buf),
                        "12.345 ms DROP tcp_bad_checksum");
    char f[32];
    assert_string_equal(synack_flags_str(SYNACK_FIN | SYNACK_ACK | SYNACK_PSH, f, sizeof f),
                        "FIN,PSH,ACK");
    assert_string_equal(synack_state_name(SYNACK_TIME_WAIT), "TIME-WAIT");
    assert_string_equal(synack_state_name((enum synack_tcp_state)99), "?");
    for (int c = 0; c < SYNACK_CAUSE_COUNT; c++)
        assert_non_null(synack_trace_cause_name((enum synack_trace_cause)c));
    assert_string_equal(synack_trace_cause_name(SYNACK_CAUSE_FAST_RETRANSMIT), "fast retransmit");
    assert_string_equal(synack_trace_cause_name((enum synack_trace_cause)200), "?");
}

/* The SVG of the lost third ACK: one group per segment sent (6), one lost with its cross,
 * the repeat's cause, states of both hosts; and it parses as XML (python3's parser, which
 * Debian has wherever the test suite runs; skipped without it). */
static void svg_structure(void **state)
{
    (void)state;
    struct synack_ladder *lad = run_lost_ack();
    char *svg = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&svg, &len);
    assert_int_equal(synack_ladder_svg(lad, out, 0), 0);
    fclose(out);
    assert_true(strncmp(svg, "<?xml version=\"1.0\"", 19) == 0);
    assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_int_equal(th_count(svg, "<g class=\"segment"), 5);
    assert_int_equal(th_count(svg, "<g class=\"segment lost\">"), 1);
    assert_int_equal(th_count(svg, "<path class=\"cross\""), 1);
    assert_int_equal(th_count(svg, "<g class=\"segment rtx\">"), 1);
    assert_int_equal(th_count(svg, "[rto #1]"), 1);
    assert_int_equal(th_count(svg, "class=\"state\""), 5);
    /* One time per row (5 calls, 5 states, 5 segments, a drop): none for the inner events
     * (CWND, RTT, TIMER), which take no row and would be written over the next one. */
    assert_int_equal(th_count(svg, "<text class=\"time\""), 16);
    /* socket, bind, listen; socket, connect: between the lines beside their host. */
    assert_int_equal(th_count(svg, "<g class=\"call\">"), 5);
    assert_non_null(strstr(svg, ">connect(198.18.0.2:80) = -EINPROGRESS</text>"));
    assert_int_equal(th_count(svg, "&lt;mss 1460,sackOK,TS val"), 6); /* text and title */
    assert_non_null(strstr(svg, "x dropped (tcp_duplicate)"));
    assert_true(strcmp(svg + len - 7, "</svg>\n") == 0);
    /* The events stay for the text after the picture. */
    char *text = render(lad);
    assert_non_null(strstr(text, "[rto #1]"));
    free(text);
    th_parses_as_xml(svg, len, "svg");
    free(svg);
    synack_ladder_free(lad);
}

/* Columns of a line of UTF-8: its code points (every one drawn here is one column). */
static size_t columns(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

/* With SYNACK_LADDER_UNICODE the arrows and host lines are box drawing, one column each:
 * the same picture as in ASCII, column for column, within 80 columns; labels keep their
 * own dashes (SYN-SENT) and x (x dropped). */
static void unicode_ladder(void **state)
{
    (void)state;
    struct synack_ladder *lad = run_lost_ack();
    struct synack_ladder *uni = run_lost_ack();
    synack_ladder_set_flags(uni, SYNACK_LADDER_UNICODE);
    char *a = render(lad), *u = render(uni);
    th_has(u, "       ms client      \xe2\x94\x82                                            "
              "\xe2\x94\x82server\n");
    th_has(u, "    0.000 SYN-SENT    \xe2\x94\x82                                            "
              "\xe2\x94\x82\n");
    th_has(u, "    0.000             \xe2\x94\x82\xe2\x94\x80SYN 0 win 65535");
    th_has(u, "\xe2\x94\x80\xe2\x96\xb6\xe2\x94\x82"
              "arr 10.000\n");
    th_has(u, "   10.000 arr 20.000  \xe2\x94\x82\xe2\x97\x80\xe2\x94\x80SYN,ACK 0 ack 1");
    th_has(u, "\xe2\x94\x80"
              "ACK 1 ack 1 win 262144\xe2\x94\x80\xe2\x9c\x95                   "
              "\xe2\x94\x82lost\n");
    th_has(u, " 1020.000 x dropped   \xe2\x94\x82 (tcp_duplicate)");
    th_has(u, "connect(198.18.0.2:80) = -EINPROGRESS");
    assert_null(strstr(u, "->"));
    assert_null(strstr(u, "<-"));
    assert_null(strchr(u, '|'));
    /* Line for line as wide as the ASCII one, and never past 80 columns. */
    const char *p = a, *q = u;
    unsigned lines = 0;
    while (*p && *q) {
        size_t np = strcspn(p, "\n"), nq = strcspn(q, "\n");
        assert_int_equal(columns(q, nq), np);
        assert_true(np <= 80);
        p += np + (p[np] != 0);
        q += nq + (q[nq] != 0);
        lines++;
    }
    assert_true(!*p && !*q);
    assert_int_equal(lines, 27);
    free(a);
    free(u);
    synack_ladder_free(lad);
    synack_ladder_free(uni);
}

/* A segment as a capture saw it: sent by side 0 (198.18.0.1:40000) or 1 (...2:80) at us. */
static void seen(struct synack_ladder *lad, int side, unsigned us, uint8_t flags, uint32_t seq,
                 uint32_t ack, uint32_t len)
{
    struct synack_endpoint c = {SYNACK_IPV4(198, 18, 0, 1), 40000},
                           s = {SYNACK_IPV4(198, 18, 0, 2), 80};
    struct synack_trace_event ev = {.kind = SYNACK_TRACE_SEGMENT_OUT, .time = SYNACK_US(us)};
    ev.local = ev.u.segment.src = side ? s : c;
    ev.remote = ev.u.segment.dst = side ? c : s;
    ev.u.segment.flags = flags;
    ev.u.segment.seq = seq;
    ev.u.segment.ack = ack;
    ev.u.segment.len = len;
    ev.u.segment.window = 1000;
    ev.u.segment.wscale = -1;
    assert_int_equal(synack_ladder_add(lad, side, &ev), 0);
}

/* The states of each side's column, in order ("client SYN-SENT, server SYN-RECEIVED..."). */
static void states_are(struct synack_ladder *lad, const char *want)
{
    char *trace = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&trace, &len);
    assert_int_equal(synack_ladder_save(lad, out), 0);
    fclose(out);
    char got[512] = "";
    size_t n = 0;
    for (char *line = strtok(trace, "\n"); line; line = strtok(NULL, "\n")) {
        int side, from, to;
        unsigned long long t;
        if (sscanf(line, "%llu %d STATE %*s %*s %d %d", &t, &side, &from, &to) != 4) continue;
        n += (size_t)snprintf(got + n, sizeof got - n, "%s%s %s", n ? ", " : "",
                              side ? "server" : "client",
                              synack_state_name((enum synack_tcp_state)to));
    }
    free(trace);
    assert_string_equal(got, want);
}

/* States from a capture's segments (RFC 9293 3.10.7), and where it was taken. */
static void capture_states_and_vantage(void **state)
{
    (void)state;
    const uint8_t S = SYNACK_SYN, A = SYNACK_ACK, F = SYNACK_FIN, R = SYNACK_RST;
    char where[200];
    /* Taken at the server: SYN,ACK at once, the ACK a 20 ms round trip later; the client
     * closes first. */
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    seen(lad, 0, 0, S, 100, 0, 0);
    seen(lad, 1, 30, S | A, 500, 101, 0);
    seen(lad, 0, 20030, A, 101, 501, 0);
    seen(lad, 0, 20040, A | F, 101, 501, 10);
    seen(lad, 1, 20050, A, 501, 112, 0);
    seen(lad, 1, 30000, A | F, 501, 112, 0);
    seen(lad, 0, 50000, A, 112, 502, 0);
    assert_int_equal(synack_ladder_vantage(lad, where, sizeof where), 1);
    assert_string_equal(where, "taken near server: SYN to SYN,ACK 0.030 ms, SYN,ACK to ACK "
                               "20.000 ms (the round trip lies after the SYN,ACK)");
    assert_int_equal(synack_ladder_infer_states(lad), 10);
    states_are(lad, "client SYN-SENT, server SYN-RECEIVED, client ESTABLISHED, server "
                    "ESTABLISHED, client FIN-WAIT-1, server CLOSE-WAIT, client FIN-WAIT-2, "
                    "server LAST-ACK, client TIME-WAIT, server CLOSED");
    assert_int_equal(synack_ladder_infer_states(lad), 0); /* states there: nothing more */
    synack_ladder_free(lad);
    /* The FINs cross (simultaneous close): neither acknowledges the other's; taken at the
     * client. */
    lad = synack_ladder_new("client", "server");
    seen(lad, 0, 0, S, 100, 0, 0);
    seen(lad, 1, 20000, S | A, 500, 101, 0);
    seen(lad, 0, 20010, A, 101, 501, 0);
    seen(lad, 0, 30000, A | F, 101, 501, 0);
    seen(lad, 1, 40000, A | F, 501, 101, 0);
    seen(lad, 0, 40010, A, 102, 502, 0);
    seen(lad, 1, 50000, A, 502, 102, 0);
    assert_int_equal(synack_ladder_vantage(lad, where, sizeof where), 0);
    assert_string_equal(where, "taken near client: SYN to SYN,ACK 20.000 ms, SYN,ACK to ACK "
                               "0.010 ms (the round trip lies before the SYN,ACK)");
    synack_ladder_infer_states(lad);
    states_are(lad, "client SYN-SENT, server SYN-RECEIVED, client ESTABLISHED, server "
                    "ESTABLISHED, client FIN-WAIT-1, server FIN-WAIT-1, client CLOSING, server "
                    "CLOSING, server TIME-WAIT, client TIME-WAIT");
    synack_ladder_free(lad);
    /* Refused (RST,ACK to a SYN); no complete handshake to place the capture. */
    lad = synack_ladder_new("client", "server");
    seen(lad, 0, 0, S, 100, 0, 0);
    seen(lad, 1, 10, R | A, 0, 101, 0);
    assert_int_equal(synack_ladder_vantage(lad, where, sizeof where), -1);
    assert_string_equal(where, "capture point unknown: no complete handshake (SYN, SYN,ACK, ACK)");
    synack_ladder_infer_states(lad);
    states_are(lad, "client SYN-SENT, server CLOSED, client CLOSED");
    synack_ladder_free(lad);
    /* Begun after the handshake: both were ESTABLISHED (not drawn); the server closes. */
    lad = synack_ladder_new("client", "server");
    seen(lad, 0, 0, A, 101, 501, 100);
    seen(lad, 1, 10, A | F, 501, 201, 0);
    seen(lad, 0, 20, A | F, 201, 502, 0);
    seen(lad, 1, 30, A, 502, 202, 0);
    synack_ladder_infer_states(lad);
    states_are(lad, "server FIN-WAIT-1, client CLOSE-WAIT, client LAST-ACK, server FIN-WAIT-2, "
                    "server TIME-WAIT, client CLOSED");
    synack_ladder_free(lad);
}

static char *saved(const struct synack_ladder *lad)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(synack_ladder_save(lad, out), 0);
    fclose(out);
    return text;
}

static char *html_of(struct synack_ladder *lad)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(synack_ladder_html(lad, out, 0, "t", "s"), 0);
    fclose(out);
    return text;
}

static struct synack_ladder *loaded(const char *text, char *err, size_t n)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    struct synack_ladder *lad = synack_ladder_load(in, err, n);
    fclose(in);
    return lad;
}

/* The report's table of every segment: the sender, numbers as in the ladder, why it left,
 * when it arrived or that it was lost; the standalone SVG has no links to it. */
static void html_segment_table(void **state)
{
    (void)state;
    struct synack_ladder *lad = run_lost_ack();
    char *html = html_of(lad);
    assert_int_equal(th_count(html, "<tr id=\"seg-"), 5);
    assert_int_equal(th_count(html, "<li>"), 1); /* one connection, named once */
    th_has(html, "\">3</a></td><td class=\"n\">20.000</td><td>client "
                 "\xe2\x86\x92 server</td><td>ACK</td><td class=\"n\">1</td><td class=\"n\">1"
                 "</td><td class=\"n\">0</td><td class=\"n\">262144</td><td class=\"o\">&lt;nop,"
                 "nop,TS val 2044968941 ecr 577136400&gt;</td><td>ack</td><td class=\"lost\">lost"
                 "</td></tr>\n");
    th_has(html, "\">4</a></td><td class=\"n\">1010.000</td><td>server "
                 "\xe2\x86\x92 client</td><td>SYN,ACK</td>");
    th_has(html, "<td class=\"rtx\">rto #1</td><td class=\"n\">1020.000</td></tr>\n");
    th_has(html, "<td>challenge ack</td><td class=\"n\">1030.000</td></tr>\n");
    th_parses_as_xml(html, strlen(html), "html");
    free(html);
    char *svg = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&svg, &len);
    assert_int_equal(synack_ladder_svg(lad, out, 0), 0);
    fclose(out);
    assert_null(strstr(svg, "href="));
    free(svg);
    synack_ladder_free(lad);
}

/* A trace file keeps every event whole: read back, it draws the same ladder and the same
 * report, and writes the same file again. */
static void trace_file_round_trip(void **state)
{
    (void)state;
    struct synack_ladder *lad = run_lost_ack();
    char *file = saved(lad), err[128] = "";
    struct synack_ladder *back = loaded(file, err, sizeof err);
    assert_non_null(back);
    char *again = saved(back);
    assert_string_equal(again, file);
    /* Every kind the run traced, one line each, fields in the order of their structs. */
    assert_true(strncmp(file, "synack-trace 1\nsides client server\n", 35) == 0);
    assert_non_null(strstr(file, "\n0 0 CALL 198.18.0.1:"));
    assert_non_null(strstr(file, " 198.18.0.2:80 4 0 0 0 198.18.0.2:80 -115\n")); /* connect */
    assert_non_null(strstr(file, "\n0 1 STATE 0.0.0.0:80 0.0.0.0:0 0 1\n"));      /* LISTEN */
    assert_non_null(strstr(file, "\n1020000000 0 DROP 198.18.0.1:"));
    assert_non_null(strstr(file, " TIMER "));
    assert_non_null(strstr(file, " RTT "));
    assert_non_null(strstr(file, " CWND "));
    assert_non_null(strstr(file, " 0 2 65535 0 1460 7 1 0 1 0 020405b4")); /* the SYN */
    char *h1 = html_of(lad), *h2 = html_of(back);
    assert_string_equal(h2, h1);
    char *t1 = render(lad), *t2 = render(back);
    assert_string_equal(t2, t1);
    free(h1);
    free(h2);
    free(t1);
    free(t2);
    free(again);
    free(file);
    synack_ladder_free(back);
    synack_ladder_free(lad);
}

/* What is not a trace file, or a damaged one, is refused with the line that is wrong. */
static void trace_file_refused(void **state)
{
    (void)state;
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"", "not a synack trace file (its first line is not \"synack-trace 1\")"},
        {"\xd4\xc3\xb2\xa1", "not a synack trace file (its first line is not \"synack-trace 1\")"},
        {"synack-trace 2\n", "a trace file of a later version"},
        {"synack-trace 1\nsides a\n", "line 2: not \"sides LEFT RIGHT\""},
        {"synack-trace 1\nsides a b\n0 2 DROP 0.0.0.0:0 0.0.0.0:0 1\n", "line 3: not an event"},
        {"synack-trace 1\nsides a b\n# c\n0 0 DROP 0.0.0.0:0 0.0.0.0:0 1 7\n",
         "line 4: not an event"},
        {"synack-trace 1\nsides a b\n0 0 STATE 0.0.0.0:0 0.0.0.0:0 0 11\n", "line 3: not an event"},
        {"synack-trace 1\nsides a b\n0 0 IN 1.2.3.4:5 0.0.0.0:0 1.2.3.4:5 0.0.0.0:0 0 0 2 0 0 0 "
         "-1 0 0 0 0 0x\n",
         "line 3: not an event"},
        {"synack-trace 1\nsides a b\n0 0 CALL 0.0.0.0:0 0.0.0.256:0 0 -1 0 0 0.0.0.0:0 0\n",
         "line 3: not an event"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[128] = "";
        assert_null(loaded(cases[i].text, err, sizeof err));
        assert_string_equal(err, cases[i].err);
    }
    char err[128] = "";
    struct synack_ladder *ok =
        loaded("synack-trace 1\nsides a b\n0 0 DROP 0.0.0.0:0 0.0.0.0:0 1\n", err, sizeof err);
    assert_non_null(ok);
    synack_ladder_free(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ladder_exact_lines),
        cmocka_unit_test(ladder_syn_backoff),
        cmocka_unit_test(causes_of_retransmissions),
        cmocka_unit_test(causes_of_probes),
        cmocka_unit_test(options_like_tcpdump),
        cmocka_unit_test(identical_numbers_paired_by_window),
        cmocka_unit_test(one_line_format),
        cmocka_unit_test(svg_structure),
        cmocka_unit_test(unicode_ladder),
        cmocka_unit_test(capture_states_and_vantage),
        cmocka_unit_test(html_segment_table),
        cmocka_unit_test(trace_file_round_trip),
        cmocka_unit_test(trace_file_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
