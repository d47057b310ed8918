/* SPDX-License-Identifier: MIT */
/* The zero-copy socket calls: sends that reference the application's memory until it is
 * acknowledged (tcp/zcopy.h holds the queue), and receives that lend views of the receive
 * buffer until they are returned. */
#include <errno.h>
#include <string.h>
#include "stack/stack_impl.h"
#include "tcp/zcopy.h"

/* The zero-copy block of a connection, taken at its first use. */
static struct sk_zc *zc_of(struct synack_stack *s, struct sk_tcb *tcb)
{
    if (!tcb->zc) {
        tcb->zc = sk_mem_take(&s->eng.mem, sizeof *tcb->zc);
        if (tcb->zc) memset(tcb->zc, 0, sizeof *tcb->zc);
    }
    return tcb->zc;
}

/* From the first zero-copy send on, the send buffer is the extent queue: what the ring
 * holds moves into it. */
static bool start_sending(struct synack_stack *s, struct sk_tcb *tcb)
{
    struct sk_zc *zc = zc_of(s, tcb);
    if (!zc) return false;
    if (!zc->sending && !sk_zc_take_ring(&s->eng.mem, zc, &tcb->sndbuf)) return false;
    zc->sending = true;
    return true;
}

uint32_t sk_sock_queue(struct synack_stack *s, struct sk_tcb *tcb, const uint8_t *buf,
                       uint32_t want, bool zc)
{
    bool sending = sk_zc_sending(tcb->zc);
    if (!zc && !sending) return sk_ring_append(&s->eng.mem, &tcb->sndbuf, buf, want);
    if (!sending && !start_sending(s, tcb)) return 0;
    uint32_t room = sk_ring_free(&tcb->sndbuf), n = want < room ? want : room;
    if (n == 0) return 0;
    if (zc) {
        if (!sk_zc_push(&s->eng.mem, tcb->zc, buf, n, false, true)) return 0;
    } else {
        /* A plain send on a zero-copy socket: its bytes are copied into an extent. */
        uint8_t *copy = sk_mem_take(&s->eng.mem, n);
        if (!copy) return 0;
        memcpy(copy, buf, n);
        if (!sk_zc_push(&s->eng.mem, tcb->zc, copy, n, true, false)) {
            sk_mem_give(&s->eng.mem, copy, n);
            return 0;
        }
    }
    tcb->sndbuf.len += n; /* the ring counts the bytes; the extents hold them */
    return n;
}

bool sk_sock_zc_release(struct synack_stack *s, struct sk_tcb *tcb)
{
    return !sk_zc_sending(tcb->zc) || sk_zc_own_all(&s->eng.mem, tcb->zc);
}

int64_t synack_zerocopy_completed(struct synack_stack *s, int fd)
{
    struct sk_tcb *tcb = sk_sock_get(s, fd);
    if (!tcb) return -EBADF;
    if (!tcb->zc) return 0;
    tcb->zc->reported = tcb->zc->completed; /* SYNACK_POLLZEROCOPY clears */
    return (int64_t)tcb->zc->completed;
}

int64_t sk_sock_recv_borrow(struct synack_stack *s, int fd, struct synack_iovec *views,
                            unsigned max, unsigned *count)
{
    struct sk_tcb *tcb = sk_sock_get(s, fd);
    if (!tcb) return -EBADF;
    if (!views || max == 0 || !count) return -EINVAL;
    *count = 0;
    if (tcb->zc && tcb->zc->borrowed) return -EBUSY;
    uint32_t n = tcb->rcvbuf.len;
    if (n == 0) return sk_sock_recv_empty(tcb, 1);
    struct sk_zc *zc = zc_of(s, tcb);
    if (!zc) return -ENOMEM;
    n = sk_ring_views(&tcb->rcvbuf, n, views, max, count); /* as much as max views reach */
    zc->borrowed = n;
    return n;
}

int sk_sock_recv_return(struct synack_stack *s, int fd, size_t n)
{
    struct sk_tcb *tcb = sk_sock_get(s, fd);
    if (!tcb) return -EBADF;
    if (!tcb->zc || !tcb->zc->borrowed || n > tcb->zc->borrowed) return -EINVAL;
    tcb->zc->borrowed = 0;
    if (n > 0) sk_sock_consume_read(s, tcb, (uint32_t)n);
    return 0;
}
