/* SPDX-License-Identifier: MIT */
/* libFuzzer target: arbitrary bytes into synack_stack_input, against a stack with a
 * listener and one established connection, then a poll far in the future. Build with
 * `make fuzz` (clang) and run build/fuzz/fuzz_input. */
#include <stdint.h>
#include <string.h>
#include "synack/synack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void discard(void *ctx, const uint8_t *pkt, size_t len, synack_time_t now)
{
    (void)ctx;
    (void)pkt;
    (void)len;
    (void)now;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct synack_config cfg;
    synack_config_init(&cfg);
    cfg.local_addr = SYNACK_IPV4(198, 18, 0, 2);
    cfg.deterministic = true; /* reproducible runs: fixed (all-zero) secret */
    cfg.accept_any_addr = size > 0 && (data[0] & 1);
    struct synack_link link = {NULL, discard};
    struct synack_stack *st = synack_stack_new(&cfg, &link);
    if (!st)
        return 0;
    int l = synack_socket(st);
    struct synack_endpoint ep = {0, 80};
    synack_bind(st, l, &ep);
    synack_listen(st, l, 8);
    int c = synack_socket(st);
    struct synack_endpoint r = {SYNACK_IPV4(198, 18, 0, 1), 80};
    synack_connect(st, c, &r);
    synack_stack_poll(st, 1000);
    /* The input is a sequence of packets, each prefixed by a 2-byte length. */
    size_t off = 0;
    synack_time_t now = 2000;
    while (off + 2 <= size) {
        size_t n = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (n > size - off)
            n = size - off;
        uint8_t *copy = n ? (uint8_t *)__builtin_alloca(n) : NULL;
        if (n)
            memcpy(copy, data + off, n);
        synack_stack_input(st, copy, n, now);
        off += n;
        now += 1000000;
        int fd = synack_accept(st, l, NULL);
        if (fd >= 0) {
            char buf[64];
            synack_send(st, fd, "x", 1);
            synack_recv(st, fd, buf, sizeof buf);
            synack_close(st, fd);
        }
    }
    synack_stack_poll(st, now + SYNACK_SEC(1000));
    synack_stack_free(st);
    return 0;
}
