/* SPDX-License-Identifier: MIT */
/* make stress SEEDS=N [FIRST=S]: runs the randomised two-way stress over many seeds and
 * prints "N passed, N failed" with the failing seeds. A failing seed is run again alone
 * with a trace of both hosts (one line per event) and pcap captures, so it can be studied.
 *
 *   stress [--seeds N] [--first S] [--seed S] [--out DIR] [--verbose] [--trace]
 * --trace writes the trace and captures of passing seeds too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "stress.h"

static void usage(void)
{
    fprintf(stderr,
            "usage: stress [--seeds N] [--first S] [--seed S] [--out DIR] [--verbose] [--trace]\n");
    exit(2);
}

/* Reruns one seed with a trace and captures; prints where they are and the trace's end. */
static void rerun(unsigned long long seed, const char *dir)
{
    char trace[512], prefix[512];
    snprintf(trace, sizeof trace, "%s/stress-%llu.trace", dir, seed);
    snprintf(prefix, sizeof prefix, "%s/stress-%llu", dir, seed);
    struct stress_opts o = {trace, prefix};
    struct stress_report r;
    stress_run(seed, &o, &r);
    printf("  rerun of seed %llu: trace %s, captures %s-client.pcap %s-server.pcap\n", seed, trace,
           prefix, prefix);
    FILE *f = fopen(trace, "r");
    if (!f) return;
    static char lines[30][256];
    unsigned n = 0;
    while (fgets(lines[n % 30], sizeof lines[0], f))
        n++;
    fclose(f);
    printf("  last %u trace lines:\n", n < 30 ? n : 30);
    for (unsigned i = n > 30 ? n - 30 : 0; i < n; i++)
        printf("    %s", lines[i % 30]);
}

int main(int argc, char **argv)
{
    unsigned long long seeds = 1000, first = 1;
    long long only = -1;
    const char *dir = "build";
    int verbose = 0, keep = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--verbose") || !strcmp(a, "--trace")) {
            verbose |= !strcmp(a, "--verbose");
            keep |= !strcmp(a, "--trace");
            continue;
        }
        if (!v) usage();
        if (!strcmp(a, "--seeds"))
            seeds = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--first"))
            first = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--seed"))
            only = strtoll(v, NULL, 10);
        else if (!strcmp(a, "--out"))
            dir = v;
        else
            usage();
        i++;
    }
    if (only >= 0) {
        first = (unsigned long long)only;
        seeds = 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned long long passed = 0, failed = 0, shown = 0;
    double worst = 0;
    unsigned long long worst_seed = 0;
    for (unsigned long long s = first; s < first + seeds; s++) {
        struct stress_report r;
        bool ok = stress_run(s, NULL, &r);
        double ratio = r.bound_s > 0 ? r.done_s / r.bound_s : 0;
        if (ok && ratio > worst) {
            worst = ratio;
            worst_seed = s;
        }
        if (verbose)
            printf("seed %llu: %s %.1f/%.1f s  %s\n", s, ok ? "ok" : "FAIL", r.done_s, r.bound_s,
                   r.plan);
        if (ok) {
            passed++;
            if (keep) rerun(s, dir);
            continue;
        }
        failed++;
        printf("FAIL seed %llu: %s\n  plan: %s\n", s, r.why, r.plan);
        if (shown++ < 3 || seeds == 1) rerun(s, dir);
        continue;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("stress: seeds %llu..%llu in %.1f s; slowest passing run used %.0f%% of its bound "
           "(seed %llu)\n",
           first, first + seeds - 1, secs, worst * 100, worst_seed);
    printf("%llu passed, %llu failed\n", passed, failed);
    return failed ? 1 : 0;
}
