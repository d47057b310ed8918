/* SPDX-License-Identifier: MIT */
/* The cwnd and RTT graphs and the state timeline, from events built by hand with a known
 * scale: the exact points of the cwnd, ssthresh (absent while unset), RTO and SRTT step
 * lines, the samples, the shaded recovery, the RTO and TLP expiries marked with their
 * <title>s (and the delayed-ACK one not), the events of another connection left out; a
 * capture's graphs saying they have nothing to draw; each state's stretch of each host's
 * bar; the report's new sections; every picture parses as XML. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "synack/ladder.h"

static const struct synack_endpoint client = {SYNACK_IPV4(198, 18, 0, 1), 40000},
                                    server = {SYNACK_IPV4(198, 18, 0, 2), 80},
                                    other = {SYNACK_IPV4(198, 18, 0, 3), 80};

#define UNSET UINT32_MAX

static void add(struct synack_ladder *lad, int side, struct synack_trace_event *ev, unsigned ms)
{
    ev->time = SYNACK_MS(ms);
    if (!ev->local.port && !ev->remote.port) {
        ev->local = side ? server : client;
        ev->remote = side ? client : server;
    }
    assert_int_equal(synack_ladder_add(lad, side, ev), 0);
}

static void cwnd(struct synack_ladder *lad, unsigned ms, uint32_t cw, uint32_t ssthresh,
                 uint32_t flight, bool recovery)
{
    struct synack_trace_event ev = {.kind = SYNACK_TRACE_CWND};
    ev.u.cwnd.cwnd = cw;
    ev.u.cwnd.ssthresh = ssthresh;
    ev.u.cwnd.in_flight = flight;
    ev.u.cwnd.in_recovery = recovery;
    add(lad, 0, &ev, ms);
}

static void rtt(struct synack_ladder *lad, unsigned ms, unsigned sample, double srtt, double rttvar,
                unsigned rto)
{
    struct synack_trace_event ev = {.kind = SYNACK_TRACE_RTT};
    ev.u.rtt.sample = SYNACK_MS(sample);
    ev.u.rtt.srtt = (synack_time_t)(srtt * 1e6);
    ev.u.rtt.rttvar = (synack_time_t)(rttvar * 1e6);
    ev.u.rtt.rto = SYNACK_MS(rto);
    add(lad, 0, &ev, ms);
}

static void timer(struct synack_ladder *lad, unsigned ms, int which, unsigned backoff)
{
    struct synack_trace_event ev = {.kind = SYNACK_TRACE_TIMER};
    ev.u.timer.which = which;
    ev.u.timer.backoff = backoff;
    add(lad, 0, &ev, ms);
}

static void state(struct synack_ladder *lad, int side, unsigned ms, enum synack_tcp_state from,
                  enum synack_tcp_state to, bool listener)
{
    struct synack_trace_event ev = {.kind = SYNACK_TRACE_STATE};
    ev.u.state.from = from;
    ev.u.state.to = to;
    if (listener) ev.local = (struct synack_endpoint){0, 80};
    add(lad, side, &ev, ms);
}

/* The client sends 1000 bytes at 0 ms; its cwnd, RTT and timer events up to 80 ms (and
 * one of another connection, left out); both hosts' states. Scales: 100 ms across 800 px
 * from x 90 (8 px/ms); cwnd 20000 bytes up 250 px from y 300 (1 px per 80 bytes); RTT
 * 250 ms up 250 px (1 px/ms). */
static struct synack_ladder *scripted(void)
{
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    assert_non_null(lad);
    struct synack_trace_event seg = {.kind = SYNACK_TRACE_SEGMENT_OUT};
    seg.u.segment.src = client;
    seg.u.segment.dst = server;
    seg.u.segment.seq = 1;
    seg.u.segment.len = 1000;
    seg.u.segment.flags = SYNACK_ACK;
    state(lad, 1, 0, SYNACK_CLOSED, SYNACK_LISTEN, true);
    state(lad, 0, 0, SYNACK_CLOSED, SYNACK_SYN_SENT, false);
    add(lad, 0, &seg, 0);
    state(lad, 1, 5, SYNACK_LISTEN, SYNACK_SYN_RECEIVED, false);
    cwnd(lad, 10, 10000, UNSET, 0, false);
    rtt(lad, 10, 20, 20, 10, 200);
    state(lad, 0, 10, SYNACK_SYN_SENT, SYNACK_ESTABLISHED, false);
    state(lad, 1, 15, SYNACK_SYN_RECEIVED, SYNACK_ESTABLISHED, false);
    cwnd(lad, 20, 20000, UNSET, 15000, false);
    struct synack_trace_event stray = {.kind = SYNACK_TRACE_CWND, .local = client, .remote = other};
    stray.u.cwnd.cwnd = 90000; /* another connection: would move the scale */
    add(lad, 0, &stray, 30);
    cwnd(lad, 40, 14000, 14000, 18000, true);
    rtt(lad, 50, 40, 22.5, 12.5, 250);
    cwnd(lad, 60, 14000, 14000, 10000, false);
    timer(lad, 70, SYNACK_TIMER_RTO, 2); /* the second timeout in a row */
    cwnd(lad, 70, 2000, 10000, 2000, false);
    timer(lad, 75, SYNACK_TIMER_TLP, 0);
    timer(lad, 76, SYNACK_TIMER_DELACK, 0);
    cwnd(lad, 80, 3000, 10000, 2000, false);
    cwnd(lad, 80, 4000, 10000, 2000, false); /* two at one time: one vertical run */
    state(lad, 0, 80, SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1, false);
    return lad;
}

