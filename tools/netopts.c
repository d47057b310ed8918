/* SPDX-License-Identifier: MIT */
#include "netopts.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "charset.h"
#include "live.h"

int netopts_ipv4(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1) return -1;
    *out = ntohl(a.s_addr);
    return 0;
}

static int addr_prefix(const char *s, uint32_t *addr, unsigned *prefix)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", s);
    char *slash = strchr(buf, '/');
    unsigned p = 24;
    if (slash) {
        *slash = '\0';
        char *end;
        long v = strtol(slash + 1, &end, 10);
        if (*end || v < 1 || v > 32) return -1;
        p = (unsigned)v;
    }
    if (netopts_ipv4(buf, addr) < 0) return -1;
    if (prefix) *prefix = p;
    return 0;
}

static int impair(const char *s, struct synack_driver_config *cfg)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        if (!eq) return -1;
        *eq = '\0';
        if (!strcmp(tok, "loss"))
            cfg->loss = atof(eq + 1);
        else if (!strcmp(tok, "reorder"))
            cfg->reorder = atof(eq + 1);
        else if (!strcmp(tok, "seed"))
            cfg->seed = strtoull(eq + 1, NULL, 10);
        else
            return -1;
    }
    return cfg->loss < 0 || cfg->loss >= 1 || cfg->reorder < 0 || cfg->reorder >= 1 ? -1 : 0;
}

/* --ladder: the live ladder every TUN tool can draw (one per process; freed at exit). */
static bool want_ladder;
static enum tool_charset ladder_charset = CHARSET_AUTO;
static struct live_ladder *live;

static void free_live(void)
{
    live_ladder_free(live);
    live = NULL;
}

int netopts_parse(int *argc, char **argv, struct synack_driver_config *cfg)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < *argc ? argv[i + 1] : NULL;
        bool takes = !strcmp(a, "--tun") || !strcmp(a, "--addr") || !strcmp(a, "--kernel-addr") ||
                     !strcmp(a, "--pcap") || !strcmp(a, "--impair");
        if (takes && !v) {
            fprintf(stderr, "synack: %s needs a value\n", a);
            return -1;
        }
        if (!strcmp(a, "--tun")) {
            cfg->tun = v;
        } else if (!strcmp(a, "--addr")) {
            if (addr_prefix(v, &cfg->addr, &cfg->prefix) < 0) {
                fprintf(stderr, "synack: --addr wants A.B.C.D/NN, not '%s'\n", v);
                return -1;
            }
        } else if (!strcmp(a, "--kernel-addr")) {
            if (addr_prefix(v, &cfg->kernel_addr, NULL) < 0) {
                fprintf(stderr, "synack: --kernel-addr wants A.B.C.D/NN, not '%s'\n", v);
                return -1;
            }
        } else if (!strcmp(a, "--pcap")) {
            cfg->pcap = v;
        } else if (!strcmp(a, "--impair")) {
            if (impair(v, cfg) < 0) {
                fprintf(stderr, "synack: --impair wants loss=P,reorder=P,seed=N\n");
                return -1;
            }
        } else if (!strcmp(a, "--no-configure")) {
            cfg->no_configure = true;
        } else if (!strcmp(a, "--no-offload")) {
            cfg->no_offload = true;
        } else if (!strcmp(a, "--trace")) {
            cfg->trace = true;
        } else if (!strcmp(a, "--ladder")) {
            want_ladder = true;
        } else if (tool_charset_flag(a, &ladder_charset)) {
            /* --ascii, --unicode: how --ladder draws */
        } else {
            argv[out++] = argv[i];
            continue;
        }
        if (takes) i++;
    }
    *argc = out;
    if (want_ladder && cfg->trace) {
        fprintf(stderr, "synack: --ladder and --trace both use the trace hook: one of them\n");
        return -1;
    }
    return 0;
}

struct synack_driver *netopts_start(const char *tool, const struct synack_driver_config *cfg)
{
    struct synack_driver *d;
    const char *msg;
    struct synack_config sc;
    synack_config_init(&sc);
    if (want_ladder && !live) {
        live = live_ladder_new(stderr, tool_ladder_charset(ladder_charset, STDERR_FILENO));
        if (!live) {
            fprintf(stderr, "synack %s: out of memory\n", tool);
            return NULL;
        }
        atexit(free_live);
    }
    if (live) {
        sc.trace = live_ladder_hook;
        sc.trace_ctx = live;
    }
    int err = synack_driver_new(cfg, &sc, &d, &msg);
    if (err < 0) {
        fprintf(stderr, "synack %s: %s: %s\n", tool, cfg->tun, msg ? msg : strerror(-err));
        return NULL;
    }
    return d;
}

void netopts_finish(struct synack_driver *d, int fd, int timeout_ms)
{
    struct synack_stack *st = synack_driver_stack(d);
    synack_time_t end = synack_driver_now(d) + SYNACK_MS(timeout_ms);
    while (synack_driver_now(d) < end) {
        struct synack_conn_info ci;
        if (synack_get_info(st, fd, &ci) < 0) return;
        if (ci.state == SYNACK_CLOSED || ci.state == SYNACK_TIME_WAIT ||
            ci.state == SYNACK_FIN_WAIT_2)
            return;
        synack_driver_run_once(d, NULL, 0, 100);
    }
}

int netopts_begin(int *argc, char **argv, struct synack_driver_config *cfg,
                  void (*usage)(FILE *out))
{
    synack_driver_config_init(cfg);
    for (int i = 0; i < *argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    }
    return netopts_parse(argc, argv, cfg) < 0 ? 2 : -1;
}
