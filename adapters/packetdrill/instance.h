/* SPDX-License-Identifier: MIT */
/* One packetdrill run: a synack stack in virtual time, the packets it sent, and the
 * descriptor table packetdrill sees. packetdrill calls in from two threads (blocking system
 * calls run in their own thread), so every entry point takes the instance lock; a blocking
 * call waits on the condition variable, which is signalled whenever the stack changed. */
#ifndef SYNACK_PACKETDRILL_INSTANCE_H
#define SYNACK_PACKETDRILL_INSTANCE_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include "interface.h"
#include "synack/synack.h"

#define PD_MAX_FDS 256   /* synack sockets */
#define PD_MAX_OSFD 4096 /* descriptor numbers packetdrill may see */
#define PD_QUEUE 4096
#define PD_MAX_EPOLL 16
#define PD_MAX_PKT 2048

struct pd_packet {
    uint8_t data[PD_MAX_PKT];
    size_t len;
    synack_time_t time;
};

struct pd_zc;

struct pd_fd {
    bool nonblock;
    bool linger_abort; /* SO_LINGER {1, 0}: close() sends RST */
    bool zerocopy;     /* SO_ZEROCOPY: MSG_ZEROCOPY sends are notified (zerocopy.c) */
    struct pd_zc *zc;  /* their notification state, from the first */
};

struct pd {
    pthread_mutex_t mu;
    pthread_cond_t changed;
    struct synack_stack *stack;
    synack_time_t now;
    struct pd_packet *queue; /* packets the stack sent, oldest first */
    size_t q_head, q_len;
    uint64_t q_dropped;
    struct pd_fd fds[PD_MAX_FDS];
    /* Each synack socket is shown to packetdrill as a real descriptor (an open /dev/null):
     * numbers come from the kernel as a real socket()'s would, and packetdrill's own final
     * close() of every socket it knows succeeds. osfd_sock[fd] = socket + 1, or 0. */
    int osfd_sock[PD_MAX_OSFD];
    /* epoll instances (epoll.c), also behind /dev/null descriptors: osfd_ep[fd] = index + 1. */
    int osfd_ep[PD_MAX_OSFD];
    struct pd_epoll *ep[PD_MAX_EPOLL];
    unsigned blocked; /* blocking calls asleep */
    /* Ordering virtual time with packetdrill's syscall thread: before time moves on, every
     * blocked call woken by the last change must have looked at it (woken == 0), and a call
     * that just completed must have read its end time (rtn_pending false). */
    pthread_cond_t settled;
    unsigned woken;
    bool rtn_pending;
    pthread_t rtn_thread;
    /* A blocking call read its end time since the last usleep: packetdrill's thread for it
     * still has to record the result (an accepted descriptor) under packetdrill's own lock,
     * which it can take only while the main thread sleeps; the next usleep gives it a
     * moment of real time. */
    bool rtn_recording;
    uint32_t local_addr;
    /* A shell command ran (interpose.c): the sysctls may have changed, read them again. */
    bool sysctls_stale;
};

/* Under the lock: run every timer due up to t (each at its own deadline), then poll at t,
 * and wake blocked calls. */
void pd_advance_to(struct pd *pd, synack_time_t t);
/* Every entry point: take the lock (and make the stack if needed) ... */
struct pd *pd_lock(void *ud);
/* ... and leave: poll, wake blocked calls, unlock, and return r as -1/errno when r < 0. */
int pd_unlock_ret(struct pd *pd, int r);

/* Under the lock: creates the stack if not yet done (see adapter.c). */
void pd_ensure_stack(struct pd *pd);
/* Under the lock: poll at the current time and wake blocked calls. */
void pd_kick(struct pd *pd);
/* Under the lock: wait until the stack changes (a blocking call's sleep). */
void pd_wait(struct pd *pd);
/* Under the lock: before moving time, let woken blocking calls finish looking (bounded by
 * one second of real time). */
void pd_settle(struct pd *pd);

/* Descriptor mapping: packetdrill fd -> synack socket, -1 if not ours. */
static inline int pd_sock_of(const struct pd *pd, int fd)
{
    return fd >= 0 && fd < PD_MAX_OSFD ? pd->osfd_sock[fd] - 1 : -1;
}
/* Gives synack socket s a descriptor number; returns it, or -EMFILE. */
int pd_fd_open(struct pd *pd, int s);
/* Releases the descriptor (closes the /dev/null behind it). */
void pd_fd_close(struct pd *pd, int fd);

/* Returns -1 with errno = -err when err < 0, else err. */
static inline int pd_ret(int err)
{
    if (err < 0) {
        errno = -err;
        return -1;
    }
    return err;
}

/* The system calls (calls.c, options.c). */
void pd_fill_calls(struct packetdrill_interface *ifc);
void pd_fill_options(struct packetdrill_interface *ifc);
/* getsockopt on a descriptor of the instance (interpose.c calls it for packetdrill's own
 * calls); -1 with errno on failure, as the libc call. */
int pd_getsockopt(void *ud, int fd, int level, int name, void *val, socklen_t *len);
/* sendfile(2) to a descriptor of the instance (interpose.c: packetdrill's interface has no
 * member for it); -1 with errno on failure. */
ssize_t pd_sendfile(void *ud, int out_fd, int in_fd, off_t *offset, size_t count);
/* The send loop of calls.c: queues len bytes (all of them if the socket blocks), with zc
 * through synack's zero-copy API. */
ssize_t pd_send_loop(struct pd *pd, int fd, const void *buf, size_t len, int flags, bool zc);
/* MSG_ZEROCOPY (zerocopy.c): whether a send with these flags is one (SO_ZEROCOPY set);
 * such a send of the gathered vector; the error queue's notification (recvmsg with
 * MSG_ERRQUEUE); the socket is gone. */
bool pd_zc_wanted(struct pd *pd, int fd, int flags);
ssize_t pd_zc_send(struct pd *pd, int fd, const struct iovec *iov, int n, int flags);
/* A Fast Open send that queued bytes (copied into the SYN): notified as Linux does. */
void pd_zc_note(struct pd *pd, int fd, int flags);
ssize_t pd_zc_errqueue(struct pd *pd, int fd, struct msghdr *msg);
void pd_zc_release(struct pd *pd, int s);
/* The instance packetdrill made last (interpose.c), NULL before. */
extern struct pd *pd_current;
void pd_fill_epoll(struct packetdrill_interface *ifc);
/* Closes fd if it is an epoll instance; returns 0, or -1 if it is not one. */
int pd_epoll_close(struct pd *pd, int fd);
/* Frees every epoll instance. */
void pd_epoll_free_all(struct pd *pd);

#endif
