/* SPDX-License-Identifier: MIT */
/* `synack demo`: the catalogue of scenarios (scenarios.c), each replayed in the simulator
 * (world.c: client 198.18.0.1, server 198.18.0.2, 10 ms each way), drawn as a ladder and
 * checked. */
#include "demo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "scenarios.h"

static void demo_usage(FILE *out)
{
    fprintf(out, "usage: synack demo [NAME | --scenario NAME] [--list] [--step] [--pcap DIR]\n"
                 "                   [--svg DIR]\n\n"
                 "Replays TCP scenarios in the simulator (virtual time, fixed seeds) and prints\n"
                 "each as a ladder: state changes in each host's column, each segment as an\n"
                 "arrow with relative sequence numbers and the time it arrived (or LOST). Each\n"
                 "scenario checks its outcome; the exit status is 1 if a check failed.\n\n"
                 "  NAME, --scenario NAME  run one scenario (--list shows them all)\n"
                 "  --list           list the scenarios, one line each, and exit\n"
                 "  --step           show one ladder row at a time, the next after each line\n"
                 "                   read from standard input (Enter; q or end of input stops)\n"
                 "  --pcap DIR       write the client's capture of each scenario to DIR/NAME.pcap\n"
                 "  --svg DIR        write each scenario's ladder as a picture to DIR/NAME.svg\n");
}

static void demo_list(void)
{
    for (size_t i = 0; i < scenario_count; i++)
        printf("%-18s %s\n", scenario_catalogue[i].name, scenario_catalogue[i].summary);
}

static const struct scenario *find_scenario(const char *name)
{
    for (size_t i = 0; i < scenario_count; i++)
        if (!strcmp(scenario_catalogue[i].name, name)) return &scenario_catalogue[i];
    return NULL;
}

static int check_dir(const char *flag, const char *dir)
{
    struct stat st;
    if (stat(dir, &st) < 0) {
        fprintf(stderr, "synack demo: %s %s: %s\n", flag, dir, strerror(errno));
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "synack demo: %s %s: not a directory\n", flag, dir);
        return 1;
    }
    return 0;
}

/* Builds the scenario's world, runs it; returns its failed checks, or -1 if the world
 * could not be built. *quit is set when --step input ended. */
static int run_one(const struct scenario *sc, const char *pcap_dir, const char *svg_dir, bool step,
                   bool *quit)
{
    char pcap[512], svg[512];
    struct world_opts o;
    world_opts_init(&o);
    o.step = step;
    if (pcap_dir) snprintf(pcap, sizeof pcap, "%s/%s.pcap", pcap_dir, sc->name);
    if (svg_dir) snprintf(svg, sizeof svg, "%s/%s.svg", svg_dir, sc->name);
    o.pcap_path = pcap_dir ? pcap : NULL;
    o.svg_path = svg_dir ? svg : NULL;
    if (sc->setup) sc->setup(&o);
    struct world w;
    int failed = world_init(&w, &o) < 0 ? -1 : 0;
    if (failed == 0) {
        printf("=== %s (%s) ===\n%s\n\n", sc->summary, sc->name, sc->story);
        failed = sc->run(&w);
        *quit = w.step_quit;
    }
    world_free(&w);
    return failed;
}

int demo_main(int argc, char **argv)
{
    const char *only = NULL, *pcap_dir = NULL, *svg_dir = NULL;
    bool step = false;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            demo_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--list")) {
            demo_list();
            return 0;
        } else if (!strcmp(argv[i], "--step")) {
            step = true;
        } else if (!strcmp(argv[i], "--scenario") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--pcap") && i + 1 < argc) {
            pcap_dir = argv[++i];
        } else if (!strcmp(argv[i], "--svg") && i + 1 < argc) {
            svg_dir = argv[++i];
        } else if (argv[i][0] != '-' && !only) {
            only = argv[i];
        } else {
            fprintf(stderr, "synack demo: unknown argument '%s'\n", argv[i]);
            demo_usage(stderr);
            return 2;
        }
    }
    if (only && !find_scenario(only)) {
        fprintf(stderr, "synack demo: no scenario named '%s' (synack demo --list)\n", only);
        return 2;
    }
    if ((pcap_dir && check_dir("--pcap", pcap_dir)) || (svg_dir && check_dir("--svg", svg_dir)))
        return 1;
    int failures = 0;
    bool quit = false;
    for (size_t i = 0; i < scenario_count && !quit; i++) {
        const struct scenario *sc = &scenario_catalogue[i];
        if (only && strcmp(only, sc->name)) continue;
        int failed = run_one(sc, pcap_dir, svg_dir, step, &quit);
        if (failed < 0) return 1;
        failures += failed;
    }
    return failures ? 1 : 0;
}
