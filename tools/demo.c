/* SPDX-License-Identifier: MIT */
/* `synack demo`: the catalogue of scenarios (scenarios.c), each replayed in the simulator
 * (world.c: client 198.18.0.1, server 198.18.0.2, 10 ms each way), drawn as a ladder and
 * checked. */
#include "demo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "charset.h"
#include "scenarios.h"

static void demo_usage(FILE *out)
{
    fprintf(out, "usage: synack demo [NAME | --scenario NAME] [--list] [--step] [--pcap DIR]\n"
                 "                   [--svg DIR] [--tsg DIR] [--cwnd DIR] [--rtt DIR]\n"
                 "                   [--states DIR] [--html DIR] [--save DIR]\n"
                 "                   [--ascii | --unicode]\n\n"
                 "Replays TCP scenarios in the simulator (virtual time, fixed seeds) and prints\n"
                 "each as a ladder: state changes in each host's column, each segment as an\n"
                 "arrow with relative sequence numbers and the time it arrived (or LOST). Each\n"
                 "scenario checks its outcome; the exit status is 1 if a check failed.\n\n"
                 "  NAME, --scenario NAME  run one scenario (--list shows them all)\n"
                 "  --list           list the scenarios, one line each, and exit\n"
                 "  --ascii, --unicode  draw the arrows and lines in ASCII or in Unicode\n"
                 "                   (default: Unicode on a UTF-8 terminal, else ASCII)\n"
                 "  --step           show one ladder row at a time, the next after each line\n"
                 "                   read from standard input (Enter; q or end of input stops)\n"
                 "  --pcap DIR       write the client's capture of each scenario to DIR/NAME.pcap\n"
                 "  --svg DIR        write each scenario's ladder as a picture to DIR/NAME.svg\n"
                 "  --tsg DIR        write each scenario's time-sequence graph (the side that\n"
                 "                   sent the most data) as a picture to DIR/NAME-tsg.svg\n"
                 "  --cwnd DIR       write the congestion window over time of the side that\n"
                 "                   sent the most data (cwnd, ssthresh, flight, recovery,\n"
                 "                   timers fired) to DIR/NAME-cwnd.svg\n"
                 "  --rtt DIR        write its round-trip times (samples, SRTT, RTO, timers\n"
                 "                   fired) to DIR/NAME-rtt.svg\n"
                 "  --states DIR     write the state timeline of both hosts to\n"
                 "                   DIR/NAME-states.svg\n"
                 "  --html DIR       write each scenario as one self-contained HTML report to\n"
                 "                   DIR/NAME.html (ladder, graphs, causes, drops, trace)\n"
                 "  --save DIR       write each scenario's trace events to DIR/NAME.trace, a\n"
                 "                   trace file that synack ladder FILE draws again\n");
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

/* Where each scenario's files go (NULL: not written). */
struct demo_dirs {
    const char *pcap, *svg, *tsg, *cwnd, *rtt, *states, *html, *trace;
};

/* DIR/NAME.EXT into buf, or NULL without a DIR. */
static const char *out_path(char *buf, size_t size, const char *dir, const char *name,
                            const char *ext)
{
    if (!dir) return NULL;
    snprintf(buf, size, "%s/%s%s", dir, name, ext);
    return buf;
}

/* Builds the scenario's world, runs it; returns its failed checks, or -1 if the world
 * could not be built. *quit is set when --step input ended. */
static int run_one(const struct scenario *sc, const struct demo_dirs *d, bool step,
                   unsigned ladder_flags, bool *quit)
{
    char pcap[512], svg[512], tsg[512], cwnd[512], rtt[512], states[512], html[512], trace[512];
    char source[128];
    struct world_opts o;
    world_opts_init(&o);
    o.step = step;
    o.ladder_flags |= ladder_flags;
    o.pcap_path = out_path(pcap, sizeof pcap, d->pcap, sc->name, ".pcap");
    o.svg_path = out_path(svg, sizeof svg, d->svg, sc->name, ".svg");
    o.tsg_path = out_path(tsg, sizeof tsg, d->tsg, sc->name, "-tsg.svg");
    o.cwnd_path = out_path(cwnd, sizeof cwnd, d->cwnd, sc->name, "-cwnd.svg");
    o.rtt_path = out_path(rtt, sizeof rtt, d->rtt, sc->name, "-rtt.svg");
    o.states_path = out_path(states, sizeof states, d->states, sc->name, "-states.svg");
    o.html_path = out_path(html, sizeof html, d->html, sc->name, ".html");
    o.trace_path = out_path(trace, sizeof trace, d->trace, sc->name, ".trace");
    snprintf(source, sizeof source, "synack demo %s (simulator: seed 1, 10 ms each way)", sc->name);
    o.title = sc->summary;
    o.source = source;
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
    const char *only = NULL;
    struct demo_dirs d = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    bool step = false;
    enum tool_charset charset = CHARSET_AUTO;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            demo_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--list")) {
            demo_list();
            return 0;
        } else if (tool_charset_flag(argv[i], &charset)) {
            continue;
        } else if (!strcmp(argv[i], "--step")) {
            step = true;
        } else if (!strcmp(argv[i], "--scenario") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--pcap") && i + 1 < argc) {
            d.pcap = argv[++i];
        } else if (!strcmp(argv[i], "--svg") && i + 1 < argc) {
            d.svg = argv[++i];
        } else if (!strcmp(argv[i], "--tsg") && i + 1 < argc) {
            d.tsg = argv[++i];
        } else if (!strcmp(argv[i], "--cwnd") && i + 1 < argc) {
            d.cwnd = argv[++i];
        } else if (!strcmp(argv[i], "--rtt") && i + 1 < argc) {
            d.rtt = argv[++i];
        } else if (!strcmp(argv[i], "--states") && i + 1 < argc) {
            d.states = argv[++i];
        } else if (!strcmp(argv[i], "--html") && i + 1 < argc) {
            d.html = argv[++i];
        } else if (!strcmp(argv[i], "--save") && i + 1 < argc) {
            d.trace = argv[++i];
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
    if ((d.pcap && check_dir("--pcap", d.pcap)) || (d.svg && check_dir("--svg", d.svg)) ||
        (d.tsg && check_dir("--tsg", d.tsg)) || (d.cwnd && check_dir("--cwnd", d.cwnd)) ||
        (d.rtt && check_dir("--rtt", d.rtt)) || (d.states && check_dir("--states", d.states)) ||
        (d.html && check_dir("--html", d.html)) || (d.trace && check_dir("--save", d.trace)))
        return 1;
    int failures = 0;
    bool quit = false;
    unsigned charset_flags = tool_ladder_charset(charset, STDOUT_FILENO);
    for (size_t i = 0; i < scenario_count && !quit; i++) {
        const struct scenario *sc = &scenario_catalogue[i];
        if (only && strcmp(only, sc->name)) continue;
        int failed = run_one(sc, &d, step, charset_flags, &quit);
        if (failed < 0) return 1;
        failures += failed;
    }
    return failures ? 1 : 0;
}
