/* SPDX-License-Identifier: MIT */
/* Routes with their own advertised MSS (synack_config.routes, Linux's `ip route ... advmss`):
 * the longest prefix covering the peer names the MSS of our SYN or SYN-ACK (SYN cookies
 * too), a socket's TCP_MAXSEG still lowers it, and bad routes are refused. */
#include <errno.h>
#include <string.h>
#include "harness.h"

#define NET SYNACK_IPV4(198, 18, 0, 0)

static void routed_config(struct synack_config *cfg)
{
    th_config(cfg);
    cfg->routes[0] = (struct synack_route){NET, 16, 1200};
    cfg->routes[1] = (struct synack_route){TH_PEER_ADDR, 32, 8960};
    cfg->nroutes = 2;
}

/* The MSS option of the SYN a connect to addr sends (fd < 0: a fresh socket). */
static int syn_mss(struct th *h, int fd, uint32_t addr)
{
    if (fd < 0) fd = synack_socket(h->stack);
    struct synack_endpoint to = {addr, 80};
    assert_int_equal(synack_connect(h->stack, fd, &to), -EINPROGRESS);
    th_poll(h);
    struct th_out o;
    assert_true(th_take(h, &o));
    assert_int_equal(o.flags, SYNACK_SYN);
    return o.mss;
}

static void longest_prefix_names_the_mss(void **state)
{
    (void)state;
    struct synack_config cfg;
    routed_config(&cfg);
    struct th h;
    th_init(&h, &cfg);
    assert_int_equal(syn_mss(&h, -1, TH_PEER_ADDR), 8960);               /* the /32 */
    assert_int_equal(syn_mss(&h, -1, SYNACK_IPV4(198, 18, 7, 9)), 1200); /* the /16 */
    assert_int_equal(syn_mss(&h, -1, SYNACK_IPV4(198, 19, 0, 1)), 1460); /* none: mss */
    /* TCP_MAXSEG lowers a route's MSS, never raises it. */
    int fd = synack_socket(h.stack);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_MAXSEG, 1000), 0);
    assert_int_equal(syn_mss(&h, fd, TH_PEER_ADDR), 1000);
    fd = synack_socket(h.stack);
    assert_int_equal(synack_setsockopt(h.stack, fd, SYNACK_TCP_MAXSEG, 1400), 0);
    assert_int_equal(syn_mss(&h, fd, SYNACK_IPV4(198, 18, 7, 9)), 1200);
    th_free(&h);
}

/* A listener answers with the MSS of the route to the SYN's sender, with and without a SYN
 * cookie (syncookies 2: always). */
static void syn_ack_takes_the_route(void **state)
{
    (void)state;
    for (int cookies = 0; cookies <= 2; cookies += 2) {
        struct synack_config cfg;
        routed_config(&cfg);
        cfg.syncookies = cookies;
        struct th h;
        th_init(&h, &cfg);
        th_listen(&h, 4);
        struct th_out sa = th_syn_in(&h, 5000);
        assert_int_equal(sa.mss, 8960);
        th_free(&h);
    }
}

/* A route announces more than the config's MSS; what we send stays within the local MTU
 * the config's MSS stands for (a peer offering 8960 gets 1460-byte segments). */
static void route_mss_is_only_announced(void **state)
{
    (void)state;
    struct synack_config cfg;
    routed_config(&cfg);
    struct th h;
    th_init(&h, &cfg);
    int l = th_listen(&h, 4);
    th_inject(&h, &(struct th_seg){.flags = SYNACK_SYN, .seq = 5000, .win = 65535, .mss = 8960});
    struct th_out sa = {0};
    assert_true(th_take(&h, &sa));
    assert_int_equal(sa.mss, 8960);
    th_inject(&h,
              &(struct th_seg){.flags = SYNACK_ACK, .seq = 5001, .ack = sa.seq + 1, .win = 65535});
    int fd = synack_accept(h.stack, l, NULL);
    assert_true(fd >= 0);
    static uint8_t data[4000];
    assert_int_equal(synack_send(h.stack, fd, data, sizeof data), (ssize_t)sizeof data);
    th_poll(&h);
    struct th_out o;
    assert_true(th_take(&h, &o));
    assert_int_equal(o.len, 1460);
    th_free(&h);
}

static void bad_routes_are_refused(void **state)
{
    (void)state;
    struct synack_config cfg;
    const char *why = NULL;
    routed_config(&cfg);
    assert_int_equal(synack_config_check(&cfg, &why), 0);
    cfg.routes[0].prefix_len = 33;
    assert_int_equal(synack_config_check(&cfg, &why), -EINVAL);
    assert_non_null(strstr(why, "routes"));
    routed_config(&cfg);
    cfg.routes[1].advmss = 63;
    assert_int_equal(synack_config_check(&cfg, &why), -EINVAL);
    routed_config(&cfg);
    cfg.nroutes = SYNACK_MAX_ROUTES + 1;
    assert_int_equal(synack_config_check(&cfg, &why), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(longest_prefix_names_the_mss),
        cmocka_unit_test(syn_ack_takes_the_route),
        cmocka_unit_test(route_mss_is_only_announced),
        cmocka_unit_test(bad_routes_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
