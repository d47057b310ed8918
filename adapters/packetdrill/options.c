/* SPDX-License-Identifier: MIT */
/* packetdrill adapter: socket options, fcntl, ioctl, poll, and the calls synack does not
 * support (they fail with ENOSYS, never a NULL member). */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include "instance.h"

#define PD_SO_MEMINFO 55 /* asm-generic/socket.h */
#ifndef POLLRDHUP
#define POLLRDHUP 0x2000 /* asm-generic/poll.h (glibc declares it under _GNU_SOURCE) */
#endif
#define PD_TCP_FASTOPEN_NO_COOKIE 34 /* linux/tcp.h, not in every libc's netinet/tcp.h */

/* Linux's numbering of TCP states (include/net/tcp_states.h), for TCP_INFO. */
static uint8_t linux_state(enum synack_tcp_state s)
{
    static const uint8_t map[] = {
        [SYNACK_CLOSED] = 7,       [SYNACK_LISTEN] = 10,     [SYNACK_SYN_SENT] = 2,
        [SYNACK_SYN_RECEIVED] = 3, [SYNACK_ESTABLISHED] = 1, [SYNACK_FIN_WAIT_1] = 4,
        [SYNACK_FIN_WAIT_2] = 5,   [SYNACK_CLOSE_WAIT] = 8,  [SYNACK_CLOSING] = 11,
        [SYNACK_LAST_ACK] = 9,     [SYNACK_TIME_WAIT] = 6,
    };
    return (unsigned)s < sizeof map ? map[s] : 7;
}

static int put_int(void *val, socklen_t *len, int v)
{
    if (!val || !len || *len < (socklen_t)sizeof(int)) return -EINVAL;
    memcpy(val, &v, sizeof v);
    *len = sizeof v;
    return 0;
}

/* The options that are one int both in Linux and in synack, passed through as they are:
 * which way (set, get or both) the adapter maps each, and whether setting takes a single
 * byte as well (Linux ip_setsockopt's byte-sized options). */
#define PD_SET 1
#define PD_GET 2
#define PD_BYTE 4
static const struct {
    int level, name;
    enum synack_sockopt opt;
    int how;
} plain_opts[] = {
    {SOL_SOCKET, SO_REUSEADDR, SYNACK_SO_REUSEADDR, PD_SET | PD_GET},
    {SOL_SOCKET, SO_KEEPALIVE, SYNACK_SO_KEEPALIVE, PD_SET},
    {IPPROTO_TCP, TCP_KEEPIDLE, SYNACK_TCP_KEEPIDLE, PD_SET},
    {IPPROTO_TCP, TCP_KEEPINTVL, SYNACK_TCP_KEEPINTVL, PD_SET},
    {IPPROTO_TCP, TCP_KEEPCNT, SYNACK_TCP_KEEPCNT, PD_SET},
    {IPPROTO_TCP, TCP_NODELAY, SYNACK_TCP_NODELAY, PD_SET | PD_GET},
    {IPPROTO_TCP, TCP_MAXSEG, SYNACK_TCP_MAXSEG, PD_SET | PD_GET},
    {IPPROTO_TCP, TCP_FASTOPEN_CONNECT, SYNACK_TCP_FASTOPEN_CONNECT, PD_SET},
    {IPPROTO_TCP, TCP_FASTOPEN, SYNACK_TCP_FASTOPEN, PD_SET | PD_GET}, /* get: the qlen */
    {IPPROTO_TCP, TCP_CORK, SYNACK_TCP_CORK, PD_SET | PD_GET},
    {IPPROTO_TCP, TCP_NOTSENT_LOWAT, SYNACK_TCP_NOTSENT_LOWAT, PD_SET | PD_GET},
    {IPPROTO_TCP, TCP_INQ, SYNACK_TCP_INQ, PD_SET | PD_GET},
    {IPPROTO_TCP, TCP_SYNCNT, SYNACK_TCP_SYNCNT, PD_SET | PD_GET},
    {IPPROTO_TCP, PD_TCP_FASTOPEN_NO_COOKIE, SYNACK_TCP_FASTOPEN_NO_COOKIE, PD_SET | PD_GET},
    {IPPROTO_TCP, TCP_USER_TIMEOUT, SYNACK_TCP_USER_TIMEOUT, PD_SET | PD_GET},
    {IPPROTO_IP, IP_TOS, SYNACK_IP_TOS, PD_SET | PD_GET | PD_BYTE},
    {IPPROTO_IP, IP_MTU_DISCOVER, SYNACK_IP_MTU_DISCOVER, PD_SET | PD_GET | PD_BYTE},
};

