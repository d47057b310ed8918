/* SPDX-License-Identifier: MIT */
/* Reading captures back as trace events (synack_pcap_read): synack's own pcap writer, classic
 * pcap from tcpdump in either byte order with Ethernet and VLAN tags, pcapng with Linux
 * cooked v2 frames and nanosecond time stamps, damaged files; and a ladder drawn from a
 * capture (one vantage point: no arrivals, retransmissions marked). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "synack/ladder.h"
#include "synack/sim.h"

struct got {
    struct synack_trace_event ev[64];
    int n;
};

static void keep(void *ctx, const struct synack_trace_event *ev)
{
    struct got *g = ctx;
    if (g->n < 64) g->ev[g->n++] = *ev;
}

static int read_buf(const uint8_t *b, size_t len, struct got *g, char *err, size_t errn)
{
    FILE *f = fmemopen((void *)b, len, "rb");
    assert_non_null(f);
    memset(g, 0, sizeof *g);
    int n = synack_pcap_read(f, keep, g, err, errn);
    fclose(f);
    return n;
}

/* A byte buffer that grows. */
struct buf {
    uint8_t b[4096];
    size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->b);
    if (n) memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void le32(struct buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, x, 4);
}

static void be32(struct buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, 4);
}

static void le16(struct buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, 2);
}

static void be16(struct buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, 2);
}

/* IPv4 + TCP: 10.0.0.1:1234 > 10.0.0.2:80 (or the reverse), options, payload bytes. */
static void ip_tcp(struct buf *b, bool reverse, uint32_t seq, uint32_t ack, uint8_t flags,
                   const uint8_t *opts, size_t optlen, size_t payload)
{
    uint32_t a = 0x0a000001, c = 0x0a000002;
    size_t tcp = 20 + optlen;
    be16(b, 0x4500);
    be16(b, (uint16_t)(20 + tcp + payload));
    be16(b, 1);
    be16(b, 0x4000);
    be16(b, 0x4006); /* TTL 64, TCP */
    be16(b, 0);      /* checksum: not checked by the reader */
    be32(b, reverse ? c : a);
    be32(b, reverse ? a : c);
    be16(b, reverse ? 80 : 1234);
    be16(b, reverse ? 1234 : 80);
    be32(b, seq);
    be32(b, ack);
    uint8_t off[2] = {(uint8_t)((tcp / 4) << 4), flags};
    put(b, off, 2);
    be16(b, 512); /* window */
    be16(b, 0);
    be16(b, 0);
    put(b, opts, optlen);
    for (size_t i = 0; i < payload; i++)
        put(b, "x", 1);
}

static const uint8_t syn_opts[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                   0, 1, 0,    0,    0, 0, 1, 3,  3, 7};

/* Classic pcap, microseconds, in the writer's byte order (big-endian when be). */
static void pcap_header(struct buf *b, bool be, uint32_t linktype)
{
    void (*w32)(struct buf *, uint32_t) = be ? be32 : le32;
    void (*w16)(struct buf *, uint16_t) = be ? be16 : le16;
    w32(b, 0xa1b2c3d4);
    w16(b, 2);
    w16(b, 4);
    w32(b, 0);
    w32(b, 0);
    w32(b, 65535);
    w32(b, linktype);
}

static void pcap_record(struct buf *b, bool be, uint32_t sec, uint32_t usec, const struct buf *pkt)
{
    void (*w32)(struct buf *, uint32_t) = be ? be32 : le32;
    w32(b, sec);
    w32(b, usec);
    w32(b, (uint32_t)pkt->n);
    w32(b, (uint32_t)pkt->n);
    put(b, pkt->b, pkt->n);
}

