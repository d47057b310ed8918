/* SPDX-License-Identifier: MIT */
/* Randomised two-way stress: two stacks in the simulator, both sides sending and receiving
 * at once, with buffers, MSS, options, impairments and application behaviour drawn from a
 * seed. Every run checks byte-exact delivery both ways, a clean close on both ends and
 * completion within a virtual-time bound derived from the impairment. */
#ifndef SYNACK_TEST_STRESS_H
#define SYNACK_TEST_STRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct stress_opts {
    /* Every trace event of both hosts, one line each, to this file (NULL: none). */
    const char *trace_path;
    /* pcap captures of both hosts: PREFIX-client.pcap and PREFIX-server.pcap. */
    const char *pcap_prefix;
};

struct stress_report {
    char plan[512];  /* what the seed chose, one line */
    char why[512];   /* why the run failed; empty if it passed */
    double done_s;   /* virtual seconds until both directions were delivered and closed */
    double bound_s;  /* the bound it had to meet */
    uint64_t events; /* segments both stacks sent */
};

/* Runs the scenario of one seed. Returns true if every check passed. */
bool stress_run(uint64_t seed, const struct stress_opts *opts, struct stress_report *rep);

#endif
