/* SPDX-License-Identifier: MIT */
/* Built against the installed library by tests/product/run.sh: the stack refuses an
 * all-zero secret unless deterministic mode is asked for, and synack_config_random_secret()
 * gives a non-zero key that differs from call to call. Exit 0 when all holds. */
#include <stdio.h>
#include <string.h>
#include <synack/synack.h>

static void discard(void *ctx, const uint8_t *packet, size_t len, synack_time_t now)
{
    (void)ctx;
    (void)packet;
    (void)len;
    (void)now;
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "secret_check: failed: %s\n", #cond);                                  \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(void)
{
    struct synack_link link = {NULL, discard};
    struct synack_config cfg;
    synack_config_init(&cfg);
    CHECK(!cfg.deterministic);
    CHECK(synack_stack_new(&cfg, &link) == NULL); /* all-zero default secret: refused */
    CHECK(synack_stack_new(NULL, &link) == NULL); /* the defaults, likewise */
    cfg.deterministic = true;                     /* simulations and tests ask for it */
    struct synack_stack *st = synack_stack_new(&cfg, &link);
    CHECK(st != NULL);
    synack_stack_free(st);

    struct synack_config a, b;
    synack_config_init(&a);
    synack_config_init(&b);
    a.deterministic = true;
    CHECK(synack_config_random_secret(&a) == 0);
    CHECK(!a.deterministic);
    CHECK(synack_config_random_secret(&b) == 0);
    static const uint8_t zero[16];
    CHECK(memcmp(a.secret, zero, 16) != 0);
    CHECK(memcmp(a.secret, b.secret, 16) != 0);
    st = synack_stack_new(&a, &link); /* a random secret needs no deterministic mode */
    CHECK(st != NULL);
    synack_stack_free(st);
    printf("secret_check: ok\n");
    return 0;
}
