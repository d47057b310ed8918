/* SPDX-License-Identifier: MIT */
/* packetdrill adapter: epoll over synack sockets. Level-triggered by default; EPOLLET
 * reports a socket again only after something happened on it (data in, data acknowledged,
 * a state change or an error: what makes Linux wake a waiter), and then with its whole
 * current readiness, as Linux does; EPOLLONESHOT disarms after one report. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "instance.h"

#define PD_EPOLL_ITEMS 64

struct pd_epoll_item {
    int fd;
    uint32_t events;
    epoll_data_t data;
    uint64_t seen; /* activity signature at the last report (EPOLLET) */
    bool fresh;    /* never reported since added or modified */
    bool armed;    /* EPOLLONESHOT: false after a report until EPOLL_CTL_MOD */
};

struct pd_epoll {
    int osfd;
    struct pd_epoll_item items[PD_EPOLL_ITEMS];
    int n;
};

static struct pd_epoll *epoll_of(struct pd *pd, int fd)
{
    if (fd < 0 || fd >= PD_MAX_OSFD || pd->osfd_ep[fd] == 0)
        return NULL;
    return pd->ep[pd->osfd_ep[fd] - 1];
}

/* What changes when Linux would wake an epoll waiter on this socket. */
static uint64_t activity(struct pd *pd, int s, int mask)
{
    struct synack_conn_info ci;
    memset(&ci, 0, sizeof ci);
    synack_get_info(pd->stack, s, &ci);
    return ci.bytes_received * 0x9e3779b97f4a7c15ull ^ ci.bytes_acked * 0xc2b2ae3d27d4eb4full ^
           ((uint64_t)ci.state << 56) ^ ((uint64_t)(unsigned)mask << 48);
}

static uint32_t epoll_mask(int ev)
{
    uint32_t m = 0;
    if (ev & SYNACK_POLLIN)
        m |= EPOLLIN | EPOLLRDNORM;
    if (ev & SYNACK_POLLOUT)
        m |= EPOLLOUT | EPOLLWRNORM;
    if (ev & SYNACK_POLLERR)
        m |= EPOLLERR;
    if (ev & SYNACK_POLLHUP)
        m |= EPOLLHUP;
    return m;
}

static int pd_epoll_create(void *ud, int size)
{
    struct pd *pd = pd_lock(ud);
    int r = -EINVAL;
    if (size > 0) {
        r = -EMFILE;
        for (int i = 0; i < PD_MAX_EPOLL; i++) {
            if (pd->ep[i])
                continue;
            int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
            if (fd < 0 || fd >= PD_MAX_OSFD) {
                if (fd >= 0)
                    close(fd);
                break;
            }
            pd->ep[i] = calloc(1, sizeof *pd->ep[i]);
            if (!pd->ep[i]) {
                close(fd);
                r = -ENOMEM;
                break;
            }
            pd->ep[i]->osfd = fd;
            pd->osfd_ep[fd] = i + 1;
            r = fd;
            break;
        }
    }
    return pd_unlock_ret(pd, r);
}

static int pd_epoll_ctl(void *ud, int epfd, int op, int fd, struct epoll_event *event)
{
    struct pd *pd = pd_lock(ud);
    struct pd_epoll *ep = epoll_of(pd, epfd);
    int s = pd_sock_of(pd, fd);
    int r = 0;
    if (!ep || (s < 0 && !epoll_of(pd, fd)))
        return pd_unlock_ret(pd, -EBADF);
    if (s < 0 || fd == epfd)
        return pd_unlock_ret(pd, -EINVAL); /* nested epoll is not offered */
    int k = 0;
    while (k < ep->n && ep->items[k].fd != fd)
        k++;
    if (op == EPOLL_CTL_ADD) {
        if (k < ep->n)
            r = -EEXIST;
        else if (!event)
            r = -EFAULT;
        else if (ep->n == PD_EPOLL_ITEMS)
            r = -ENOSPC;
        else
            ep->items[ep->n++] = (struct pd_epoll_item){fd, event->events, event->data, 0, true,
                                                         true};
    } else if (op == EPOLL_CTL_MOD) {
        if (k == ep->n)
            r = -ENOENT;
        else if (!event)
            r = -EFAULT;
        else
            ep->items[k] = (struct pd_epoll_item){fd, event->events, event->data, 0, true, true};
    } else if (op == EPOLL_CTL_DEL) {
        if (k == ep->n)
            r = -ENOENT;
        else
            ep->items[k] = ep->items[--ep->n];
    } else {
        r = -EINVAL;
    }
    return pd_unlock_ret(pd, r);
}

static int collect(struct pd *pd, struct pd_epoll *ep, struct epoll_event *out, int max)
{
    int got = 0;
    for (int k = 0; k < ep->n && got < max; k++) {
        struct pd_epoll_item *it = &ep->items[k];
        int s = pd_sock_of(pd, it->fd);
        int ev = s >= 0 ? synack_poll_events(pd->stack, s) : -1;
        if (ev < 0 || !it->armed)
            continue;
        uint32_t mask = epoll_mask(ev) & (it->events | EPOLLERR | EPOLLHUP);
        if (!mask)
            continue;
        if (it->events & EPOLLET) {
            uint64_t sig = activity(pd, s, ev);
            if (!it->fresh && sig == it->seen)
                continue;
            it->seen = sig;
        }
        it->fresh = false;
        if (it->events & EPOLLONESHOT)
            it->armed = false;
        out[got].events = mask;
        out[got].data = it->data;
        got++;
    }
    return got;
}

static int pd_epoll_wait(void *ud, int epfd, struct epoll_event *events, int maxevents,
                         int timeout)
{
    struct pd *pd = pd_lock(ud);
    struct pd_epoll *ep = epoll_of(pd, epfd);
    if (!ep)
        return pd_unlock_ret(pd, -EBADF);
    if (maxevents <= 0 || !events)
        return pd_unlock_ret(pd, -EINVAL);
    synack_time_t until = timeout < 0 ? SYNACK_TIME_NEVER : pd->now + SYNACK_MS(timeout);
    int got;
    while ((got = collect(pd, ep, events, maxevents)) == 0 && pd->now < until)
        pd_wait(pd);
    return pd_unlock_ret(pd, got);
}

int pd_epoll_close(struct pd *pd, int fd)
{
    struct pd_epoll *ep = epoll_of(pd, fd);
    if (!ep)
        return -1;
    pd->ep[pd->osfd_ep[fd] - 1] = NULL;
    pd->osfd_ep[fd] = 0;
    close(fd);
    free(ep);
    return 0;
}

void pd_epoll_free_all(struct pd *pd)
{
    for (int i = 0; i < PD_MAX_EPOLL; i++) {
        if (pd->ep[i])
            pd_epoll_close(pd, pd->ep[i]->osfd);
    }
}

void pd_fill_epoll(struct packetdrill_interface *ifc)
{
    ifc->epoll_create = pd_epoll_create;
    ifc->epoll_ctl = pd_epoll_ctl;
    ifc->epoll_wait = pd_epoll_wait;
}
