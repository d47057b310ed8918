/* SPDX-License-Identifier: MIT */
/* The two-host world of `synack demo` and `synack sim` (see world.h). */
#include "world.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void world_opts_init(struct world_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->path.delay = SYNACK_MS(10);
    synack_config_init(&o->client_cfg);
    synack_config_init(&o->server_cfg);
    o->listen = true;
    o->backlog = 8;
    o->tool = "synack demo";
    o->tsg_direction = SYNACK_TSG_MOST;
}

/* Records what a side did, then hands the event on to the ladder. */
static void world_trace(void *ctx, const struct synack_trace_event *ev)
{
    struct world_side *side = ctx;
    if (ev->kind == SYNACK_TRACE_STATE) {
        side->states_seen |= 1u << ev->u.state.to;
        if (ev->u.state.to <= SYNACK_TIME_WAIT) side->entered[ev->u.state.to] = ev->time;
    } else if (ev->kind == SYNACK_TRACE_SEGMENT_OUT) {
        const struct synack_trace_segment *s = &ev->u.segment;
        if (s->cause < SYNACK_CAUSE_COUNT) side->causes[s->cause]++;
        if (s->flags & SYNACK_RST) side->resets_sent++;
        bool probe = s->cause >= SYNACK_CAUSE_RTO && s->cause <= SYNACK_CAUSE_KEEPALIVE;
        if ((probe || s->retransmission) && side->repeat_count < WORLD_MAX_REPEATS)
            side->repeats[side->repeat_count++] =
                (struct world_repeat){ev->time, s->cause, s->backoff, s->flags};
    }
    side->ladder_fn(side->ladder_ctx, ev);
}

static bool drop_until(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    (void)pkt;
    (void)len;
    const struct world *w = ctx;
    return now < w->drop_client_until;
}

static int world_host(struct world *w, int side, const struct synack_config *base, uint32_t addr)
{
    struct synack_config cfg = *base;
    cfg.local_addr = addr;
    synack_ladder_attach(w->ladder, side, &cfg);
    w->side[side].ladder_fn = cfg.trace;
    w->side[side].ladder_ctx = cfg.trace_ctx;
    cfg.trace = world_trace;
    cfg.trace_ctx = &w->side[side];
    const char *why = NULL;
    if (synack_config_check(&cfg, &why) < 0) {
        fprintf(stderr, "%s: %s\n", w->tool, why ? why : "invalid configuration");
        return -EINVAL;
    }
    return synack_sim_add_host(w->sim, &cfg);
}

