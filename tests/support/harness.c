/* SPDX-License-Identifier: MIT */
#include "harness.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "wire/ipv4.h"
#include "wire/tcp_header.h"

static void capture(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    struct th *h = ctx;
    assert_true(h->out_count < TH_MAX_PKTS);
    struct th_out *o = &h->out[(h->out_head + h->out_count) % TH_MAX_PKTS];
    memset(o, 0, sizeof *o);
    struct sk_ipv4 ip;
    assert_int_equal(sk_ipv4_parse(pkt, len, &ip), SK_IPV4_OK);
    if (ip.proto != SK_IPPROTO_TCP) {
        assert_true(len <= sizeof h->other);
        memcpy(h->other, pkt, len);
        h->other_len = len;
        h->other_count++;
        return;
    }
    assert_true(sk_tcp_checksum_ok(ip.payload, ip.payload_len, ip.src, ip.dst));
    struct sk_tcp_header t;
    assert_int_equal(sk_tcp_parse(ip.payload, ip.payload_len, &t), SK_TCP_OK);
    o->time = now;
    o->src = ip.src;
    o->dst = ip.dst;
    o->sport = t.sport;
    o->dport = t.dport;
    o->seq = t.seq;
    o->ack = t.ack;
    o->flags = t.flags;
    o->ecn = ip.tos & 3u;
    o->tos = ip.tos;
    o->df = (pkt[6] & 0x40) != 0;
    o->win = t.window;
    o->len = (uint32_t)(ip.payload_len - t.hdr_len);
    assert_true(o->len <= sizeof o->payload);
    memcpy(o->payload, ip.payload + t.hdr_len, o->len);
    o->mss = t.opts.has_mss ? t.opts.mss : -1;
    o->wscale = t.opts.has_wscale ? t.opts.wscale : -1;
    o->sack_permitted = t.opts.sack_permitted;
    o->has_ts = t.opts.has_timestamp;
    o->ts_val = t.opts.ts_val;
    o->ts_ecr = t.opts.ts_ecr;
    o->has_fo = t.opts.has_fastopen;
    o->fo_len = t.opts.fo_len;
    o->fo_exp = t.opts.fo_exp;
    memcpy(o->fo_cookie, t.opts.fo_cookie, sizeof o->fo_cookie);
    o->sack_count = t.opts.sack_count;
    for (unsigned i = 0; i < t.opts.sack_count && i < 4; i++) {
        o->sack[i][0] = t.opts.sack[i].start;
        o->sack[i][1] = t.opts.sack[i].end;
    }
    h->out_count++;
}

static void trace(void *ctx, const struct synack_trace_event *ev)
{
    struct th *h = ctx;
    if (ev->kind != SYNACK_TRACE_STATE || h->nstates == TH_MAX_STATES) return;
    struct th_state_change *c = &h->states[h->nstates++];
    c->time = ev->time;
    c->local = ev->local;
    c->remote = ev->remote;
    c->from = ev->u.state.from;
    c->to = ev->u.state.to;
}

void th_config(struct synack_config *cfg)
{
    synack_config_init(cfg);
    cfg->local_addr = TH_LOCAL_ADDR;
    for (int i = 0; i < 16; i++)
        cfg->secret[i] = (uint8_t)(i * 17 + 3);
}

void th_init(struct th *h, const struct synack_config *cfg)
{
    memset(h, 0, sizeof *h);
    if (cfg)
        h->cfg = *cfg;
    else
        th_config(&h->cfg);
    h->cfg.trace = trace;
    h->cfg.trace_ctx = h;
    h->out = calloc(TH_MAX_PKTS, sizeof *h->out);
    assert_non_null(h->out);
    h->now = SYNACK_SEC(1000); /* an arbitrary origin, far from 0 */
    struct synack_link link = {h, capture};
    h->stack = synack_stack_new(&h->cfg, &link);
    assert_non_null(h->stack);
}

void th_free(struct th *h)
{
    synack_stack_free(h->stack);
    free(h->out);
    h->out = NULL;
}

