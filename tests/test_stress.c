/* SPDX-License-Identifier: MIT */
/* The randomised two-way stress (tests/support/stress.c) over 1000 seeds (SYNACK_STRESS_SEEDS
 * changes it); `make stress SEEDS=N` runs any number. */
#include <stdio.h>
#include <stdlib.h>
#include "harness.h"
#include "stress.h"

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
        cmocka_unit_test(two_way_stress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
