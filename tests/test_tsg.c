/* SPDX-License-Identifier: MIT */
/* The time-sequence graph and the HTML report, from a connection scripted by hand (as a
 * capture shows it: each side's segments as they passed): the exact coordinates of every
 * data bar, of the ACK line and of the window line (scaled by the ACK sender's shift, the
 * SYN's own window unscaled), the retransmission's class and cause, the SACK block, SYN
 * and FIN; the report's sections, its escaping, its counts, no URL in it; both parse as
 * XML. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "synack/ladder.h"

static const struct synack_endpoint client = {SYNACK_IPV4(198, 18, 0, 1), 40000},
                                    server = {SYNACK_IPV4(198, 18, 0, 2), 80};

#define CISN 1000u /* the client's ISN: its data starts at relative 1 */
#define SISN 5000u

struct step {
    int side;
    unsigned ms;
    uint8_t flags;
    uint32_t rel_seq, len, rel_ack; /* relative to the sender's / the receiver's ISN */
    uint16_t window;
    int8_t wscale;
    uint8_t cause;                  /* a retransmission if not 0 */
    uint32_t sack_left, sack_right; /* relative to the client's ISN; 0: none */
};

/* Handshake (client wscale 2, server wscale 3, server SYN window 1000), three data segments
 * (the second lost on the way), an ACK of the first with a SACK of the third, the second
 * sent again by RTO, the ACK of all, the client's FIN; and a drop on the server. */
static const struct step script[] = {
    {0, 0, SYNACK_SYN, 0, 0, 0, 65535, 2, 0, 0, 0},
    {1, 10, SYNACK_SYN | SYNACK_ACK, 0, 0, 1, 1000, 3, 0, 0, 0},
    {0, 20, SYNACK_ACK, 1, 0, 1, 500, -1, 0, 0, 0},
    {0, 20, SYNACK_ACK, 1, 500, 1, 500, -1, 0, 0, 0},
    {0, 30, SYNACK_ACK, 501, 500, 1, 500, -1, 0, 0, 0},
    {0, 40, SYNACK_ACK, 1001, 500, 1, 500, -1, 0, 0, 0},
    {1, 50, SYNACK_ACK, 1, 0, 501, 100, -1, 0, 1001, 1501},
    {0, 60, SYNACK_ACK, 501, 500, 1, 500, -1, SYNACK_CAUSE_RTO, 0, 0},
    {1, 80, SYNACK_ACK, 1, 0, 1501, 100, -1, 0, 0, 0},
    {0, 90, SYNACK_FIN | SYNACK_ACK, 1501, 0, 1, 500, -1, 0, 0, 0},
};

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static struct synack_ladder *scripted(void)
{
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    assert_non_null(lad);
    synack_ladder_set_flags(lad, SYNACK_LADDER_CAPTURE);
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
        const struct step *st = &script[i];
        struct synack_trace_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = SYNACK_TRACE_SEGMENT_OUT;
        ev.time = SYNACK_MS(st->ms);
        ev.local = st->side ? server : client;
        ev.remote = st->side ? client : server;
        struct synack_trace_segment *s = &ev.u.segment;
        s->src = ev.local;
        s->dst = ev.remote;
        s->flags = st->flags;
        s->seq = st->rel_seq + (st->side ? SISN : CISN);
        s->ack = st->rel_ack + (st->side ? CISN : SISN);
        s->len = st->len;
        s->window = st->window;
        s->wscale = st->wscale;
        s->cause = st->cause;
        s->backoff = st->cause == SYNACK_CAUSE_RTO;
        s->retransmission = st->cause != 0;
        if (st->wscale >= 0) {
            s->options[0] = 3;
            s->options[1] = 3;
            s->options[2] = (uint8_t)st->wscale;
            s->opt_len = 3;
        }
        if (st->sack_left) {
            s->options[0] = 1;
            s->options[1] = 1;
            s->options[2] = 5;
            s->options[3] = 10;
            put32(s->options + 4, st->sack_left + CISN);
            put32(s->options + 8, st->sack_right + CISN);
            s->opt_len = 12;
        }
        assert_int_equal(synack_ladder_add(lad, st->side, &ev), 0);
    }
    struct synack_trace_event drop;
    memset(&drop, 0, sizeof drop);
    drop.kind = SYNACK_TRACE_DROP;
    drop.time = SYNACK_MS(85);
    drop.u.drop.counter = SYNACK_CTR_TCP_BAD_CHECKSUM;
    assert_int_equal(synack_ladder_add(lad, 1, &drop), 0);
    return lad;
}

static char *draw_tsg(struct synack_ladder *lad, int direction)
{
    char *svg = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&svg, &len);
    assert_int_equal(synack_ladder_tsg_svg(lad, out, direction, 0), 0);
    fclose(out);
    return svg;
}