size_t th_build(const struct th_seg *seg, uint8_t *buf)
{
    struct sk_tcp_header t;
    memset(&t, 0, sizeof t);
    t.sport = seg->sport ? seg->sport : TH_PEER_PORT;
    t.dport = seg->dport ? seg->dport : TH_LOCAL_PORT;
    t.seq = seg->seq;
    t.ack = seg->ack;
    t.flags = seg->flags;
    t.window = seg->win;
    if (seg->mss > 0) {
        t.opts.has_mss = true;
        t.opts.mss = (uint16_t)seg->mss;
    }
    if (seg->wscale > 0) {
        t.opts.has_wscale = true;
        t.opts.wscale = seg->wscale == TH_WS0 ? 0 : (uint8_t)seg->wscale;
    }
    t.opts.sack_permitted = seg->sack_permitted;
    t.opts.has_timestamp = seg->has_ts;
    t.opts.ts_val = seg->ts_val;
    t.opts.ts_ecr = seg->ts_ecr;
    t.opts.sack_count = (uint8_t)seg->sack_count;
    for (unsigned i = 0; i < seg->sack_count && i < 4; i++) {
        t.opts.sack[i].start = seg->sack[i][0];
        t.opts.sack[i].end = seg->sack[i][1];
    }
    if (seg->fo_len || seg->fo_request) {
        t.opts.has_fastopen = true;
        t.opts.fo_exp = seg->fo_exp;
        t.opts.fo_len = (uint8_t)seg->fo_len;
        if (seg->fo_len) memcpy(t.opts.fo_cookie, seg->fo_cookie, seg->fo_len);
    }
    uint8_t *tcp = buf + SK_IPV4_HDR_LEN;
    size_t hl = sk_tcp_emit(tcp, 60, &t);
    assert_true(hl >= 20);
    assert_true(seg->len <= 65535 - 100);
    if (seg->len) memcpy(tcp + hl, seg->data, seg->len);
    uint32_t src = seg->src ? seg->src : TH_PEER_ADDR, dst = seg->dst ? seg->dst : TH_LOCAL_ADDR;
    sk_tcp_set_checksum(tcp, hl + seg->len, src, dst);
    sk_ipv4_emit(buf, src, dst, SK_IPPROTO_TCP, 64, 1, (uint16_t)(hl + seg->len));
    if (seg->ecn) sk_ipv4_set_ecn(buf, seg->ecn);
    return SK_IPV4_HDR_LEN + hl + seg->len;
}

void th_inject(struct th *h, const struct th_seg *seg)
{
    static uint8_t buf[65600]; /* tests are single-threaded */
    size_t n = th_build(seg, buf);
    synack_stack_input(h->stack, buf, n, h->now);
}

void th_inject_raw(struct th *h, const uint8_t *pkt, size_t len)
{
    synack_stack_input(h->stack, pkt, len, h->now);
}

void th_poll(struct th *h)
{
    synack_stack_poll(h->stack, h->now);
}

void th_advance(struct th *h, synack_time_t d)
{
    synack_time_t end = h->now + d;
    for (int guard = 0; guard < 1000000; guard++) {
        synack_time_t t = synack_stack_next_deadline(h->stack);
        if (t > end) break;
        if (t > h->now) h->now = t;
        synack_stack_poll(h->stack, h->now);
    }
    h->now = end;
    synack_stack_poll(h->stack, h->now);
}

synack_time_t th_run_next(struct th *h, synack_time_t limit)
{
    synack_time_t t = synack_stack_next_deadline(h->stack);
    if (t == SYNACK_TIME_NEVER || t > h->now + limit) return h->now;
    if (t > h->now) h->now = t;
    synack_stack_poll(h->stack, h->now);
    return h->now;
}

bool th_take(struct th *h, struct th_out *out)
{
    if (h->out_count == 0) return false;
    *out = h->out[h->out_head];
    h->out_head = (h->out_head + 1) % TH_MAX_PKTS;
    h->out_count--;
    return true;
}

unsigned th_pending(const struct th *h)
{
    return h->out_count;
}

struct th_out th_expect(struct th *h, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    struct th_out o = {0};
    if (!th_take(h, &o))
        fail_msg("expected a segment (flags 0x%02x seq %u ack %u len %u), none was sent", flags,
                 seq, ack, len);
    if (o.flags != flags || o.seq != seq || (flags & SYNACK_ACK ? o.ack != ack : 0) || o.len != len)
        fail_msg("expected flags 0x%02x seq %u ack %u len %u; got flags 0x%02x seq %u ack %u "
                 "len %u",
                 flags, seq, ack, len, o.flags, o.seq, o.ack, o.len);
    return o;
}