static void ethernet_vlan_both_byte_orders(void **state)
{
    (void)state;
    for (int be = 0; be < 2; be++) {
        struct buf f = {.n = 0}, p = {.n = 0};
        pcap_header(&f, be, 1);
        uint8_t eth[12] = {0};
        put(&p, eth, 12);
        be16(&p, 0x8100); /* 802.1Q tag */
        be16(&p, 42);
        be16(&p, 0x0800);
        ip_tcp(&p, false, 1000, 0, SYNACK_SYN, syn_opts, sizeof syn_opts, 0);
        put(&p, "\0\0\0\0", 4); /* Ethernet padding past the IP length */
        pcap_record(&f, be, 7, 250, &p);
        struct got g;
        char err[64];
        assert_int_equal(read_buf(f.b, f.n, &g, err, sizeof err), 1);
        const struct synack_trace_event *ev = &g.ev[0];
        assert_int_equal(ev->kind, SYNACK_TRACE_SEGMENT_OUT);
        assert_int_equal(ev->time, SYNACK_SEC(7) + SYNACK_US(250));
        assert_int_equal(ev->u.segment.src.addr, 0x0a000001);
        assert_int_equal(ev->u.segment.src.port, 1234);
        assert_int_equal(ev->u.segment.dst.port, 80);
        assert_int_equal(ev->local.port, 1234);
        assert_int_equal(ev->u.segment.seq, 1000);
        assert_int_equal(ev->u.segment.flags, SYNACK_SYN);
        assert_int_equal(ev->u.segment.window, 512);
        assert_int_equal(ev->u.segment.len, 0);
        assert_int_equal(ev->u.segment.mss, 1460);
        assert_int_equal(ev->u.segment.wscale, 7);
        assert_true(ev->u.segment.sack_permitted);
        char o[128];
        assert_string_equal(synack_trace_options_str(&ev->u.segment, 0, o, sizeof o),
                            "<mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>");
    }
}

/* pcapng: section header, an interface (Linux cooked v2, if_tsresol 9 = ns), enhanced
 * packet blocks, one of them for a non-IP frame. */
static void pcapng_cooked_v2(void **state)
{
    (void)state;
    struct buf f = {.n = 0};
    le32(&f, 0x0A0D0D0A);
    le32(&f, 28);
    le32(&f, 0x1A2B3C4D);
    le16(&f, 1);
    le16(&f, 0);
    le32(&f, 0xffffffff);
    le32(&f, 0xffffffff);
    le32(&f, 28);
    /* IDB with if_tsresol = 9 and end of options */
    le32(&f, 1);
    le32(&f, 32);
    le16(&f, 276);
    le16(&f, 0);
    le32(&f, 65535);
    le16(&f, 9);
    le16(&f, 1);
    put(&f, "\x09\0\0\0", 4);
    le32(&f, 0);
    le32(&f, 32);
    for (int k = 0; k < 3; k++) {
        struct buf p = {.n = 0};
        be16(&p, k == 1 ? 0x0806 : 0x0800); /* the second is ARP */
        put(&p, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 18);
        if (k == 1)
            put(&p, "arp!", 4);
        else
            ip_tcp(&p, k == 2, k == 2 ? 5000 : 1001, k == 2 ? 1001 : 5001, SYNACK_ACK, NULL, 0,
                   k == 0 ? 10 : 0);
        size_t pad = (4 - p.n % 4) % 4;
        uint64_t ts = 1500000000123456789ull + (uint64_t)k;
        le32(&f, 6);
        le32(&f, (uint32_t)(32 + p.n + pad));
        le32(&f, 0);
        le32(&f, (uint32_t)(ts >> 32));
        le32(&f, (uint32_t)ts);
        le32(&f, (uint32_t)p.n);
        le32(&f, (uint32_t)p.n);
        put(&f, p.b, p.n);
        put(&f, "\0\0\0", pad);
        le32(&f, (uint32_t)(32 + p.n + pad));
    }
    struct got g;
    char err[64];
    assert_int_equal(read_buf(f.b, f.n, &g, err, sizeof err), 2);
    assert_int_equal(g.ev[0].time, 1500000000123456789ull);
    assert_int_equal(g.ev[0].u.segment.len, 10);
    assert_int_equal(g.ev[0].u.segment.wscale, -1);
    assert_int_equal(g.ev[1].time, 1500000000123456791ull);
    assert_int_equal(g.ev[1].u.segment.src.port, 80);
    assert_int_equal(g.ev[1].u.segment.ack, 1001);
}