/* The plain option (level, name) mapped the way `how` asks; -1 if none. */
static int plain_opt(int level, int name, int how)
{
    for (size_t i = 0; i < sizeof plain_opts / sizeof plain_opts[0]; i++)
        if (plain_opts[i].level == level && plain_opts[i].name == name && (plain_opts[i].how & how))
            return (int)i;
    return -1;
}

/* Linux's struct tcp_info (include/uapi/linux/tcp.h) as far as tcpi_snd_wnd: glibc's copy
 * stops at tcpi_total_retrans, and packetdrill's Python blocks read the fields after it. */
struct linux_tcp_info {
    uint8_t tcpi_state, tcpi_ca_state, tcpi_retransmits, tcpi_probes, tcpi_backoff, tcpi_options;
    uint8_t tcpi_snd_wscale : 4, tcpi_rcv_wscale : 4;
    uint8_t tcpi_delivery_rate_app_limited : 1, tcpi_fastopen_client_fail : 2;
    uint32_t tcpi_rto, tcpi_ato, tcpi_snd_mss, tcpi_rcv_mss;
    uint32_t tcpi_unacked, tcpi_sacked, tcpi_lost, tcpi_retrans, tcpi_fackets;
    uint32_t tcpi_last_data_sent, tcpi_last_ack_sent, tcpi_last_data_recv, tcpi_last_ack_recv;
    uint32_t tcpi_pmtu, tcpi_rcv_ssthresh, tcpi_rtt, tcpi_rttvar, tcpi_snd_ssthresh;
    uint32_t tcpi_snd_cwnd, tcpi_advmss, tcpi_reordering, tcpi_rcv_rtt, tcpi_rcv_space;
    uint32_t tcpi_total_retrans;
    uint64_t tcpi_pacing_rate, tcpi_max_pacing_rate, tcpi_bytes_acked, tcpi_bytes_received;
    uint32_t tcpi_segs_out, tcpi_segs_in, tcpi_notsent_bytes, tcpi_min_rtt;
    uint32_t tcpi_data_segs_in, tcpi_data_segs_out;
    uint64_t tcpi_delivery_rate, tcpi_busy_time, tcpi_rwnd_limited, tcpi_sndbuf_limited;
    uint32_t tcpi_delivered, tcpi_delivered_ce;
    uint64_t tcpi_bytes_sent, tcpi_bytes_retrans;
    uint32_t tcpi_dsack_dups, tcpi_reord_seen, tcpi_rcv_ooopack, tcpi_snd_wnd;
};

static uint32_t ms_since(synack_time_t now, synack_time_t then)
{
    return then == SYNACK_TIME_NEVER || then > now ? 0 : (uint32_t)((now - then) / 1000000u);
}