void th_expect_none(struct th *h)
{
    struct th_out o = {0};
    if (th_take(h, &o))
        fail_msg("expected no segment; got flags 0x%02x seq %u ack %u len %u", o.flags, o.seq,
                 o.ack, o.len);
}

enum synack_tcp_state th_state_of(const struct th *h, uint16_t peer_port)
{
    for (unsigned i = h->nstates; i-- > 0;) {
        if (h->states[i].remote.port == peer_port) return h->states[i].to;
    }
    return SYNACK_CLOSED;
}

bool th_saw_transition(const struct th *h, uint16_t peer_port, enum synack_tcp_state from,
                       enum synack_tcp_state to)
{
    for (unsigned i = 0; i < h->nstates; i++) {
        const struct th_state_change *c = &h->states[i];
        if (c->remote.port == peer_port && c->from == from && c->to == to) return true;
    }
    return false;
}

int th_listen(struct th *h, int backlog)
{
    int fd = synack_socket(h->stack);
    assert_true(fd >= 0);
    struct synack_endpoint l = {0, TH_LOCAL_PORT};
    assert_int_equal(synack_bind(h->stack, fd, &l), 0);
    assert_int_equal(synack_listen(h->stack, fd, backlog), 0);
    return fd;
}

int th_passive_open(struct th *h, int lfd, uint32_t peer_iss, uint32_t *our_iss)
{
    struct th_out sa = th_syn_in(h, peer_iss);
    th_inject(h, &(struct th_seg){.flags = SYNACK_ACK,
                                  .seq = peer_iss + 1,
                                  .ack = sa.seq + 1,
                                  .win = 1024,
                                  .wscale = TH_NO_WS});
    th_expect_none(h);
    int fd = synack_accept(h->stack, lfd, NULL);
    assert_true(fd >= 0);
    if (our_iss) *our_iss = sa.seq;
    return fd;
}

int th_open_unscaled(struct th *h, int mss, uint16_t win, uint32_t peer_iss, uint32_t *snd,
                     uint32_t *rcv)
{
    int lfd = th_listen(h, 8);
    th_inject(
        h, &(struct th_seg){
               .flags = SYNACK_SYN, .seq = peer_iss, .win = win, .mss = mss, .wscale = TH_NO_WS});
    struct th_out sa = {0};
    assert_true(th_take(h, &sa));
    th_inject(h, &(struct th_seg){.flags = SYNACK_ACK,
                                  .seq = peer_iss + 1,
                                  .ack = sa.seq + 1,
                                  .win = win,
                                  .wscale = TH_NO_WS});
    int fd = synack_accept(h->stack, lfd, NULL);
    assert_true(fd >= 0);
    *snd = sa.seq + 1;
    *rcv = peer_iss + 1;
    return fd;
}

void th_conn_open(struct th_conn *c, const struct synack_config *cfg, int mss, uint16_t win)
{
    th_init(&c->h, cfg);
    c->fd = th_open_unscaled(&c->h, mss, win, TH_CONN_PEER_ISS, &c->snd, &c->rcv);
}

int th_active_open(struct th *h, uint32_t peer_iss, uint32_t *our_iss, uint16_t *local_port)
{
    int fd;
    struct th_out syn = th_connect_syn(h, &fd);
    th_inject(h, &(struct th_seg){.flags = SYNACK_SYN | SYNACK_ACK,
                                  .seq = peer_iss,
                                  .ack = syn.seq + 1,
                                  .win = 65535,
                                  .mss = 1460,
                                  .wscale = 7,
                                  .sport = TH_PEER_PORT,
                                  .dport = syn.sport});
    th_expect(h, SYNACK_ACK, syn.seq + 1, peer_iss + 1, 0);
    if (our_iss) *our_iss = syn.seq;
    if (local_port) *local_port = syn.sport;
    return fd;
}

