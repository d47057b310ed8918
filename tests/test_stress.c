/* SPDX-License-Identifier: MIT */
/* The randomised two-way stress (tests/support/stress.c) over 1000 seeds (SYNACK_STRESS_SEEDS
 * changes it); `make stress SEEDS=N` runs any number. */
#include <stdio.h>
#include <stdlib.h>
#include "harness.h"
#include "stress.h"

/* Seeds past the first thousand that once failed, with what they found. */
static const unsigned regressions[] = {
    31546,  /* a window that rounded to zero under the scale never reopened: an empty buffer
             * under memory pressure offered one MSS, less than the SWS step past the old edge */
    15100,  /* ACKs sent past a zero window (one scale unit of slack) were dropped with the
             * news they carried; both ends waited on each other until one gave up */
    3499,   /* the same, the ACK's sequence number behind the window: ACKs of ours it lost */
    51184,  /* the same with an ACK that only opened the window (the other end probing) */
    16933,  /* such an ACK moved SND.WL1 past RCV.NXT: later window updates looked old */
    16567,  /* limited transmit sent past the peer's window (cwnd's pipe allowed it) */
    21887,  /* the same */
    63038,  /* both ends retransmitting into small windows: each one's ACKs carried a SEQ the
             * other had passed and were dropped, a retransmission ending at RCV.NXT too */
    7753,   /* a late duplicate of an old ACK shrank the peer's window; with RACK's timing
             * both ends then sent ACKs behind what the other held (tcp_may_update_window) */
    130259, /* under memory pressure an empty buffer offered one MSS, less than one unit of
             * the window scale (13): a zero window on the wire, both ends waiting */
    7589,   /* a window that seemed to shrink by rounding to the scale: the ACKs' SEQ fell
             * below a segment's that had set the peer's SND.WL1; zero windows both ways */
    9073,   /* the fix tried first for it (the edge taken back to the one on the wire)
             * dropped ACKs sent within one scale unit past a zero window: ETIMEDOUT */
};

static void known_failures_stay_fixed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof regressions / sizeof regressions[0]; i++) {
        struct stress_report r;
        if (!stress_run(regressions[i], NULL, &r))
            fail_msg("seed %u: %s\n  plan: %s", regressions[i], r.why, r.plan);
    }
}

static void two_way_stress(void **state)
{
    (void)state;
    const char *env = getenv("SYNACK_STRESS_SEEDS");
    unsigned seeds = env ? (unsigned)atoi(env) : 1000;
    unsigned failed = 0;
    for (unsigned s = 1; s <= seeds; s++) {
        struct stress_report r;
        if (stress_run(s, NULL, &r)) continue;
        failed++;
        print_message("seed %u: %s\n  plan: %s\n  rerun: make stress SEED=%u\n", s, r.why, r.plan,
                      s);
    }
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_failures_stay_fixed),
        cmocka_unit_test(two_way_stress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
