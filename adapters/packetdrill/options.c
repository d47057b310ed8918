/* SPDX-License-Identifier: MIT */
/* packetdrill adapter: socket options, fcntl, ioctl, poll, and the calls synack does not
 * support (they fail with ENOSYS, never a NULL member). */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include "instance.h"

/* Linux's numbering of TCP states (include/net/tcp_states.h), for TCP_INFO. */
static uint8_t linux_state(enum synack_tcp_state s)
{
    static const uint8_t map[] = {
        [SYNACK_CLOSED] = 7,      [SYNACK_LISTEN] = 10,     [SYNACK_SYN_SENT] = 2,
        [SYNACK_SYN_RECEIVED] = 3, [SYNACK_ESTABLISHED] = 1, [SYNACK_FIN_WAIT_1] = 4,
        [SYNACK_FIN_WAIT_2] = 5,  [SYNACK_CLOSE_WAIT] = 8,  [SYNACK_CLOSING] = 11,
        [SYNACK_LAST_ACK] = 9,    [SYNACK_TIME_WAIT] = 6,
    };
    return (unsigned)s < sizeof map ? map[s] : 7;
}

static int put_int(void *val, socklen_t *len, int v)
{
    if (!val || !len || *len < (socklen_t)sizeof(int))
        return -EINVAL;
    memcpy(val, &v, sizeof v);
    *len = sizeof v;
    return 0;
}

static int tcp_info(struct pd *pd, int s, void *val, socklen_t *len)
{
    if (!val || !len)
        return -EFAULT;
    struct synack_conn_info ci;
    int r = synack_get_info(pd->stack, s, &ci);
    if (r == -EBADF)
        return r;
    struct tcp_info ti;
    memset(&ti, 0, sizeof ti);
    ti.tcpi_state = linux_state(r == 0 ? ci.state : SYNACK_CLOSED);
    if (r == 0) {
        ti.tcpi_rto = (uint32_t)(ci.rto / 1000);
        ti.tcpi_rtt = (uint32_t)(ci.srtt / 1000);
        ti.tcpi_rttvar = (uint32_t)(ci.rttvar / 1000);
        ti.tcpi_snd_mss = ci.snd_mss;
        ti.tcpi_snd_cwnd = ci.snd_mss ? ci.cwnd / ci.snd_mss : 0;
        ti.tcpi_total_retrans = (uint32_t)ci.retransmissions;
    }
    socklen_t n = *len < (socklen_t)sizeof ti ? *len : (socklen_t)sizeof ti;
    memcpy(val, &ti, n);
    *len = n;
    return 0;
}

static int pd_getsockopt(void *ud, int fd, int level, int name, void *val, socklen_t *len)
{
    struct pd *pd = pd_lock(ud);
    int s = pd_sock_of(pd, fd), v = 0, r = -ENOPROTOOPT;
    if (level == SOL_SOCKET && name == SO_ERROR) {
        r = synack_get_error(pd->stack, s);
        if (r <= 0 && r != -EBADF)
            r = put_int(val, len, -r);
    } else if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF)) {
        r = synack_getsockopt(pd->stack, s, name == SO_RCVBUF ? SYNACK_SO_RCVBUF : SYNACK_SO_SNDBUF,
                              &v);
        /* Linux reports twice the value set (room for its bookkeeping); scripts expect it. */
        if (r == 0)
            r = put_int(val, len, 2 * v);
    } else if (level == SOL_SOCKET && name == SO_REUSEADDR) {
        r = synack_getsockopt(pd->stack, s, SYNACK_SO_REUSEADDR, &v);
        if (r == 0)
            r = put_int(val, len, v);
    } else if (level == SOL_SOCKET && name == SO_TYPE) {
        r = s >= 0 && synack_poll_events(pd->stack, s) >= 0 ? put_int(val, len, SOCK_STREAM) : -EBADF;
    } else if (level == IPPROTO_TCP && (name == TCP_NODELAY || name == TCP_MAXSEG)) {
        r = synack_getsockopt(pd->stack, s, name == TCP_NODELAY ? SYNACK_TCP_NODELAY : SYNACK_TCP_MAXSEG,
                              &v);
        if (r == 0)
            r = put_int(val, len, v);
    } else if (level == IPPROTO_TCP && name == TCP_USER_TIMEOUT) {
        r = synack_getsockopt(pd->stack, s, SYNACK_TCP_USER_TIMEOUT, &v);
        if (r == 0)
            r = put_int(val, len, v);
    } else if (level == IPPROTO_TCP && name == TCP_INFO) {
        r = tcp_info(pd, s, val, len);
    } else if (synack_poll_events(pd->stack, s) < 0) {
        r = -EBADF;
    }
    return pd_unlock_ret(pd, r);
}