static void damaged_files(void **state)
{
    (void)state;
    struct got g;
    char err[64];
    assert_int_equal(
        read_buf((const uint8_t *)"hello, world, not a capture", 27, &g, err, sizeof err), -EINVAL);
    assert_string_equal(err, "not a pcap or pcapng file");
    assert_int_equal(read_buf((const uint8_t *)"", 0, &g, err, sizeof err), -EINVAL);
    struct buf f = {.n = 0}, p = {.n = 0};
    pcap_header(&f, false, 105); /* 802.11 */
    ip_tcp(&p, false, 1, 0, SYNACK_SYN, NULL, 0, 0);
    pcap_record(&f, false, 0, 0, &p);
    assert_int_equal(read_buf(f.b, f.n, &g, err, sizeof err), -EPROTONOSUPPORT);
    f.n = 0;
    pcap_header(&f, false, 101);
    pcap_record(&f, false, 0, 0, &p);
    assert_int_equal(read_buf(f.b, f.n, &g, err, sizeof err), 1);
    assert_int_equal(read_buf(f.b, f.n - 3, &g, err, sizeof err), -EINVAL); /* cut short */
    assert_string_equal(err, "truncated record");
    assert_int_equal(read_buf(f.b, 24, &g, err, sizeof err), 0); /* header only: no segment */
    /* A record claiming 1 GiB. */
    f.n = 24;
    le32(&f, 0);
    le32(&f, 0);
    le32(&f, 1u << 30);
    le32(&f, 1u << 30);
    assert_int_equal(read_buf(f.b, f.n, &g, err, sizeof err), -EINVAL);
    /* A TCP data offset past the packet and an IP header length below 20: skipped. */
    f.n = 0;
    pcap_header(&f, false, 101);
    p.b[32] = 0xf0;
    pcap_record(&f, false, 0, 0, &p);
    p.b[32] = 0x50;
    p.b[0] = 0x44;
    pcap_record(&f, false, 0, 0, &p);
    assert_int_equal(read_buf(f.b, f.n, &g, err, sizeof err), 0);
}

/* synack's own writer (the simulator's capture of the client), read back: every segment
 * the client sent and received, in order, with options. */
static void own_capture_read_back(void **state)
{
    (void)state;
    char path[] = "/tmp/synack-pcap-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct synack_sim_path sp = {.delay = SYNACK_MS(10)};
    struct th_pair w;
    th_pair_init(&w, 1, &sp, NULL, NULL);
    assert_int_equal(synack_sim_capture(w.sim, w.client, path), 0);
    th_pair_connect(&w);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    assert_int_equal(synack_send(w.cs, w.cfd, "hello", 5), 5);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    th_pair_free(&w); /* closes the capture */
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct got g = {.n = 0};
    int n = synack_pcap_read(f, keep, &g, NULL, 0);
    fclose(f);
    unlink(path);
    assert_int_equal(n, 5); /* SYN, SYN-ACK, ACK, data, its ACK */
    assert_int_equal(g.ev[0].u.segment.flags, SYNACK_SYN);
    assert_int_equal(g.ev[1].u.segment.flags, SYNACK_SYN | SYNACK_ACK);
    assert_int_equal(g.ev[1].time - g.ev[0].time, SYNACK_MS(20));
    assert_int_equal(g.ev[3].u.segment.len, 5);
    assert_int_equal(g.ev[0].u.segment.mss, 1460);
    assert_int_equal(g.ev[0].u.segment.src.addr, TH_CLIENT_ADDR);

    /* Drawn from the capture: no arrivals, windows scaled after the handshake. */
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    synack_ladder_set_flags(lad, SYNACK_LADDER_CAPTURE);
    for (int i = 0; i < n; i++)
        synack_ladder_add(lad, g.ev[i].u.segment.src.addr == TH_CLIENT_ADDR ? 0 : 1, &g.ev[i]);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    synack_ladder_render(lad, out, g.ev[0].time);
    fclose(out);
    synack_ladder_free(lad);
    const char *want_lines[] = {
        "    0.000             |-SYN 0 win 65535--------------------------->|\n",
        "   20.000             |<-SYN,ACK 0 ack 1 win 65535-----------------|\n",
        "   20.000             |-ACK 1 ack 1 win 262144-------------------->|\n",
        "  100.000             |-PSH,ACK 1:6 ack 1 win 262144-------------->|\n",
        "  120.000             |<-ACK 1 ack 6 win 262016--------------------|\n",
    };
    for (size_t i = 0; i < sizeof want_lines / sizeof want_lines[0]; i++)
        if (!strstr(text, want_lines[i])) fail_msg("no line %s in:\n%s", want_lines[i], text);
    free(text);
}