int world_init(struct world *w, const struct world_opts *o)
{
    memset(w, 0, sizeof *w);
    w->tool = o->tool;
    w->step = o->step;
    w->step_tty = o->step && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    w->ladder_flags = o->ladder_flags;
    w->lfd = w->cfd = w->sfd = -1;
    w->sim = synack_sim_new(o->seed);
    w->ladder = synack_ladder_new("client", "server");
    if (!w->sim || !w->ladder) {
        fprintf(stderr, "%s: out of memory\n", w->tool);
        return -ENOMEM;
    }
    synack_ladder_set_flags(w->ladder, o->ladder_flags);
    struct synack_config cc = o->client_cfg, sc = o->server_cfg;
    memcpy(cc.secret, "synack demo key1", 16);
    memcpy(sc.secret, "synack demo key2", 16);
    w->client = world_host(w, 0, &cc, WORLD_CLIENT_ADDR);
    if (w->client < 0) return w->client;
    w->server = world_host(w, 1, &sc, WORLD_SERVER_ADDR);
    if (w->server < 0) return w->server;
    if (synack_sim_link(w->sim, w->client, w->server, &o->path, &o->path) < 0) {
        fprintf(stderr, "%s: cannot link the hosts\n", w->tool);
        return -EINVAL;
    }
    synack_sim_set_filter(w->sim, w->client, w->server, drop_until, w);
    w->c = synack_sim_stack(w->sim, w->client);
    w->s = synack_sim_stack(w->sim, w->server);
    if (o->pcap_path) {
        int err = synack_sim_capture(w->sim, w->client, o->pcap_path);
        if (err < 0) {
            fprintf(stderr, "%s: cannot write %s: %s\n", w->tool, o->pcap_path, strerror(-err));
            return err;
        }
    }
    if (o->svg_path) snprintf(w->svg_path, sizeof w->svg_path, "%s", o->svg_path);
    if (o->tsg_path) snprintf(w->tsg_path, sizeof w->tsg_path, "%s", o->tsg_path);
    if (o->cwnd_path) snprintf(w->cwnd_path, sizeof w->cwnd_path, "%s", o->cwnd_path);
    if (o->rtt_path) snprintf(w->rtt_path, sizeof w->rtt_path, "%s", o->rtt_path);
    if (o->states_path) snprintf(w->states_path, sizeof w->states_path, "%s", o->states_path);
    if (o->html_path) snprintf(w->html_path, sizeof w->html_path, "%s", o->html_path);
    if (o->trace_path) snprintf(w->trace_path, sizeof w->trace_path, "%s", o->trace_path);
    snprintf(w->title, sizeof w->title, "%s", o->title ? o->title : "");
    snprintf(w->source, sizeof w->source, "%s", o->source ? o->source : "");
    w->tsg_direction = o->tsg_direction;
    if (o->listen) {
        w->lfd = synack_socket(w->s);
        struct synack_endpoint any = {0, WORLD_PORT};
        synack_bind(w->s, w->lfd, &any);
        synack_listen(w->s, w->lfd, o->backlog);
    }
    w->cfd = synack_socket(w->c);
    return 0;
}

void world_free(struct world *w)
{
    synack_sim_free(w->sim);
    synack_ladder_free(w->ladder);
}

void world_connect(struct world *w)
{
    struct synack_endpoint srv = {WORLD_SERVER_ADDR, WORLD_PORT};
    synack_connect(w->c, w->cfd, &srv);
}

bool world_server_accepted(void *ctx)
{
    struct world *w = ctx;
    if (w->sfd < 0) w->sfd = synack_accept(w->s, w->lfd, NULL);
    return w->sfd >= 0;
}

static uint8_t pattern(uint64_t i)
{
    return (uint8_t)(i * 31 + 7);
}

bool world_pump(void *ctx)
{
    struct world *w = ctx;
    struct world_transfer *x = &w->xfer;
    uint8_t buf[4096];
    while (x->sent < x->total) {
        size_t n = x->total - x->sent < sizeof buf ? (size_t)(x->total - x->sent) : sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(x->sent + i);
        ssize_t r = synack_send(w->c, w->cfd, buf, n);
        if (r <= 0) break;
        x->sent += (uint64_t)r;
    }
    if (!world_server_accepted(w) || synack_sim_now(w->sim) < x->read_from) return false;
    for (;;) {
        ssize_t r = synack_recv(w->s, w->sfd, buf, sizeof buf);
        if (r == 0) x->eof = true;
        if (r <= 0) break;
        for (ssize_t i = 0; i < r; i++)
            x->corrupt |= buf[i] != pattern(x->received + (uint64_t)i);
        x->received += (uint64_t)r;
    }
    return x->received >= x->total;
}

/* A line that continues the row above (a segment's options): blank time and state columns. */
static bool continues_row(const char *line)
{
    return strspn(line, " ") >= 22;
}

/* Waits for a line on stdin; false when it ends or says q. */
static bool step_wait(struct world *w)
{
    char in[64];
    fflush(stdout);
    if (!fgets(in, sizeof in, stdin)) {
        if (w->step_tty) printf("\n");
        fprintf(stderr, "%s: --step: input ended; the rest of the ladder is not shown\n", w->tool);
        return false;
    }
    if (in[0] != 'q') return true;
    fprintf(stderr, "%s: --step: stopped (q); the rest of the ladder is not shown\n", w->tool);
    return false;
}

