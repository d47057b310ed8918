/* SPDX-License-Identifier: MIT */
/* packetdrill adapter: MSG_ZEROCOPY as Linux shows it to a program (Documentation/
 * networking/msg_zerocopy.rst). With SO_ZEROCOPY set, each send with MSG_ZEROCOPY that
 * queues data gets the next notification ID of its socket (from 0); once the peer has
 * acknowledged all of it, the ID is completed, and recvmsg(MSG_ERRQUEUE) returns the range
 * of IDs completed since the last such read, [ee_info, ee_data], in one
 * sock_extended_err (origin SO_EE_ORIGIN_ZEROCOPY); POLLERR / EPOLLERR are up while one is
 * waiting. synack's own zero-copy API does the work: packetdrill frees a call's buffer when
 * the call returns, so the adapter sends from a copy it keeps until the send completes, and
 * reports SO_EE_CODE_ZEROCOPY_COPIED, as Linux does for a device that cannot take
 * references (the TUN device the kernel's runs go through). A call completes when the
 * peer has acknowledged the stream up to its end, which also covers data a Fast Open SYN
 * carried (copied by synack, as by Linux). */
#include <time.h> /* linux/errqueue.h uses struct timespec */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "instance.h"

/* One send of the program's with MSG_ZEROCOPY: the adapter's copy of its bytes (NULL if
 * synack copied them) and where it ends in the byte stream (bytes acknowledged then). */
struct pd_zc_call {
    uint8_t *copy;
    uint64_t end;
};

struct pd_zc {
    struct pd_zc_call *calls; /* ring, oldest first */
    size_t head, count, cap;
    uint64_t told; /* notification IDs below it were reported through the error queue */
};

static struct pd_zc *zc_of(struct pd *pd, int s, bool make)
{
    if (s < 0 || s >= PD_MAX_FDS) return NULL;
    if (!pd->fds[s].zc && make) pd->fds[s].zc = calloc(1, sizeof *pd->fds[s].zc);
    return pd->fds[s].zc;
}

bool pd_zc_wanted(struct pd *pd, int fd, int flags)
{
    int s = pd_sock_of(pd, fd);
    return (flags & MSG_ZEROCOPY) && s >= 0 && pd->fds[s].zerocopy;
}

/* Room for one more call's record (a send is made only with it: a record never fails).
 * NULL without memory. */
static struct pd_zc *reserve(struct pd *pd, int fd)
{
    struct pd_zc *zc = zc_of(pd, pd_sock_of(pd, fd), true);
    if (!zc || zc->count < zc->cap) return zc;
    size_t cap = zc->cap ? 2 * zc->cap : 16;
    struct pd_zc_call *c = malloc(cap * sizeof *c);
    if (!c) return NULL;
    for (size_t i = 0; i < zc->count; i++)
        c[i] = zc->calls[(zc->head + i) % zc->cap];
    free(zc->calls);
    zc->calls = c;
    zc->cap = cap;
    zc->head = 0;
    return zc;
}

/* Records a call that queued bytes (after reserve): its ID is the next one; it completes
 * once the stream is acknowledged to where the call left it. */
static void record(struct pd *pd, int fd, struct pd_zc *zc, uint8_t *copy)
{
    struct synack_conn_info ci;
    uint64_t end = synack_get_info(pd->stack, pd_sock_of(pd, fd), &ci) == 0
                       ? ci.bytes_acked + ci.send_queued
                       : UINT64_MAX; /* cannot happen on a connection that took data */
    zc->calls[(zc->head + zc->count++) % zc->cap] = (struct pd_zc_call){copy, end};
}

void pd_zc_note(struct pd *pd, int fd, int flags)
{
    struct pd_zc *zc = pd_zc_wanted(pd, fd, flags) ? reserve(pd, fd) : NULL;
    if (zc) record(pd, fd, zc, NULL); /* without memory, the notification is lost */
}

ssize_t pd_zc_send(struct pd *pd, int fd, const struct iovec *iov, int n, int flags)
{
    struct pd_zc *zc = reserve(pd, fd);
    if (!zc) return -ENOBUFS; /* Linux: no notification slot (sock_zerocopy_alloc) */
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += iov[i].iov_len;
    uint8_t *copy = malloc(total ? total : 1);
    if (!copy) return -ENOBUFS;
    for (size_t i = 0, at = 0; i < (size_t)n; at += iov[i].iov_len, i++)
        memcpy(copy + at, iov[i].iov_base, iov[i].iov_len);
    ssize_t r = pd_send_loop(pd, fd, copy, total, flags, true);
    if (r > 0)
        record(pd, fd, zc, copy); /* freed once acknowledged (or at close) */
    else
        free(copy); /* nothing queued: nothing references it */
    return r;
}

ssize_t pd_zc_errqueue(struct pd *pd, int fd, struct msghdr *msg)
{
    int s = pd_sock_of(pd, fd);
    if (s < 0) return -EBADF;
    if (!msg) return -EFAULT;
    struct pd_zc *zc = zc_of(pd, s, false);
    struct synack_conn_info ci = {0};
    if (synack_poll_events(pd->stack, s) < 0) return -EBADF;
    synack_get_info(pd->stack, s, &ci);      /* none yet (never connected): nothing acknowledged */
    synack_zerocopy_completed(pd->stack, s); /* read: SYNACK_POLLZEROCOPY (POLLERR) clears */
    /* The program's calls completed by now, oldest first; their copies are free. */
    uint64_t first = zc ? zc->told : 0, ids = 0;
    while (zc && zc->count > 0 && zc->calls[zc->head].end <= ci.bytes_acked) {
        free(zc->calls[zc->head].copy);
        zc->head = (zc->head + 1) % zc->cap;
        zc->count--;
        ids++;
    }
    if (ids == 0) return -EAGAIN; /* the error queue is empty */
    zc->told += ids;
    /* Linux ip_recv_error: the error, then the offender's address (none here). */
    struct {
        struct sock_extended_err ee;
        struct sockaddr_in offender;
    } err;
    memset(&err, 0, sizeof err);
    err.ee.ee_origin = SO_EE_ORIGIN_ZEROCOPY;
    err.ee.ee_code = SO_EE_CODE_ZEROCOPY_COPIED;
    err.ee.ee_info = (uint32_t)first;
    err.ee.ee_data = (uint32_t)(first + ids - 1);
    msg->msg_flags = MSG_ERRQUEUE;
    if (!msg->msg_control || msg->msg_controllen < CMSG_SPACE(sizeof err)) {
        msg->msg_flags |= MSG_CTRUNC;
        msg->msg_controllen = 0;
        return 0;
    }
    struct cmsghdr *cm = (struct cmsghdr *)msg->msg_control;
    cm->cmsg_level = SOL_IP;
    cm->cmsg_type = IP_RECVERR;
    cm->cmsg_len = CMSG_LEN(sizeof err);
    memcpy(CMSG_DATA(cm), &err, sizeof err);
    msg->msg_controllen = CMSG_SPACE(sizeof err);
    return 0;
}

void pd_zc_release(struct pd *pd, int s)
{
    struct pd_zc *zc = zc_of(pd, s, false);
    if (!zc) return;
    for (; zc->count > 0; zc->count--, zc->head = (zc->head + 1) % zc->cap)
        free(zc->calls[zc->head].copy);
    free(zc->calls);
    free(zc);
    pd->fds[s].zc = NULL;
}