static int tcp_info(struct pd *pd, int s, void *val, socklen_t *len)
{
    if (!val || !len) return -EFAULT;
    struct synack_conn_info ci;
    int r = synack_get_info(pd->stack, s, &ci);
    if (r == -EBADF) return r;
    struct linux_tcp_info ti;
    memset(&ti, 0, sizeof ti);
    ti.tcpi_state = linux_state(r == 0 ? ci.state : SYNACK_CLOSED);
    if (r == 0) {
        uint32_t mss = ci.snd_mss ? ci.snd_mss : 1;
        ti.tcpi_rto = (uint32_t)(ci.rto / 1000);
        ti.tcpi_rtt = (uint32_t)(ci.srtt / 1000);
        ti.tcpi_rttvar = (uint32_t)(ci.rttvar / 1000);
        ti.tcpi_snd_mss = ci.snd_mss;
        ti.tcpi_snd_cwnd = ci.cwnd / mss;
        /* Linux reports an unset ssthresh as TCP_INFINITE_SSTHRESH (0x7fffffff). */
        ti.tcpi_snd_ssthresh = ci.ssthresh >= 0x3fffffffu ? 0x7fffffffu : ci.ssthresh / mss;
        ti.tcpi_reordering = ci.reordering;
        ti.tcpi_total_retrans = (uint32_t)ci.retransmissions;
        ti.tcpi_bytes_acked = ci.bytes_acked;
        ti.tcpi_bytes_received = ci.bytes_received;
        ti.tcpi_bytes_sent = ci.bytes_sent;
        ti.tcpi_segs_out = (uint32_t)ci.segments_out;
        ti.tcpi_segs_in = (uint32_t)ci.segments_in;
        ti.tcpi_snd_wnd = ci.snd_wnd;
        ti.tcpi_ca_state = ci.ca_state;
        ti.tcpi_unacked = ci.unacked;
        ti.tcpi_sacked = ci.sacked;
        ti.tcpi_lost = ci.lost;
        ti.tcpi_retrans = ci.retrans;
        ti.tcpi_backoff = (uint8_t)(ci.backoff < 255 ? ci.backoff : 255);
        ti.tcpi_retransmits = ti.tcpi_backoff;
        ti.tcpi_probes = (uint8_t)(ci.probes < 255 ? ci.probes : 255);
        ti.tcpi_advmss = ci.advmss;
        ti.tcpi_rcv_mss = ci.rcv_mss;
        ti.tcpi_min_rtt = (uint32_t)(ci.min_rtt / 1000);
        if (ci.syn_data_acked) ti.tcpi_options |= 32; /* TCPI_OPT_SYN_DATA */
        ti.tcpi_delivered = ci.delivered;
        ti.tcpi_busy_time = ci.busy_time;
        ti.tcpi_rwnd_limited = ci.rwnd_limited;
        ti.tcpi_sndbuf_limited = ci.sndbuf_limited;
        /* Milliseconds since (Linux tcp_get_info: jiffies now less lrcvtime etc.). */
        ti.tcpi_last_data_recv = ms_since(pd->now, ci.last_data_recv);
        ti.tcpi_last_data_sent = ms_since(pd->now, ci.last_data_sent);
        ti.tcpi_last_ack_recv = ms_since(pd->now, ci.last_ack_recv);
    }
    /* Newer kernels' struct is longer: what lies past ours reads as zero (packetdrill asks
     * for its own, longer, copy and checks it got all of it). */
    socklen_t n = *len < (socklen_t)sizeof ti ? *len : (socklen_t)sizeof ti;
    memcpy(val, &ti, n);
    socklen_t want = *len < 512 ? *len : 512;
    if (want > n) memset((char *)val + n, 0, want - n);
    *len = want > n ? want : n;
    return 0;
}

/* SO_MEMINFO (Linux sk_get_meminfo): rmem_alloc, rcvbuf, wmem_alloc, sndbuf, fwd_alloc,
 * wmem_queued, optmem, backlog, drops, from what synack holds. */