typedef int (*draw_fn)(struct synack_ladder *, FILE *, int, synack_time_t);

static char *draw(struct synack_ladder *lad, draw_fn fn, int direction)
{
    char *svg = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&svg, &len);
    assert_int_equal(fn(lad, out, direction, 0), 0);
    fclose(out);
    th_parses_as_xml(svg, len, "svg");
    return svg;
}

static void cwnd_lines(void **st)
{
    (void)st;
    struct synack_ladder *lad = scripted();
    char *svg = draw(lad, synack_ladder_cwnd_svg, SYNACK_TSG_MOST);
    th_has(svg, "client: congestion window over time</text>");
    /* 10000 at 10 ms, 20000 at 20, 14000 at 40 (60: the same), 2000 at 70, 3000 and 4000
     * at 80. */
    th_has(svg, "<polyline class=\"cwnd\" fill=\"none\" stroke=\"#06c\" stroke-width=\"2\" "
                "points=\"170.0,175.0 250.0,175.0 250.0,50.0 410.0,50.0 410.0,125.0 650.0,125.0 "
                "650.0,275.0 730.0,275.0 730.0,262.5 730.0,250.0 890,250.0\"/>");
    /* Unset until 40 ms: the dashed line starts there. */
    th_has(svg, "<polyline class=\"ssthresh\" fill=\"none\" stroke=\"#c00\" stroke-width=\"1.5\" "
                "stroke-dasharray=\"6,3\" points=\"410.0,125.0 650.0,125.0 650.0,175.0 "
                "890,175.0\"/>");
    th_has(svg, "<polyline class=\"flight\" fill=\"none\" stroke=\"#999\" stroke-width=\"1\" "
                "points=\"170.0,300.0 250.0,300.0 250.0,112.5 410.0,112.5 410.0,75.0 570.0,75.0 "
                "570.0,175.0 650.0,175.0 650.0,275.0 890,275.0\"/>");
    assert_int_equal(th_count(svg, "<rect class=\"recovery\""), 1);
    th_has(svg, "<rect class=\"recovery\" x=\"410.0\" y=\"50\" width=\"160.0\" height=\"250\" "
                "fill=\"#fde0e0\"><title>recovery from 40.000 ms to 60.000 ms</title></rect>");
    assert_int_equal(th_count(svg, "<g class=\"timer "), 2); /* not the delayed ACK */
    th_has(svg, "<g class=\"timer rto\"><title>rto timer fired at 70.000 ms (timeout #2)</title>"
                "<line x1=\"650.0\" y1=\"50\" x2=\"650.0\" y2=\"300.0\"");
    th_has(svg, "<g class=\"timer tlp\"><title>tlp timer fired at 75.000 ms</title>"
                "<line x1=\"690.0\"");
    th_has(svg, "<text x=\"82\" y=\"54.0\" text-anchor=\"end\">20000</text>");
    th_has(svg, "<text x=\"890.0\" y=\"318\" text-anchor=\"middle\">100</text>");
    assert_null(strstr(svg, "class=\"none\""));
    free(svg);
    /* The server traced nothing of the kind. */
    svg = draw(lad, synack_ladder_cwnd_svg, 1);
    th_has(svg, "server: congestion window over time</text>");
    th_has(svg, ">no congestion-control event traced on this side</text>");
    assert_int_equal(th_count(svg, "<polyline"), 0);
    free(svg);
    assert_int_equal(synack_ladder_cwnd_svg(lad, stdout, 2, 0), -EINVAL);
    assert_int_equal(synack_ladder_rtt_svg(lad, stdout, -3, 0), -EINVAL);
    synack_ladder_free(lad);
}

/* Timer marks close together: each name on the lowest row where it clears the names before
 * it and, on the axis, the next mark; none where no row is free; never two over each
 * other (persist expiries 1 ms apart: 5.3 px on this 150 ms axis; each name 7 characters,
 * about 43 px). */
