/* SPDX-License-Identifier: MIT */
/* The pcap writer: exact file bytes, and tshark reads a capture of a real exchange with no
 * malformed packets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "synack/pcap.h"
#include "synack/sim.h"

static void file_format_exact(void **state)
{
    (void)state;
    char path[] = "/tmp/synack-pcap-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct synack_pcap *p = synack_pcap_open(path);
    assert_non_null(p);
    uint8_t pkt[3] = {1, 2, 3};
    assert_int_equal(synack_pcap_write(p, SYNACK_SEC(5) + 123, pkt, sizeof pkt), 0);
    synack_pcap_close(p);
    FILE *f = fopen(path, "rb");
    uint8_t b[64];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    unlink(path);
    assert_int_equal(n, 24 + 16 + 3);
    uint32_t v;
    memcpy(&v, b, 4);
    assert_int_equal(v, 0xa1b23c4du); /* nanosecond magic */
    memcpy(&v, b + 20, 4);
    assert_int_equal(v, 228); /* LINKTYPE_IPV4 */
    memcpy(&v, b + 24, 4);
    assert_int_equal(v, 5);
    memcpy(&v, b + 28, 4);
    assert_int_equal(v, 123);
    memcpy(&v, b + 32, 4);
    assert_int_equal(v, 3);
    assert_memory_equal(b + 40, pkt, 3);
}

static void tshark_reads_capture(void **state)
{
    (void)state;
    if (system("command -v tshark >/dev/null 2>&1") != 0) {
        fprintf(stderr, "tshark not installed: skipping (make test installs it)\n");
        skip();
    }
    char path[] = "/tmp/synack-cap-XXXXXX";
    int tmp = mkstemp(path);
    assert_true(tmp >= 0);
    close(tmp);
    struct synack_sim_path pth = {.delay = SYNACK_MS(1)};
    struct th_pair w;
    th_pair_init(&w, 3, &pth, NULL, NULL);
    assert_int_equal(synack_sim_capture(w.sim, w.client, path), 0);
    th_pair_connect(&w);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    assert_int_equal(synack_send(w.cs, w.cfd, "GET / HTTP/1.0\r\n\r\n", 18), 18);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    synack_close(w.cs, w.cfd);
    synack_sim_run_for(w.sim, SYNACK_MS(100));
    th_pair_free(&w); /* closes the capture */
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "tshark -r %s -T fields -e tcp.flags.str -e _ws.malformed -e _ws.expert 2>&1", path);
    FILE *out = popen(cmd, "r");
    assert_non_null(out);
    char line[512];
    unsigned lines = 0, bad = 0;
    while (fgets(line, sizeof line, out)) {
        lines++;
        if (strstr(line, "alformed") || strstr(line, "rror")) bad++;
    }
    assert_int_equal(pclose(out), 0);
    unlink(path);
    /* SYN, SYN-ACK, ACK, data, ACK, FIN, FIN-ACK... both directions seen on A. */
    assert_true(lines >= 7);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(file_format_exact),
        cmocka_unit_test(tshark_reads_capture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