static int so_meminfo(struct pd *pd, int s, void *val, socklen_t *len)
{
    if (!val || !len) return -EFAULT;
    uint32_t m[9] = {0};
    struct synack_conn_info ci;
    int rcvbuf = 0, sndbuf = 0, r = synack_get_info(pd->stack, s, &ci);
    if (r == -EBADF) return r;
    synack_getsockopt(pd->stack, s, SYNACK_SO_RCVBUF, &rcvbuf);
    synack_getsockopt(pd->stack, s, SYNACK_SO_SNDBUF, &sndbuf);
    m[0] = r == 0 ? ci.recv_queued : 0;
    m[1] = 2u * (uint32_t)rcvbuf; /* as Linux reports buffer sizes, doubled */
    m[3] = 2u * (uint32_t)sndbuf;
    m[5] = r == 0 ? ci.send_queued : 0;
    socklen_t n = *len < (socklen_t)sizeof m ? *len : (socklen_t)sizeof m;
    memcpy(val, m, n);
    *len = n;
    return 0;
}

int pd_getsockopt(void *ud, int fd, int level, int name, void *val, socklen_t *len)
{
    struct pd *pd = pd_lock(ud);
    int s = pd_sock_of(pd, fd), v = 0, r = -ENOPROTOOPT, k;
    if (level == SOL_SOCKET && name == SO_ERROR) {
        r = synack_get_error(pd->stack, s);
        if (r <= 0 && r != -EBADF) r = put_int(val, len, -r);
    } else if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF)) {
        r = synack_getsockopt(pd->stack, s, name == SO_RCVBUF ? SYNACK_SO_RCVBUF : SYNACK_SO_SNDBUF,
                              &v);
        /* Linux reports twice the value set (room for its bookkeeping); scripts expect it. */
        if (r == 0) r = put_int(val, len, 2 * v);
    } else if ((k = plain_opt(level, name, PD_GET)) >= 0) {
        r = synack_getsockopt(pd->stack, s, plain_opts[k].opt, &v);
        if (r == 0) r = put_int(val, len, v);
    } else if (level == SOL_SOCKET && name == SO_ZEROCOPY) {
        r = synack_poll_events(pd->stack, s) < 0 ? -EBADF : put_int(val, len, pd->fds[s].zerocopy);
    } else if (level == SOL_SOCKET && name == SO_TYPE) {
        r = s >= 0 && synack_poll_events(pd->stack, s) >= 0 ? put_int(val, len, SOCK_STREAM)
                                                            : -EBADF;
    } else if (level == IPPROTO_TCP && name == TCP_CONGESTION) {
        r = synack_getsockopt(pd->stack, s, SYNACK_TCP_CONGESTION, &v);
        const char *algo = r == 0 ? synack_congestion_name(v) : NULL;
        if (algo && val && len) {
            /* Linux copies min(len, TCP_CA_NAME_MAX) bytes of the NUL-padded name. */
            char name16[16] = {0};
            memcpy(name16, algo, strlen(algo));
            *len = *len < 16 ? *len : 16;
            memcpy(val, name16, *len);
        }
    } else if (level == IPPROTO_TCP && name == TCP_INFO) {
        r = tcp_info(pd, s, val, len);
    } else if (level == IPPROTO_TCP && name == TCP_CC_INFO) {
        /* CUBIC and Reno have no get_info in Linux: success with nothing written. */
        r = synack_poll_events(pd->stack, s) < 0 ? -EBADF : 0;
        if (r == 0 && len) *len = 0;
    } else if (level == SOL_SOCKET && name == PD_SO_MEMINFO) {
        r = so_meminfo(pd, s, val, len);
    } else if (synack_poll_events(pd->stack, s) < 0) {
        r = -EBADF;
    }
    return pd_unlock_ret(pd, r);
}

static int get_int(const void *val, socklen_t len, int *out)
{
    if (!val || len < (socklen_t)sizeof(int)) return -EINVAL;
    memcpy(out, val, sizeof *out);
    return 0;
}

/* Linux ip_setsockopt: an int, or for the byte-sized options (IP_TOS, IP_MTU_DISCOVER...) a
 * single byte. */
static int get_int_or_byte(const void *val, socklen_t len, int *out)
{
    if (val && len >= 1 && len < (socklen_t)sizeof(int)) {
        *out = *(const unsigned char *)val;
        return 0;
    }
    return get_int(val, len, out);
}