/* Prints the rendered ladder one row at a time: the header and the first row at once, each
 * further row after a line read from stdin. On a terminal the row's last newline is left
 * to the Enter key's echo, so the ladder stays unbroken. */
static void step_rows(struct world *w, char *text)
{
    unsigned rows = 0;
    bool open_line = false; /* a row's last line printed without its newline */
    for (char *line = text, *next; *line && !w->step_quit; line = next) {
        next = strchr(line, '\n');
        next = next ? next + 1 : line + strlen(line);
        bool header = line == text;
        if (!header && !continues_row(line) && rows++ > 0 && !step_wait(w)) {
            w->step_quit = true;
            break;
        }
        if (open_line && !continues_row(line)) open_line = false; /* the echo ended it */
        if (open_line) printf("\n");
        size_t n = (size_t)(next - line);
        bool last_of_row = !header && (!*next || !continues_row(next));
        open_line = w->step_tty && last_of_row && n > 0 && line[n - 1] == '\n';
        fwrite(line, 1, open_line ? n - 1 : n, stdout);
    }
    if (!w->step_quit && open_line) printf("\n");
}

/* Writes one picture or report to path (nothing if path is empty). */
static void draw_file(struct world *w, const char *path, int what)
{
    if (!path[0]) return;
    FILE *f = fopen(path, "w");
    int rc = !f          ? -1
             : what == 0 ? synack_ladder_svg(w->ladder, f, 0)
             : what == 1 ? synack_ladder_tsg_svg(w->ladder, f, w->tsg_direction, 0)
             : what == 3 ? synack_ladder_cwnd_svg(w->ladder, f, SYNACK_TSG_MOST, 0)
             : what == 4 ? synack_ladder_rtt_svg(w->ladder, f, SYNACK_TSG_MOST, 0)
             : what == 5 ? synack_ladder_states_svg(w->ladder, f, 0)
             : what == 6 ? synack_ladder_save(w->ladder, f)
                         : synack_ladder_html(w->ladder, f, 0, w->title, w->source);
    if (f && fclose(f) != 0) rc = -1;
    if (rc < 0) fprintf(stderr, "%s: cannot write %s\n", w->tool, path);
}

void world_draw(struct world *w)
{
    draw_file(w, w->svg_path, 0);
    draw_file(w, w->tsg_path, 1);
    draw_file(w, w->cwnd_path, 3);
    draw_file(w, w->rtt_path, 4);
    draw_file(w, w->states_path, 5);
    draw_file(w, w->html_path, 2);
    draw_file(w, w->trace_path, 6);
    if (w->step_quit) return;
    if (!w->step) {
        synack_ladder_header(w->ladder, stdout);
        synack_ladder_render(w->ladder, stdout, 0);
        printf("\n");
        return;
    }
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    if (!mem) {
        fprintf(stderr, "%s: out of memory\n", w->tool);
        return;
    }
    synack_ladder_header(w->ladder, mem);
    synack_ladder_render(w->ladder, mem, 0);
    fclose(mem);
    step_rows(w, text);
    free(text);
    if (!w->step_quit) printf("\n");
}

int world_check(const struct world *w, bool ok, const char *what)
{
    if (!ok) fprintf(stderr, "%s: check failed: %s\n", w->tool, what);
    return ok ? 0 : 1;
}

bool world_saw_state(const struct world *w, int side, enum synack_tcp_state state)
{
    return (w->side[side].states_seen >> state) & 1u;
}

int world_parse_duration(const char *s, synack_time_t *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v) || v < 0) return -EINVAL;
    double unit = 1e6; /* ms */
    if (!strcmp(end, "s"))
        unit = 1e9;
    else if (!strcmp(end, "us"))
        unit = 1e3;
    else if (*end && strcmp(end, "ms"))
        return -EINVAL;
    if (v * unit > 1e18) return -EINVAL;
    *out = (synack_time_t)(v * unit + 0.5);
    return 0;
}
