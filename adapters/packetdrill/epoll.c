/* SPDX-License-Identifier: MIT */
/* packetdrill adapter: epoll over synack sockets, mapped onto synack's event API
 * (synack/event.h), which follows Linux epoll: level-triggered by default; EPOLLET reports a
 * socket again only after something happened on it (data in, data acknowledged, a state
 * change or an error: what makes Linux wake a waiter), with its whole current readiness;
 * EPOLLONESHOT disarms after one report until EPOLL_CTL_MOD. Each epoll instance is one
 * synack event set; closing a socket takes it out of the set, as in Linux. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "instance.h"

#define PD_EPOLL_ITEMS 64

/* What packetdrill asked for, per synack socket: the interest bits to report within. */
struct pd_epoll_item {
    int s; /* synack socket, -1 if the slot is free */
    uint32_t events;
};

struct pd_epoll {
    int osfd;
    struct synack_events *set;
    struct pd_epoll_item items[PD_EPOLL_ITEMS];
};

static struct pd_epoll *epoll_of(struct pd *pd, int fd)
{
    if (fd < 0 || fd >= PD_MAX_OSFD || pd->osfd_ep[fd] == 0) return NULL;
    return pd->ep[pd->osfd_ep[fd] - 1];
}

static uint32_t epoll_mask(uint32_t ev)
{
    uint32_t m = 0;
    if (ev & SYNACK_POLLIN) m |= EPOLLIN | EPOLLRDNORM;
    if (ev & SYNACK_POLLOUT) m |= EPOLLOUT | EPOLLWRNORM;
    if (ev & (SYNACK_POLLERR | SYNACK_POLLZEROCOPY)) m |= EPOLLERR; /* the error queue */
    if (ev & SYNACK_POLLHUP) m |= EPOLLHUP;
    if (ev & SYNACK_POLLRDHUP) m |= EPOLLRDHUP;
    return m;
}

/* epoll interest and mode bits -> the event API's. */
static uint32_t synack_interest(uint32_t events)
{
    uint32_t m = SYNACK_POLLZEROCOPY; /* EPOLLERR is always reported */
    if (events & (EPOLLIN | EPOLLRDNORM)) m |= SYNACK_POLLIN;
    if (events & (EPOLLOUT | EPOLLWRNORM)) m |= SYNACK_POLLOUT;
    if (events & EPOLLRDHUP) m |= SYNACK_POLLRDHUP;
    if (events & EPOLLET) m |= SYNACK_EV_ET;
    if (events & EPOLLONESHOT) m |= SYNACK_EV_ONESHOT;
    return m;
}

static struct pd_epoll_item *item_of(struct pd_epoll *ep, int s)
{
    for (int k = 0; k < PD_EPOLL_ITEMS; k++) {
        if (ep->items[k].s == s) return &ep->items[k];
    }
    return NULL;
}

static int pd_epoll_create(void *ud, int size)
{
    struct pd *pd = pd_lock(ud);
    int r = -EINVAL;
    if (size > 0) {
        r = -EMFILE;
        for (int i = 0; i < PD_MAX_EPOLL; i++) {
            if (pd->ep[i]) continue;
            int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
            if (fd < 0 || fd >= PD_MAX_OSFD) {
                if (fd >= 0) close(fd);
                break;
            }
            pd->ep[i] = calloc(1, sizeof *pd->ep[i]);
            if (!pd->ep[i]) {
                close(fd);
                r = -ENOMEM;
                break;
            }
            pd->ep[i]->osfd = fd;
            pd->ep[i]->set = synack_events_new(pd->stack);
            if (!pd->ep[i]->set) {
                free(pd->ep[i]);
                pd->ep[i] = NULL;
                close(fd);
                r = -ENOMEM;
                break;
            }
            for (int k = 0; k < PD_EPOLL_ITEMS; k++)
                pd->ep[i]->items[k].s = -1;
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
    if (!ep || (s < 0 && !epoll_of(pd, fd))) return pd_unlock_ret(pd, -EBADF);
    if (s < 0 || fd == epfd) return pd_unlock_ret(pd, -EINVAL); /* nested epoll is not offered */
    union synack_event_data data;
    memset(&data, 0, sizeof data);
    if (event) data.u64 = event->data.u64;
    struct pd_epoll_item *it = item_of(ep, s);
    if (op == EPOLL_CTL_ADD) {
        struct pd_epoll_item *slot = it ? it : item_of(ep, -1); /* it: a closed socket's */
        if (!event)
            r = -EFAULT;
        else if (!slot)
            r = -ENOSPC;
        else
            r = synack_events_add(ep->set, s, synack_interest(event->events), data);
        if (r == 0) *slot = (struct pd_epoll_item){s, event->events};
    } else if (op == EPOLL_CTL_MOD) {
        if (!event)
            r = -EFAULT;
        else
            r = synack_events_mod(ep->set, s, synack_interest(event->events), data);
        if (r == 0 && it) it->events = event->events;
    } else if (op == EPOLL_CTL_DEL) {
        r = synack_events_del(ep->set, s);
        if (it) it->s = -1;
    } else {
        r = -EINVAL;
    }
    return pd_unlock_ret(pd, r);
}

static int collect(struct pd_epoll *ep, struct epoll_event *out, int max)
{
    struct synack_event ev[PD_EPOLL_ITEMS];
    int n = synack_events_wait(ep->set, ev, max < PD_EPOLL_ITEMS ? max : PD_EPOLL_ITEMS);
    int got = 0;
    for (int k = 0; k < n; k++) {
        struct pd_epoll_item *it = item_of(ep, ev[k].fd);
        uint32_t asked = it ? it->events : 0;
        out[got].events = epoll_mask(ev[k].events) & (asked | EPOLLERR | EPOLLHUP);
        out[got].data.u64 = ev[k].data.u64;
        got++;
    }
    return got;
}

static int pd_epoll_wait(void *ud, int epfd, struct epoll_event *events, int maxevents, int timeout)
{
    struct pd *pd = pd_lock(ud);
    struct pd_epoll *ep = epoll_of(pd, epfd);
    if (!ep) return pd_unlock_ret(pd, -EBADF);
    if (maxevents <= 0 || !events) return pd_unlock_ret(pd, -EINVAL);
    synack_time_t until = timeout < 0 ? SYNACK_TIME_NEVER : pd->now + SYNACK_MS(timeout);
    int got;
    while ((got = collect(ep, events, maxevents)) == 0 && pd->now < until)
        pd_wait(pd);
    return pd_unlock_ret(pd, got);
}

int pd_epoll_close(struct pd *pd, int fd)
{
    struct pd_epoll *ep = epoll_of(pd, fd);
    if (!ep) return -1;
    pd->ep[pd->osfd_ep[fd] - 1] = NULL;
    pd->osfd_ep[fd] = 0;
    close(fd);
    synack_events_free(ep->set);
    free(ep);
    return 0;
}

void pd_epoll_free_all(struct pd *pd)
{
    /* After the stack is freed (pd_free): the event sets went with it. */
    for (int i = 0; i < PD_MAX_EPOLL; i++) {
        struct pd_epoll *ep = pd->ep[i];
        if (!ep) continue;
        pd->osfd_ep[ep->osfd] = 0;
        close(ep->osfd);
        free(ep);
        pd->ep[i] = NULL;
    }
}

void pd_fill_epoll(struct packetdrill_interface *ifc)
{
    ifc->epoll_create = pd_epoll_create;
    ifc->epoll_ctl = pd_epoll_ctl;
    ifc->epoll_wait = pd_epoll_wait;
}