static int get_int(const void *val, socklen_t len, int *out)
{
    if (!val || len < (socklen_t)sizeof(int))
        return -EINVAL;
    memcpy(out, val, sizeof *out);
    return 0;
}

static int pd_setsockopt(void *ud, int fd, int level, int name, const void *val, socklen_t len)
{
    struct pd *pd = pd_lock(ud);
    int s = pd_sock_of(pd, fd), v = 0, r = -ENOPROTOOPT;
    if (synack_poll_events(pd->stack, s) < 0) {
        r = -EBADF;
    } else if (level == SOL_SOCKET && name == SO_LINGER) {
        struct linger lg;
        if (!val || len < (socklen_t)sizeof lg) {
            r = -EINVAL;
        } else {
            memcpy(&lg, val, sizeof lg);
            pd->fds[s].linger_abort = lg.l_onoff && lg.l_linger == 0;
            r = 0; /* a non-zero linger time: close() stays graceful and returns at once */
        }
    } else if (level == SOL_SOCKET && (name == SO_REUSEADDR || name == SO_RCVBUF ||
                                       name == SO_SNDBUF)) {
        r = get_int(val, len, &v);
        if (r == 0)
            r = synack_setsockopt(pd->stack, s,
                                  name == SO_REUSEADDR ? SYNACK_SO_REUSEADDR
                                  : name == SO_RCVBUF  ? SYNACK_SO_RCVBUF
                                                       : SYNACK_SO_SNDBUF,
                                  v);
    } else if ((level == SOL_SOCKET && name == SO_KEEPALIVE) ||
               (level == IPPROTO_TCP &&
                (name == TCP_KEEPIDLE || name == TCP_KEEPINTVL || name == TCP_KEEPCNT))) {
        r = get_int(val, len, &v);
        if (r == 0)
            r = synack_setsockopt(pd->stack, s,
                                  name == SO_KEEPALIVE && level == SOL_SOCKET ? SYNACK_SO_KEEPALIVE
                                  : name == TCP_KEEPIDLE                      ? SYNACK_TCP_KEEPIDLE
                                  : name == TCP_KEEPINTVL                     ? SYNACK_TCP_KEEPINTVL
                                                                              : SYNACK_TCP_KEEPCNT,
                                  v);
    } else if (level == IPPROTO_TCP &&
               (name == TCP_NODELAY || name == TCP_MAXSEG || name == TCP_FASTOPEN_CONNECT)) {
        r = get_int(val, len, &v);
        if (r == 0)
            r = synack_setsockopt(pd->stack, s,
                                  name == TCP_NODELAY  ? SYNACK_TCP_NODELAY
                                  : name == TCP_MAXSEG ? SYNACK_TCP_MAXSEG
                                                       : SYNACK_TCP_FASTOPEN_CONNECT,
                                  v);
    } else if (level == IPPROTO_TCP && name == TCP_USER_TIMEOUT) {
        r = get_int(val, len, &v);
        if (r == 0)
            r = synack_setsockopt(pd->stack, s, SYNACK_TCP_USER_TIMEOUT, v);
    }
    return pd_unlock_ret(pd, r);
}