/* A kernel-to-kernel connection over the loopback device, captured by tshark (Ethernet
 * link type, microseconds): its ladder must match the checked-in text exactly
 * (SYNACK_REGEN=1 rewrites the text; the test runs from the repository's top). */
static void kernel_capture_ladder(void **state)
{
    (void)state;
    const char *pcap = "tests/captures/kernel-lo.pcap", *want_path = "tests/captures/kernel-lo.txt";
    FILE *f = fopen(pcap, "rb");
    if (!f) {
        print_message("%s not found (not run from the repository's top): skipped\n", pcap);
        return;
    }
    struct got g = {.n = 0};
    int n = synack_pcap_read(f, keep, &g, NULL, 0);
    fclose(f);
    assert_int_equal(n, 10);
    struct synack_ladder *lad = synack_ladder_new("client", "server");
    synack_ladder_set_flags(lad, SYNACK_LADDER_CAPTURE);
    struct synack_endpoint client = g.ev[0].u.segment.src;
    for (int i = 0; i < n; i++) {
        const struct synack_trace_segment *s = &g.ev[i].u.segment;
        synack_ladder_add(lad, s->src.port == client.port ? 0 : 1, &g.ev[i]);
    }
    /* The states the segments show, as synack ladder draws them: the client's SYN-SENT to
     * CLOSED, the server's SYN-RECEIVED to TIME-WAIT (it closed first). */
    assert_int_equal(synack_ladder_infer_states(lad), 10);
    char where[200];
    assert_int_equal(synack_ladder_vantage(lad, where, sizeof where), -1); /* both on lo */
    assert_string_equal(where, "capture point unclear: SYN to SYN,ACK 0.014 ms, SYN,ACK to ACK "
                               "0.016 ms (alike: midway, or both ends on one host)");
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    synack_ladder_header(lad, out);
    synack_ladder_render(lad, out, g.ev[0].time);
    fclose(out);
    synack_ladder_free(lad);
    if (getenv("SYNACK_REGEN")) {
        FILE *w = fopen(want_path, "w");
        assert_non_null(w);
        fputs(text, w);
        fclose(w);
    }
    static char want[16384];
    FILE *r = fopen(want_path, "rb");
    assert_non_null(r);
    size_t got = fread(want, 1, sizeof want - 1, r);
    fclose(r);
    want[got] = '\0';
    if (strcmp(text, want) != 0)
        fail_msg("ladder of %s differs from %s:\n%s", pcap, want_path, text);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ethernet_vlan_both_byte_orders),
        cmocka_unit_test(pcapng_cooked_v2),
        cmocka_unit_test(damaged_files),
        cmocka_unit_test(own_capture_read_back),
        cmocka_unit_test(kernel_capture_ladder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