/* The scale: 100 ms across 800 px from x 90 (8 px/ms); 2500 bytes up 400 px from y 450
 * (0.16 px/byte), the top set by the last ACK plus its window (1501 + 100 << 3). */
static void tsg_bars_and_lines(void **state)
{
    (void)state;
    struct synack_ladder *lad = scripted();
    char *svg = draw_tsg(lad, SYNACK_TSG_MOST);
    th_has(svg, "client to server: sequence numbers over time (ACKs as they passed)");
    assert_int_equal(th_count(svg, "<g class=\"segment"), 4);
    /* 1:501 at 20 ms, 501:1001 at 30, 1001:1501 at 40, 501:1001 again at 60. */
    th_has(svg, "<g class=\"segment\"><title>data 1:501 at 20.000 ms");
    th_has(svg, "<line x1=\"250.0\" y1=\"449.8\" x2=\"250.0\" y2=\"369.8\" stroke=\"#333\"");
    th_has(svg, "<line x1=\"330.0\" y1=\"369.8\" x2=\"330.0\" y2=\"289.8\" stroke=\"#333\"");
    th_has(svg, "<line x1=\"410.0\" y1=\"289.8\" x2=\"410.0\" y2=\"209.8\" stroke=\"#333\"");
    assert_int_equal(th_count(svg, "<g class=\"segment rtx\">"), 1);
    th_has(svg, "<g class=\"segment rtx\"><title>data 501:1001 at 60.000 ms retransmission "
                "(rto #1)\n");
    th_has(svg, "<line x1=\"570.0\" y1=\"369.8\" x2=\"570.0\" y2=\"289.8\" stroke=\"#c00\"");
    assert_int_equal(th_count(svg, ">R</text>"), 1);
    /* The ACK line: 1 (the SYN,ACK at 10 ms), 501 at 50, 1501 at 80, on to the edge. */
    th_has(svg, "<polyline class=\"ack\" fill=\"none\" stroke=\"#080\" stroke-width=\"1.5\" "
                "points=\"170.0,449.8 490.0,449.8 490.0,369.8 730.0,369.8 730.0,209.8 "
                "890,209.8\"/>");
    /* ACK + window: 1 + 1000 (a SYN's window is not scaled), 501 + (100 << 3), 1501 +
     * (100 << 3): the server's shift, not the client's. */
    th_has(svg, "<polyline class=\"window\" fill=\"none\" stroke=\"#e80\" stroke-width=\"1.5\" "
                "points=\"170.0,289.8 490.0,289.8 490.0,241.8 730.0,241.8 730.0,81.8 "
                "890,81.8\"/>");
    /* The SACK block 1001:1501 at the ACK's time (50 ms), just right of it. */
    th_has(svg, "<g class=\"sack\"><title>SACK 1001:1501 at 50.000 ms</title><line x1=\"494.0\" "
                "y1=\"289.8\" x2=\"494.0\" y2=\"209.8\"");
    assert_int_equal(th_count(svg, "<g class=\"sack\">"), 1);
    assert_int_equal(th_count(svg, "<g class=\"syn\">"), 1);
    assert_int_equal(th_count(svg, "<g class=\"fin\">"), 1);
    th_has(svg, "<text x=\"90.0\" y=\"468\" text-anchor=\"middle\">0</text>");
    th_has(svg, "<text x=\"890.0\" y=\"468\" text-anchor=\"middle\">100</text>");
    th_has(svg, "<text x=\"82\" y=\"54.0\" text-anchor=\"end\">2500</text>");
    assert_null(strstr(svg, "class=\"note\"")); /* the window fits */
    th_parses_as_xml(svg, strlen(svg), "svg");
    free(svg);
    synack_ladder_free(lad);
}

/* The other direction: the server's (a SYN and no data); a direction not listed. */
static void tsg_other_direction(void **state)
{
    (void)state;
    struct synack_ladder *lad = scripted();
    char *svg = draw_tsg(lad, SYNACK_TSG_LEAST);
    char *same = draw_tsg(lad, 1);
    assert_string_equal(svg, same);
    th_has(svg, "server to client: sequence numbers over time");
    assert_int_equal(th_count(svg, "<g class=\"segment"), 0);
    assert_int_equal(th_count(svg, "<g class=\"syn\">"), 1);
    free(svg);
    free(same);
    assert_int_equal(synack_ladder_tsg_svg(lad, stdout, -3, 0), -EINVAL);
    assert_int_equal(synack_ladder_tsg_svg(lad, stdout, 2, 0), -EINVAL);
    synack_ladder_free(lad);
}