static int pd_fcntl(void *ud, int fd, int cmd, ...)
{
    struct pd *pd = pd_lock(ud);
    int s = pd_sock_of(pd, fd), r;
    if (synack_poll_events(pd->stack, s) < 0) {
        r = -EBADF;
    } else if (cmd == F_GETFL) {
        r = O_RDWR | (pd->fds[s].nonblock ? O_NONBLOCK : 0);
    } else if (cmd == F_SETFL) {
        va_list ap;
        va_start(ap, cmd);
        int flags = va_arg(ap, int);
        va_end(ap);
        pd->fds[s].nonblock = (flags & O_NONBLOCK) != 0;
        r = 0;
    } else {
        r = -EINVAL;
    }
    return pd_unlock_ret(pd, r);
}

static int pd_ioctl(void *ud, int fd, unsigned long request, ...)
{
    struct pd *pd = pd_lock(ud);
    va_list ap;
    va_start(ap, request);
    int *out = va_arg(ap, int *);
    va_end(ap);
    int s = pd_sock_of(pd, fd), r;
    struct synack_conn_info ci;
    if (synack_poll_events(pd->stack, s) < 0) {
        r = -EBADF;
    } else if (request != FIONREAD && request != TIOCOUTQ) {
        r = -ENOTTY;
    } else if (!out) {
        r = -EFAULT;
    } else {
        r = synack_get_info(pd->stack, s, &ci);
        int v = r == 0 ? (int)(request == FIONREAD ? ci.recv_queued : ci.send_queued) : 0;
        r = r == -EBADF ? r : 0;
        if (r == 0)
            *out = v;
    }
    return pd_unlock_ret(pd, r);
}

static short revents_of(int ev, short events)
{
    short r = 0;
    if (ev & SYNACK_POLLIN)
        r |= POLLIN | POLLRDNORM;
    if (ev & SYNACK_POLLOUT)
        r |= POLLOUT | POLLWRNORM;
    r &= events;
    if (ev & SYNACK_POLLERR)
        r |= POLLERR;
    if (ev & SYNACK_POLLHUP)
        r |= POLLHUP;
    return r;
}

static int pd_poll(void *ud, struct pollfd *fds, nfds_t nfds, int timeout)
{
    struct pd *pd = pd_lock(ud);
    synack_time_t until = timeout < 0 ? SYNACK_TIME_NEVER : pd->now + SYNACK_MS(timeout);
    int ready;
    for (;;) {
        ready = 0;
        for (nfds_t i = 0; i < nfds; i++) {
            int ev = synack_poll_events(pd->stack, pd_sock_of(pd, fds[i].fd));
            fds[i].revents = ev < 0 ? POLLNVAL : revents_of(ev, fds[i].events);
            if (fds[i].revents)
                ready++;
        }
        if (ready > 0 || pd->now >= until)
            break;
        pd_wait(pd);
    }
    return pd_unlock_ret(pd, ready);
}

static int unsupported(void *ud)
{
    (void)ud;
    errno = ENOSYS;
    return -1;
}

static int pd_pipe(void *ud, int pipefd[2])
{
    (void)pipefd;
    return unsupported(ud);
}

static int pd_splice(void *ud, int fd_in, loff_t *off_in, int fd_out, loff_t *off_out,
                     size_t len, unsigned int flags)
{
    (void)fd_in, (void)off_in, (void)fd_out, (void)off_out, (void)len, (void)flags;
    return unsupported(ud);
}

void pd_fill_options(struct packetdrill_interface *ifc)
{
    ifc->getsockopt = pd_getsockopt;
    ifc->setsockopt = pd_setsockopt;
    ifc->fcntl = pd_fcntl;
    ifc->ioctl = pd_ioctl;
    ifc->poll = pd_poll;
    ifc->pipe = pd_pipe;
    ifc->splice = pd_splice;
}