static void timer_labels_apart(void **st)
{
    (void)st;
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    struct synack_trace_event seg = {.kind = SYNACK_TRACE_SEGMENT_OUT};
    seg.u.segment.src = client;
    seg.u.segment.dst = server;
    seg.u.segment.len = 1000;
    add(lad, 0, &seg, 0);
    cwnd(lad, 0, 10000, UNSET, 1000, false);
    const unsigned at[] = {10, 11, 12, 13, 14, 30};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        timer(lad, at[i], SYNACK_TIMER_PERSIST, (unsigned)i);
    cwnd(lad, 100, 10000, UNSET, 1000, false);
    char *svg = draw(lad, synack_ladder_cwnd_svg, SYNACK_TSG_MOST);
    assert_int_equal(th_count(svg, "<g class=\"timer persist\">"), 6);
    /* 10 ms: its name would reach the next mark: one row up. 11: the next row up. 12 and
     * 13: no room, no name. 14: the axis row is clear up to the mark at 30 ms. */
    th_has(svg, "(0 probes sent)</title><line x1=\"143.3\" y1=\"50\" x2=\"143.3\" y2=\"300.0\" "
                "stroke=\"#a0a\" stroke-dasharray=\"2,3\"/><path d=\"M143.3,300.0 l-5,-9 h10 z\" "
                "fill=\"#a0a\"/><text x=\"149.3\" y=\"286.0\" font-size=\"10\" "
                "fill=\"#a0a\">persist</text></g>\n");
    th_has(svg, "(1 probes sent)</title><line x1=\"148.7\"");
    th_has(svg, "<text x=\"154.7\" y=\"274.0\" font-size=\"10\" fill=\"#a0a\">persist</text>");
    th_has(svg, "(2 probes sent)</title><line x1=\"154.0\" y1=\"50\" x2=\"154.0\" y2=\"300.0\" "
                "stroke=\"#a0a\" stroke-dasharray=\"2,3\"/><path d=\"M154.0,300.0 l-5,-9 h10 z\" "
                "fill=\"#a0a\"/></g>\n");
    th_has(svg, "(3 probes sent)</title><line x1=\"159.3\" y1=\"50\" x2=\"159.3\" y2=\"300.0\" "
                "stroke=\"#a0a\" stroke-dasharray=\"2,3\"/><path d=\"M159.3,300.0 l-5,-9 h10 z\" "
                "fill=\"#a0a\"/></g>\n");
    th_has(svg, "<text x=\"170.7\" y=\"298.0\" font-size=\"10\" fill=\"#a0a\">persist</text>");
    th_has(svg, "<text x=\"256.0\" y=\"298.0\" font-size=\"10\" fill=\"#a0a\">persist</text>");
    assert_int_equal(th_count(svg, ">persist</text>"), 4);
    free(svg);
    synack_ladder_free(lad);
}

static void rtt_lines(void **st)
{
    (void)st;
    struct synack_ladder *lad = scripted();
    char *svg = draw(lad, synack_ladder_rtt_svg, 0);
    th_has(svg, "client: round-trip time and RTO over time</text>");
    th_has(svg, "<polyline class=\"rto\" fill=\"none\" stroke=\"#e80\" stroke-width=\"1.5\" "
                "points=\"170.0,100.0 490.0,100.0 490.0,50.0 890,50.0\"/>");
    th_has(svg, "<polyline class=\"srtt\" fill=\"none\" stroke=\"#080\" stroke-width=\"1.5\" "
                "points=\"170.0,280.0 490.0,280.0 490.0,277.5 890,277.5\"/>");
    assert_int_equal(th_count(svg, "<g class=\"sample\">"), 2);
    th_has(svg, "<g class=\"sample\"><title>sample 20.000 ms at 10.000 ms: srtt 20.000 rttvar "
                "10.000 rto 200.000</title><circle cx=\"170.0\" cy=\"280.0\" r=\"2.5\"");
    th_has(svg, "<title>sample 40.000 ms at 50.000 ms: srtt 22.500 rttvar 12.500 rto "
                "250.000</title><circle cx=\"490.0\" cy=\"260.0\"");
    assert_int_equal(th_count(svg, "<g class=\"timer "), 2);
    th_has(svg, "<text x=\"82\" y=\"54.0\" text-anchor=\"end\">250</text>");
    free(svg);
    synack_ladder_free(lad);
}