void th_pair_init(struct th_pair *p, uint64_t seed, const struct synack_sim_path *path,
                  void (*adjust)(void *ctx, int side, struct synack_config *cfg), void *ctx)
{
    memset(p, 0, sizeof *p);
    p->sim = synack_sim_new(seed);
    assert_non_null(p->sim);
    struct synack_config cfg[2];
    for (int side = 0; side < 2; side++) {
        th_config(&cfg[side]);
        cfg[side].local_addr = side == 0 ? TH_CLIENT_ADDR : TH_SERVER_ADDR;
        cfg[side].secret[15] = (uint8_t)side;
        if (adjust) adjust(ctx, side, &cfg[side]);
    }
    p->client = synack_sim_add_host(p->sim, &cfg[0]);
    p->server = synack_sim_add_host(p->sim, &cfg[1]);
    assert_true(p->client >= 0 && p->server >= 0);
    assert_int_equal(synack_sim_link(p->sim, p->client, p->server, path, path), 0);
    p->cs = synack_sim_stack(p->sim, p->client);
    p->ss = synack_sim_stack(p->sim, p->server);
    p->lfd = synack_socket(p->ss);
    struct synack_endpoint any = {0, 80};
    assert_int_equal(synack_bind(p->ss, p->lfd, &any), 0);
    assert_int_equal(synack_listen(p->ss, p->lfd, 16), 0);
    p->cfd = synack_socket(p->cs);
    assert_true(p->cfd >= 0);
}

void th_pair_connect(struct th_pair *p)
{
    struct synack_endpoint srv = {TH_SERVER_ADDR, 80};
    assert_int_equal(synack_connect(p->cs, p->cfd, &srv), -EINPROGRESS);
}

struct bulk {
    struct th_pair *p;
    int sfd;
    uint32_t total, sent, got;
};

static bool bulk_step(void *ctx)
{
    struct bulk *b = ctx;
    static uint8_t buf[32768];
    if (b->sfd < 0) b->sfd = synack_accept(b->p->ss, b->p->lfd, NULL);
    while (b->sent < b->total) {
        uint32_t n = b->total - b->sent < sizeof buf ? b->total - b->sent : (uint32_t)sizeof buf;
        ssize_t r = synack_send(b->p->cs, b->p->cfd, buf, n);
        if (r <= 0) break;
        b->sent += (uint32_t)r;
    }
    for (ssize_t r; b->sfd >= 0 && (r = synack_recv(b->p->ss, b->sfd, buf, sizeof buf)) > 0;)
        b->got += (uint32_t)r;
    return b->got == b->total;
}

bool th_pair_bulk(struct th_pair *p, uint32_t total, synack_time_t limit)
{
    struct bulk b = {p, -1, total, 0, 0};
    th_pair_connect(p);
    return synack_sim_run_until_done(p->sim, bulk_step, &b, limit);
}

void th_pair_free(struct th_pair *p)
{
    synack_sim_free(p->sim);
    p->sim = NULL;
}

struct th_out th_syn_in(struct th *h, uint32_t peer_iss)
{
    th_inject(h, &(struct th_seg){
                     .flags = SYNACK_SYN, .seq = peer_iss, .win = 65535, .mss = 1460, .wscale = 7});
    struct th_out sa = {0};
    assert_true(th_take(h, &sa));
    assert_int_equal(sa.flags, SYNACK_SYN | SYNACK_ACK);
    assert_int_equal(sa.ack, peer_iss + 1);
    return sa;
}

struct th_out th_connect_syn(struct th *h, int *fd)
{
    *fd = synack_socket(h->stack);
    assert_true(*fd >= 0);
    struct synack_endpoint r = {TH_PEER_ADDR, TH_PEER_PORT};
    assert_int_equal(synack_connect(h->stack, *fd, &r), -EINPROGRESS);
    th_poll(h);
    struct th_out syn = {0};
    assert_true(th_take(h, &syn));
    assert_int_equal(syn.flags, SYNACK_SYN);
    return syn;
}

void th_parses_as_xml(const char *doc, size_t len, const char *root)
{
    if (system("python3 -c 'import xml.dom.minidom' 2>/dev/null") != 0) {
        print_message("python3 not found: not parsed as XML\n");
        return;
    }
    char path[] = "/tmp/synack-xml-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fwrite(doc, 1, len, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); "
             "sys.exit(0 if d.documentElement.tagName == sys.argv[2] else 1)' %s %s",
             path, root);
    int rc = system(cmd);
    unlink(path);
    assert_int_equal(rc, 0);
}

unsigned th_count(const char *hay, const char *needle)
{
    unsigned n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

void th_has(const char *doc, const char *want)
{
    if (!strstr(doc, want)) fail_msg("missing: %s\nin:\n%s", want, doc);
}