static void html_report(void **state)
{
    (void)state;
    struct synack_ladder *lad = scripted();
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    assert_int_equal(synack_ladder_html(lad, out, 0, "a <scripted> run & more", "by \"hand\""), 0);
    fclose(out);
    assert_true(strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0);
    th_has(html, "<title>a &lt;scripted&gt; run &amp; more</title>");
    th_has(html, "<h1>a &lt;scripted&gt; run &amp; more</h1>");
    th_has(html, "<p class=\"source\">Source: by &quot;hand&quot;</p>");
    th_has(html, "<li>client 198.18.0.1:40000 \xe2\x86\x94 server 198.18.0.2:80</li>");
    assert_int_equal(th_count(html, "<svg "), 2); /* the ladder, the client's data */
    assert_int_equal(th_count(html, "<?xml"), 0);
    assert_int_equal(th_count(html, "http://"), 0);
    assert_int_equal(th_count(html, "https://"), 0);
    assert_int_equal(th_count(html, "<script"), 0);
    th_has(html, "<h2 id=\"ladder\">");
    th_has(html, "<h2 id=\"tsg\">");
    th_has(html, "<polyline class=\"window\"");
    th_has(html, "<tr><td>segments sent</td><td class=\"n\">7</td><td class=\"n\">3</td></tr>");
    th_has(html, "<tr><td>payload bytes sent</td><td class=\"n\">2000</td><td class=\"n\">0</td>");
    th_has(html, "<tr><td>retransmission: rto</td><td class=\"n\">1</td><td class=\"n\">0</td>");
    th_has(html,
           "<tr><td>dropped: tcp_bad_checksum</td><td class=\"n\">0</td><td class=\"n\">1</td>");
    /* Every segment, one row each, each the target of its arrow in the ladder. */
    assert_int_equal(th_count(html, "<tr id=\"seg-"), 10);
    assert_int_equal(th_count(html, "<a href=\"#seg-"), 10);
    assert_int_equal(th_count(html, "<g class=\"segment"), 10 + 4); /* ladder; graph: data */
    assert_int_equal(th_count(html, " id=\"arrow-"), 10);
    th_has(html, "<a href=\"#seg-7\"><g class=\"segment rtx\" id=\"arrow-7\"><title>");
    th_has(html,
           "<tr id=\"seg-7\" title=\"60.000 ms OUT 198.18.0.1:40000 &gt; 198.18.0.2:80 ACK "
           "seq=1501 ack=5001 win=500 len=500 (retransmission: rto #1)\"><td class=\"n\">"
           "<a href=\"#arrow-7\">8</a></td><td class=\"n\">60.000</td><td>client \xe2\x86\x92 "
           "server</td><td>ACK</td><td class=\"n\">501</td><td class=\"n\">1</td><td "
           "class=\"n\">500</td><td class=\"n\">2000</td><td class=\"o\"></td><td "
           "class=\"rtx\">rto #1</td><td></td></tr>\n");
    th_has(html, "<td class=\"o\">&lt;nop,nop,sack 1 {1001:1501}&gt;</td>");
    th_has(html, "tr:target{background:#fe8}");
    th_has(html, "<h2 id=\"text\">Ladder as text</h2>\n<pre>       ms client");
    th_has(html, "|-ACK 501:1001 ack 1 win 2000 [rto #1]");
    th_has(html, "<summary>Trace: 11 events, one line each</summary>");
    th_has(html, "60.000 ms OUT 198.18.0.1:40000 &gt; 198.18.0.2:80 ACK seq=1501");
    assert_true(strcmp(html + len - 8, "</html>\n") == 0);
    th_parses_as_xml(html, len, "html");
    free(html);
    /* The events stay for the text after the report. */
    char *text = NULL;
    out = open_memstream(&text, &len);
    synack_ladder_render(lad, out, 0);
    fclose(out);
    th_has(text, "[rto #1]");
    free(text);
    synack_ladder_free(lad);
}

/* Nothing traced: empty axes that say so, a report that says so; both still parse. */
static void empty_ladder(void **state)
{
    (void)state;
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    assert_non_null(lad);
    char *svg = draw_tsg(lad, SYNACK_TSG_MOST);
    th_has(svg, ">no segment sent</text>");
    assert_int_equal(th_count(svg, "<polyline"), 0);
    th_parses_as_xml(svg, strlen(svg), "svg");
    free(svg);
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    assert_int_equal(synack_ladder_html(lad, out, 0, NULL, NULL), 0);
    fclose(out);
    th_has(html, "<h1>TCP, traced by synack</h1>");
    th_has(html, "<li>no segment</li>");
    th_has(html, "<summary>Trace: 0 events, one line each</summary>");
    assert_null(strstr(html, "class=\"source\""));
    th_parses_as_xml(html, len, "html");
    free(html);
    synack_ladder_free(lad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tsg_bars_and_lines),
        cmocka_unit_test(tsg_other_direction),
        cmocka_unit_test(html_report),
        cmocka_unit_test(empty_ladder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
