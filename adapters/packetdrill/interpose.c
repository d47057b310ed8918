/* SPDX-License-Identifier: MIT */
/* Calls packetdrill makes to the C library that must reach the synack instance, interposed
 * with this library in LD_PRELOAD (the runners set it).
 *
 * packetdrill's `%{ }%` Python blocks get TCP_INFO (and TCP_CC_INFO, SO_MEMINFO) with a
 * plain getsockopt() on the script's descriptor (packetdrill code.c), which never reaches a
 * stack in a shared object. With this library also in LD_PRELOAD (the runners set it),
 * this getsockopt() comes first: descriptors of the synack instance are answered by it,
 * every other call goes on to the C library's. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "instance.h"

struct pd *pd_current;

__attribute__((visibility("default"))) int getsockopt(int fd, int level, int name, void *val,
                                                      socklen_t *len)
{
    struct pd *pd = pd_current;
    if (pd && pd_sock_of(pd, fd) >= 0) return pd_getsockopt(pd, fd, level, name, val, len);
    static int (*next)(int, int, int, void *, socklen_t *);
    if (!next) next = (int (*)(int, int, int, void *, socklen_t *))dlsym(RTLD_NEXT, "getsockopt");
    if (!next) {
        errno = ENOSYS;
        return -1;
    }
    return next(fd, level, name, val, len);
}

/* packetdrill runs a script's shell commands with system(3) (`sysctl -q ...`, `ip tcp_metrics
 * flush`): after one, the instance reads the sysctls again, and a flush of the kernel's
 * per-destination metrics flushes synack's (its cached Fast Open cookies and MSS). */
__attribute__((visibility("default"))) int system(const char *command)
{
    static int (*next)(const char *);
    if (!next) next = (int (*)(const char *))dlsym(RTLD_NEXT, "system");
    int r = next ? next(command) : -1;
    struct pd *pd = pd_current;
    if (pd && command) {
        pthread_mutex_lock(&pd->mu);
        pd->sysctls_stale = true;
        if (pd->stack && strstr(command, "tcp_metrics") && strstr(command, "flush"))
            synack_stack_flush_metrics(pd->stack);
        pthread_mutex_unlock(&pd->mu);
    }
    return r;
}
