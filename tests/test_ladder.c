/* SPDX-License-Identifier: MIT */
/* Ladder diagrams and the one-line trace format: exact text for a simulated handshake with
 * a lost third ACK. */
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

static char *run_lost_ack(void)
{
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    struct synack_sim_path p = {.delay = SYNACK_MS(10)};
    struct th_pair w;
    th_pair_init(&w, 1, &p, attach, lad);
    synack_sim_drop_nth(w.sim, w.client, w.server, 2);
    th_pair_connect(&w);
    synack_sim_run_for(w.sim, SYNACK_MS(1100));
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    synack_ladder_render(lad, out, 0);
    fclose(out);
    th_pair_free(&w);
    synack_ladder_free(lad);
    return text;
}

static void ladder_exact_lines(void **state)
{
    (void)state;
    char *text = run_lost_ack();
    const char *want =
        "     0.000                  |                                                        "
        "|LISTEN\n"
        "     0.000  SYN-SENT        |                                                        |\n"
        "     0.000                  |-SYN 0 win 65535 <mss 1460,ws 3>----------------------->| "
        "arrives 10.000\n"
        "    10.000                  |                                                        "
        "|SYN-RECEIVED\n"
        "    10.000                  |<-SYN,ACK 0 ack 1 win 65535 <mss 1460,ws 3>-------------| "
        "arrives 20.000\n"
        "    20.000  ESTABLISHED     |                                                        |\n"
        "    20.000                  |-ACK 1 ack 1 win 32768--------------------------------->| "
        "LOST\n"
        "  1010.000                  |<-SYN,ACK 0 ack 1 win 65535 <mss 1460,ws 3> rtx---------| "
        "arrives 1020.000\n"
        "  1020.000  x dropped       |                                                        "
        "|dropped: tcp_duplicate\n"
        "  1020.000                  |-ACK 1 ack 1 win 32768--------------------------------->| "
        "arrives 1030.000\n"
        "  1030.000                  |                                                        "
        "|ESTABLISHED\n";
    if (strcmp(text, want) != 0) fail_msg("ladder differs:\n%s", text);
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
    char buf[200];
    assert_string_equal(synack_trace_format(&ev, buf, sizeof buf),
                        "12.345 ms OUT 198.18.0.2:80 > 198.18.0.1:40000 SYN,ACK seq=7 ack=9 "
                        "win=100 len=0 (retransmission)");
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ladder_exact_lines),
        cmocka_unit_test(one_line_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