static int pd_setsockopt(void *ud, int fd, int level, int name, const void *val, socklen_t len)
{
    struct pd *pd = pd_lock(ud);
    int s = pd_sock_of(pd, fd), v = 0, r = -ENOPROTOOPT, k;
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
    } else if (level == SOL_SOCKET && name == SO_ZEROCOPY) {
        /* MSG_ZEROCOPY sends are then notified on the error queue (zerocopy.c). */
        r = get_int(val, len, &v);
        if (r == 0) pd->fds[s].zerocopy = v != 0;
    } else if (level == SOL_SOCKET && name == SO_MARK) {
        /* The packets' firewall mark: it selects routes and filters on the host, nothing
         * TCP puts on the wire; taken (the script runs as root, as Linux requires). */
        r = get_int(val, len, &v);
    } else if ((k = plain_opt(level, name, PD_SET)) >= 0) {
        r = plain_opts[k].how & PD_BYTE ? get_int_or_byte(val, len, &v) : get_int(val, len, &v);
        if (r == 0) r = synack_setsockopt(pd->stack, s, plain_opts[k].opt, v);
    } else if (level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_SNDBUF)) {
        r = get_int(val, len, &v);
        if (r == 0)
            r = synack_setsockopt(pd->stack, s,
                                  name == SO_RCVBUF ? SYNACK_SO_RCVBUF : SYNACK_SO_SNDBUF, v);
    } else if (level == IPPROTO_TCP && name == TCP_FASTOPEN_KEY) {
        /* Linux: the primary key (16 bytes), optionally followed by a backup key; any other
         * length is -EINVAL. */
        if (len != 16 && len != 32)
            r = -EINVAL;
        else
            r = val ? synack_set_fastopen_keys(pd->stack, s, val,
                                               len == 32 ? (const uint8_t *)val + 16 : NULL)
                    : -EFAULT;
    } else if (level == IPPROTO_TCP && name == TCP_CONGESTION) {
        /* Linux takes the algorithm's name (TCP_CA_NAME_MAX 16), not always terminated;
         * an unknown one is -ENOENT. */
        char algo[17] = {0};
        if (!val) {
            r = -EFAULT;
        } else {
            memcpy(algo, val, len < 16 ? (size_t)len : 16);
            v = synack_congestion_by_name(algo);
            r = v < 0 ? -ENOENT : synack_setsockopt(pd->stack, s, SYNACK_TCP_CONGESTION, v);
        }
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
    } else if (request != FIONREAD && request != TIOCOUTQ && request != SIOCOUTQNSD) {
        r = -ENOTTY;
    } else if (!out) {
        r = -EFAULT;
    } else {
        r = synack_get_info(pd->stack, s, &ci);
        int v = r == 0 ? (int)(request == FIONREAD   ? ci.recv_queued
                               : request == TIOCOUTQ ? ci.send_queued
                                                     : ci.send_unsent)
                       : 0;
        r = r == -EBADF ? r : 0;
        if (r == 0 && ci.state == SYNACK_LISTEN) r = -EINVAL; /* Linux tcp_ioctl */
        if (r == 0) *out = v;
    }
    return pd_unlock_ret(pd, r);
}

static short revents_of(int ev, short events)
{
    short r = 0;
    if (ev & SYNACK_POLLIN) r |= POLLIN | POLLRDNORM;
    if (ev & SYNACK_POLLOUT) r |= POLLOUT | POLLWRNORM;
    if (ev & SYNACK_POLLRDHUP) r |= POLLRDHUP;
    r &= events;
    if (ev & (SYNACK_POLLERR | SYNACK_POLLZEROCOPY)) r |= POLLERR; /* the error queue */
    if (ev & SYNACK_POLLHUP) r |= POLLHUP;
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
            if (fds[i].revents) ready++;
        }
        if (ready > 0 || pd->now >= until) break;
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

static int pd_splice(void *ud, int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
                     unsigned int flags)
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