/* A capture has segments only: both graphs say so and still parse. */
static void capture_says_so(void **st)
{
    (void)st;
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    assert_non_null(lad);
    synack_ladder_set_flags(lad, SYNACK_LADDER_CAPTURE);
    struct synack_trace_event seg = {.kind = SYNACK_TRACE_SEGMENT_OUT};
    seg.u.segment.src = client;
    seg.u.segment.dst = server;
    seg.u.segment.len = 100;
    add(lad, 0, &seg, 3);
    for (int k = 0; k < 2; k++) {
        char *svg = draw(lad, k ? synack_ladder_rtt_svg : synack_ladder_cwnd_svg, SYNACK_TSG_MOST);
        th_has(svg, "<text class=\"none\" x=\"490\" y=\"175\" text-anchor=\"middle\">a capture has "
                    "no congestion-control events: only the sender's stack knows them</text>");
        assert_int_equal(th_count(svg, "<polyline"), 0);
        assert_int_equal(th_count(svg, "<circle"), 0);
        free(svg);
    }
    synack_ladder_free(lad);
}

/* synack_ladder_states_svg as a draw_fn (it draws both hosts: no direction). */
static int states_svg(struct synack_ladder *lad, FILE *out, int direction, synack_time_t origin)
{
    (void)direction;
    return synack_ladder_states_svg(lad, out, origin);
}

static char *draw_states(struct synack_ladder *lad)
{
    return draw(lad, states_svg, 0);
}

/* One bar each, 100 ms across from x 90: the client y 40, the server y 76. */
static void state_timeline(void **st)
{
    (void)st;
    struct synack_ladder *lad = scripted();
    char *svg = draw_states(lad);
    th_has(svg, "TCP states over time</text>");
    assert_int_equal(th_count(svg, "<g class=\"state\">"), 6);
    th_has(svg, "<g class=\"state\"><title>SYN-SENT from 0.000 ms to 10.000 ms</title><rect "
                "x=\"90.0\" y=\"40\" width=\"80.0\" height=\"24\" fill=\"#9cf\" stroke=\"white\"/>"
                "<text x=\"93.0\" y=\"56\" font-size=\"11\">SYN-SENT</text></g>");
    th_has(svg, "<title>ESTABLISHED from 10.000 ms to 80.000 ms</title><rect x=\"170.0\" y=\"40\" "
                "width=\"560.0\" height=\"24\" fill=\"#7d7\"");
    th_has(svg, "<title>FIN-WAIT-1 from 80.000 ms on</title><rect x=\"730.0\" y=\"40\" "
                "width=\"160.0\"");
    /* The listener leads up to the server's connection; too narrow to be named. */
    th_has(svg, "<g class=\"state\"><title>LISTEN from 0.000 ms to 5.000 ms</title><rect "
                "x=\"90.0\" y=\"76\" width=\"40.0\" height=\"24\" fill=\"#ddd\" stroke=\"white\"/>"
                "</g>");
    th_has(svg, "<title>SYN-RECEIVED from 5.000 ms to 15.000 ms</title><rect x=\"130.0\" y=\"76\"");
    th_has(svg, "<title>ESTABLISHED from 15.000 ms on</title><rect x=\"210.0\" y=\"76\" "
                "width=\"680.0\"");
    th_has(svg, "<text class=\"host\" x=\"82\" y=\"92\" text-anchor=\"end\">server</text>");
    free(svg);
    synack_ladder_free(lad);
    /* Nothing traced: empty, and says so. */
    lad = synack_ladder_new("a", "b");
    assert_non_null(lad);
    svg = draw_states(lad);
    th_has(svg, ">no state change traced</text>");
    assert_int_equal(th_count(svg, "<g class=\"state\">"), 0);
    free(svg);
    synack_ladder_free(lad);
}

static void report_sections(void **st)
{
    (void)st;
    struct synack_ladder *lad = scripted();
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    assert_int_equal(synack_ladder_html(lad, out, 0, NULL, NULL), 0);
    fclose(out);
    th_parses_as_xml(html, len, "html");
    th_has(html, "<h2 id=\"states\">");
    th_has(html, "<h2 id=\"cwnd\">");
    th_has(html, "<h2 id=\"rtt\">");
    /* Ladder, the client's data, the states, cwnd and RTT. */
    assert_int_equal(th_count(html, "<svg "), 5);
    th_has(html, "<polyline class=\"ssthresh\"");
    th_has(html, "<polyline class=\"srtt\"");
    th_has(html, "<title>FIN-WAIT-1 from 80.000 ms on</title>");
    assert_int_equal(th_count(html, "<?xml"), 0);
    free(html);
    synack_ladder_free(lad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cwnd_lines),     cmocka_unit_test(timer_labels_apart),
        cmocka_unit_test(rtt_lines),      cmocka_unit_test(capture_says_so),
        cmocka_unit_test(state_timeline), cmocka_unit_test(report_sections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
