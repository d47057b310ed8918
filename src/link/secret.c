/* SPDX-License-Identifier: MIT */
/* A random secret from getrandom(2): outside the engine, which makes no system call. */
#include "synack/secret.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int synack_config_random_secret(struct synack_config *config)
{
    uint8_t key[sizeof config->secret];
    size_t got = 0;
    while (got < sizeof key) {
        ssize_t n = getrandom(key + got, sizeof key - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -errno;
        if (n == 0) return -EIO;
        got += (size_t)n;
    }
    memcpy(config->secret, key, sizeof key);
    config->deterministic = false;
    return 0;
}
