/* SPDX-License-Identifier: MIT */
/* packetdrill adapter: socket system calls mapped onto the synack socket API. A call on a
 * blocking descriptor that would return EAGAIN sleeps until the stack changes (packets in,
 * time moved by packetdrill's usleep/gettimeofday/netdev_receive) and tries again. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include "instance.h"

static ssize_t unlock_ret_size(struct pd *pd, ssize_t r)
{
    pd_kick(pd);
    pthread_mutex_unlock(&pd->mu);
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

int pd_fd_open(struct pd *pd, int s)
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0 || fd >= PD_MAX_OSFD) {
        if (fd >= 0) close(fd);
        return -EMFILE;
    }
    pd->osfd_sock[fd] = s + 1;
    pd->fds[s].nonblock = false;
    pd->fds[s].linger_abort = false;
    pd->fds[s].zerocopy = false;
    pd_zc_release(pd, s); /* a socket number used before */
    return fd;
}

void pd_fd_close(struct pd *pd, int fd)
{
    if (pd_sock_of(pd, fd) < 0) return;
    pd->osfd_sock[fd] = 0;
    close(fd);
}

static bool blocking(struct pd *pd, int fd)
{
    int s = pd_sock_of(pd, fd);
    return s >= 0 && !pd->fds[s].nonblock;
}

static int to_endpoint(const struct sockaddr *addr, socklen_t len, struct synack_endpoint *ep)
{
    if (!addr || len < (socklen_t)sizeof(struct sockaddr_in)) return -EINVAL;
    if (addr->sa_family != AF_INET) return -EAFNOSUPPORT;
    const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
    ep->addr = ntohl(in->sin_addr.s_addr);
    ep->port = ntohs(in->sin_port);
    return 0;
}

static void from_endpoint(const struct synack_endpoint *ep, struct sockaddr *addr, socklen_t *len)
{
    if (!addr || !len) return;
    struct sockaddr_in in;
    memset(&in, 0, sizeof in);
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(ep->addr);
    in.sin_port = htons(ep->port);
    socklen_t n = *len < (socklen_t)sizeof in ? *len : (socklen_t)sizeof in;
    memcpy(addr, &in, n);
    *len = sizeof in;
}

static int pd_socket(void *ud, int domain, int type, int protocol)
{
    struct pd *pd = pd_lock(ud);
    int r;
    if (domain != AF_INET)
        r = -EAFNOSUPPORT;
    else if ((type & 0xf) != SOCK_STREAM || (protocol != 0 && protocol != IPPROTO_TCP))
        r = -EPROTONOSUPPORT;
    else
        r = synack_socket(pd->stack);
    if (r >= 0) {
        int s = r;
        r = pd_fd_open(pd, s);
        if (r < 0)
            synack_close(pd->stack, s);
        else
            pd->fds[s].nonblock = (type & SOCK_NONBLOCK) != 0;
    }
    return pd_unlock_ret(pd, r);
}

static int pd_bind(void *ud, int fd, const struct sockaddr *addr, socklen_t len)
{
    struct pd *pd = pd_lock(ud);
    struct synack_endpoint ep;
    int r = to_endpoint(addr, len, &ep);
    if (r == 0) r = synack_bind(pd->stack, pd_sock_of(pd, fd), &ep);
    return pd_unlock_ret(pd, r);
}

static int pd_listen(void *ud, int fd, int backlog)
{
    struct pd *pd = pd_lock(ud);
    return pd_unlock_ret(pd, synack_listen(pd->stack, pd_sock_of(pd, fd), backlog));
}

static int pd_accept(void *ud, int fd, struct sockaddr *addr, socklen_t *len)
{
    struct pd *pd = pd_lock(ud);
    struct synack_endpoint peer;
    int r;
    while ((r = synack_accept(pd->stack, pd_sock_of(pd, fd), &peer)) == -EAGAIN && blocking(pd, fd))
        pd_wait(pd);
    if (r >= 0) {
        int s = r;
        r = pd_fd_open(pd, s);
        if (r < 0) {
            synack_abort(pd->stack, s);
        } else {
            from_endpoint(&peer, addr, len);
            /* Linux: the child inherits SOCK_ZEROCOPY (sock_copy). */
            pd->fds[s].zerocopy = pd->fds[pd_sock_of(pd, fd)].zerocopy;
        }
    }
    return pd_unlock_ret(pd, r);
}

static int pd_connect(void *ud, int fd, const struct sockaddr *addr, socklen_t len)
{
    struct pd *pd = pd_lock(ud);
    struct synack_endpoint ep;
    int s = pd_sock_of(pd, fd);
    int r = to_endpoint(addr, len, &ep);
    if (r == 0) r = synack_connect(pd->stack, s, &ep);
    if (r == -EINPROGRESS && blocking(pd, fd)) {
        pd_kick(pd); /* the SYN leaves now */
        for (;;) {
            int ev = synack_poll_events(pd->stack, s);
            if (ev < 0 || (ev & (SYNACK_POLLOUT | SYNACK_POLLERR | SYNACK_POLLHUP))) break;
            pd_wait(pd);
        }
        r = synack_get_error(pd->stack, s);
    }
    return pd_unlock_ret(pd, r);
}

/* Linux states in which more data may still arrive (no FIN from the peer yet). */
static bool may_receive_more(enum synack_tcp_state st)
{
    return st == SYNACK_SYN_SENT || st == SYNACK_SYN_RECEIVED || st == SYNACK_ESTABLISHED ||
           st == SYNACK_FIN_WAIT_1 || st == SYNACK_FIN_WAIT_2;
}

/* recv with blocking. MSG_PEEK and MSG_TRUNC go to synack_recv_flags; MSG_DONTWAIT makes a
 * blocking socket's call return EAGAIN; MSG_WAITALL on a blocking call waits until len bytes
 * are readable, or no more can come (FIN, error), as Linux's tcp_recvmsg target. */
static ssize_t do_recv(struct pd *pd, int fd, void *buf, size_t len, int flags)
{
    int s = pd_sock_of(pd, fd);
    int sf =
        ((flags & MSG_PEEK) ? SYNACK_MSG_PEEK : 0) | ((flags & MSG_TRUNC) ? SYNACK_MSG_TRUNC : 0);
    bool block = blocking(pd, fd) && !(flags & MSG_DONTWAIT);
    struct synack_conn_info ci;
    while (block && (flags & MSG_WAITALL) && synack_get_info(pd->stack, s, &ci) == 0 &&
           ci.recv_queued < len && may_receive_more(ci.state)) {
        int ev = synack_poll_events(pd->stack, s);
        if (ev < 0 || (ev & (SYNACK_POLLERR | SYNACK_POLLHUP))) break;
        pd_wait(pd);
    }
    ssize_t r;
    while ((r = synack_recv_flags(pd->stack, s, buf, len, sf)) == -EAGAIN && block)
        pd_wait(pd);
    return r;
}

/* A blocking call on a socket still connecting (a Fast Open SYN carrying data) returns once
 * the handshake is over, as Linux does: 0, or the error that ended it. */
static int wait_connected(struct pd *pd, int fd)
{
    int s = pd_sock_of(pd, fd);
    struct synack_conn_info ci;
    while (synack_get_info(pd->stack, s, &ci) == 0 && ci.state == SYNACK_SYN_SENT) {
        pd_kick(pd);
        pd_wait(pd);
    }
    return synack_get_error(pd->stack, s);
}

static bool connecting(struct pd *pd, int fd)
{
    struct synack_conn_info ci;
    return synack_get_info(pd->stack, pd_sock_of(pd, fd), &ci) == 0 && ci.state == SYNACK_SYN_SENT;
}

static ssize_t do_send(struct pd *pd, int fd, const void *buf, size_t len, int flags);

static int poll_mask(struct pd *pd, int fd)
{
    return synack_poll_events(pd->stack, pd_sock_of(pd, fd));
}

/* A send that opens a Fast Open connection (sendto with MSG_FASTOPEN, or the first send
 * after connect with TCP_FASTOPEN_CONNECT): non-blocking, it returns what the SYN carries (or
 * EINPROGRESS); blocking, the rest is queued behind the SYN at once (a Linux writer waiting
 * in inet_wait_for_connect), then the call waits for the handshake and fails with its error
 * or finishes the write. */
static ssize_t fastopen_send(struct pd *pd, int fd, const struct synack_endpoint *to,
                             const void *buf, size_t len, int flags)
{
    bool block = blocking(pd, fd) && !(flags & MSG_DONTWAIT);
    ssize_t r = synack_sendto_fastopen_flags(pd->stack, pd_sock_of(pd, fd), to, buf, len,
                                             block ? SYNACK_FASTOPEN_QUEUE_ALL : 0);
    if (!block || !(r == -EINPROGRESS || r >= 0) || !connecting(pd, fd)) {
        if (r > 0) pd_zc_note(pd, fd, flags); /* MSG_ZEROCOPY: one notification */
        return r;
    }
    int err = wait_connected(pd, fd);
    if (err) return err;
    size_t done = r > 0 ? (size_t)r : 0;
    if (done < len) {
        ssize_t more =
            do_send(pd, fd, (const uint8_t *)buf + done, len - done, flags & ~MSG_ZEROCOPY);
        if (more < 0 && done == 0) return more;
        if (more > 0) done += (size_t)more;
    }
    if (done > 0) pd_zc_note(pd, fd, flags);
    return (ssize_t)done;
}

/* A blocking send queues everything before returning (or fails after a partial write). */
static ssize_t do_send(struct pd *pd, int fd, const void *buf, size_t len, int flags)
{
    /* Connecting and writable: a TCP_FASTOPEN_CONNECT socket whose SYN waits for data. */
    if (connecting(pd, fd) && (poll_mask(pd, fd) & SYNACK_POLLOUT))
        return fastopen_send(pd, fd, NULL, buf, len, flags);
    ssize_t r = pd_zc_wanted(pd, fd, flags)
                    ? pd_zc_send(pd, fd, &(struct iovec){(void *)(uintptr_t)buf, len}, 1, flags)
                    : pd_send_loop(pd, fd, buf, len, flags, false);
    /* Linux sk_stream_wait_connect: a send on a socket that is not connected (nor
     * connecting) fails with EPIPE; synack says ENOTCONN, as POSIX. */
    return r == -ENOTCONN ? -EPIPE : r;
}

ssize_t pd_send_loop(struct pd *pd, int fd, const void *buf, size_t len, int flags, bool zc)
{
    bool block = blocking(pd, fd) && !(flags & MSG_DONTWAIT);
    size_t done = 0;
    int sflags = (flags & MSG_MORE ? SYNACK_MSG_MORE : 0) | (flags & MSG_EOR ? SYNACK_MSG_EOR : 0) |
                 (zc ? SYNACK_MSG_ZEROCOPY : 0);
    for (;;) {
        ssize_t r = synack_send_flags(pd->stack, pd_sock_of(pd, fd), (const uint8_t *)buf + done,
                                      len - done, sflags);
        if (r > 0) done += (size_t)r;
        if (r == 0 || done == len) break;
        if (r < 0 && (r != -EAGAIN || !block)) return done > 0 ? (ssize_t)done : r;
        pd_kick(pd);
        if (r == -EAGAIN) pd_wait(pd);
    }
    return (ssize_t)done;
}

static ssize_t pd_read(void *ud, int fd, void *buf, size_t count)
{
    struct pd *pd = pd_lock(ud);
    return unlock_ret_size(pd, do_recv(pd, fd, buf, count, 0));
}

static ssize_t pd_recv(void *ud, int fd, void *buf, size_t len, int flags)
{
    struct pd *pd = pd_lock(ud);
    return unlock_ret_size(pd, do_recv(pd, fd, buf, len, flags));
}

static ssize_t pd_recvfrom(void *ud, int fd, void *buf, size_t len, int flags, struct sockaddr *src,
                           socklen_t *srclen)
{
    struct pd *pd = pd_lock(ud);
    ssize_t r = do_recv(pd, fd, buf, len, flags);
    struct synack_endpoint peer;
    if (r >= 0 && src && synack_getpeername(pd->stack, pd_sock_of(pd, fd), &peer) == 0)
        from_endpoint(&peer, src, srclen);
    return unlock_ret_size(pd, r);
}

/* Reading into a vector: one receive into a bounce buffer, then scattered, so that MSG_PEEK
 * and MSG_WAITALL see the whole request at once. */
static ssize_t vec_in(struct pd *pd, int fd, const struct iovec *iov, int n, int flags)
{
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += iov[i].iov_len;
    if (total == 0) return do_recv(pd, fd, NULL, 0, flags);
    uint8_t *tmp = malloc(total);
    if (!tmp) return -ENOMEM;
    ssize_t r = do_recv(pd, fd, tmp, total, flags);
    size_t off = 0;
    for (int i = 0; i < n && r > 0 && off < (size_t)r; i++) {
        size_t k = iov[i].iov_len < (size_t)r - off ? iov[i].iov_len : (size_t)r - off;
        if (!(flags & MSG_TRUNC)) memcpy(iov[i].iov_base, tmp + off, k);
        off += k;
    }
    free(tmp);
    return r;
}

/* Scatter/gather: one pass over the vector, stopping at the first short transfer. */
static ssize_t vec_io(struct pd *pd, int fd, const struct iovec *iov, int n, int flags, bool in)
{
    if (n < 0 || (n > 0 && !iov)) return -EINVAL;
    if (in) return vec_in(pd, fd, iov, n, flags);
    if (pd_zc_wanted(pd, fd, flags)) return pd_zc_send(pd, fd, iov, n, flags); /* one ID */
    ssize_t total = 0;
    int last = n - 1;
    while (last > 0 && iov[last].iov_len == 0)
        last--;
    for (int i = 0; i < n; i++) {
        if (iov[i].iov_len == 0) continue;
        /* One write: its end alone pushes (and ends a record). */
        int f = i < last ? (flags | MSG_MORE) & ~MSG_EOR : flags;
        ssize_t r = do_send(pd, fd, iov[i].iov_base, iov[i].iov_len, f);
        if (r < 0) return total > 0 ? total : r;
        total += r;
        if ((size_t)r < iov[i].iov_len) break;
    }
    return total;
}

static ssize_t pd_readv(void *ud, int fd, const struct iovec *iov, int iovcnt)
{
    struct pd *pd = pd_lock(ud);
    return unlock_ret_size(pd, vec_io(pd, fd, iov, iovcnt, 0, true));
}

static ssize_t pd_recvmsg(void *ud, int fd, struct msghdr *msg, int flags)
{
    struct pd *pd = pd_lock(ud);
    if (flags & MSG_ERRQUEUE) return unlock_ret_size(pd, pd_zc_errqueue(pd, fd, msg));
    ssize_t r = msg ? vec_io(pd, fd, msg->msg_iov, (int)msg->msg_iovlen, flags, true) : -EFAULT;
    if (r >= 0) {
        msg->msg_flags = 0;
        size_t room = msg->msg_controllen;
        msg->msg_controllen = 0;
        int inq = 0;
        struct synack_conn_info ci;
        if (synack_getsockopt(pd->stack, pd_sock_of(pd, fd), SYNACK_TCP_INQ, &inq) == 0 && inq &&
            synack_get_info(pd->stack, pd_sock_of(pd, fd), &ci) == 0) {
            /* Linux tcp_recvmsg with TCP_INQ: put_cmsg(SOL_TCP, TCP_CM_INQ, tcp_inq_hint),
             * MSG_CTRUNC when it does not fit. */
            if (!msg->msg_control || room < CMSG_SPACE(sizeof(int))) {
                msg->msg_flags |= MSG_CTRUNC;
            } else {
                struct cmsghdr *cm = (struct cmsghdr *)msg->msg_control;
                int hint = (int)ci.recv_hint;
                cm->cmsg_level = SOL_TCP;
                cm->cmsg_type = TCP_CM_INQ;
                cm->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(cm), &hint, sizeof hint);
                msg->msg_controllen = CMSG_SPACE(sizeof(int));
            }
        }
    }
    return unlock_ret_size(pd, r);
}

static ssize_t pd_write(void *ud, int fd, const void *buf, size_t count)
{
    struct pd *pd = pd_lock(ud);
    return unlock_ret_size(pd, do_send(pd, fd, buf, count, 0));
}

static ssize_t pd_writev(void *ud, int fd, const struct iovec *iov, int iovcnt)
{
    struct pd *pd = pd_lock(ud);
    return unlock_ret_size(pd, vec_io(pd, fd, iov, iovcnt, 0, false));
}

static ssize_t pd_send(void *ud, int fd, const void *buf, size_t len, int flags)
{
    struct pd *pd = pd_lock(ud);
    return unlock_ret_size(pd, do_send(pd, fd, buf, len, flags));
}

/* sendto / sendmsg with a destination: on a connected TCP socket it is ignored (Linux);
 * with MSG_FASTOPEN on an unconnected one it opens a Fast Open connection (RFC 7413). */
static ssize_t do_sendto(struct pd *pd, int fd, const void *buf, size_t len, int flags,
                         const struct sockaddr *dst, socklen_t dstlen)
{
    if (!dst || !(flags & MSG_FASTOPEN)) return do_send(pd, fd, buf, len, flags);
    /* Linux tcp_sendmsg_fastopen: AF_UNSPEC is not a Fast Open destination. */
    if (dstlen >= sizeof dst->sa_family && dst->sa_family == AF_UNSPEC) return -EOPNOTSUPP;
    struct synack_endpoint ep;
    int err = to_endpoint(dst, dstlen, &ep);
    if (err) return err;
    struct synack_conn_info ci;
    if (synack_get_info(pd->stack, pd_sock_of(pd, fd), &ci) == 0 && ci.state != SYNACK_CLOSED &&
        ci.state != SYNACK_SYN_SENT)
        return do_send(pd, fd, buf, len, flags); /* connected: an ordinary send */
    return fastopen_send(pd, fd, &ep, buf, len, flags);
}

static ssize_t pd_sendto(void *ud, int fd, const void *buf, size_t len, int flags,
                         const struct sockaddr *dst, socklen_t dstlen)
{
    struct pd *pd = pd_lock(ud);
    return unlock_ret_size(pd, do_sendto(pd, fd, buf, len, flags, dst, dstlen));
}

static ssize_t pd_sendmsg(void *ud, int fd, const struct msghdr *msg, int flags)
{
    struct pd *pd = pd_lock(ud);
    ssize_t r;
    if (msg && msg->msg_name && (flags & MSG_FASTOPEN)) {
        /* One Fast Open write of the gathered vector, as Linux copies it into the SYN. */
        size_t total = 0;
        for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++)
            total += msg->msg_iov[i].iov_len;
        uint8_t *all = malloc(total ? total : 1);
        size_t at = 0;
        for (size_t i = 0; all && i < (size_t)msg->msg_iovlen; i++) {
            memcpy(all + at, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
            at += msg->msg_iov[i].iov_len;
        }
        r = all ? do_sendto(pd, fd, all, total, flags, msg->msg_name, msg->msg_namelen) : -ENOMEM;
        free(all);
    } else {
        r = msg ? vec_io(pd, fd, msg->msg_iov, (int)msg->msg_iovlen, flags, false) : -EFAULT;
    }
    return unlock_ret_size(pd, r);
}

static int pd_close(void *ud, int fd)
{
    struct pd *pd = pd_lock(ud);
    if (pd_epoll_close(pd, fd) == 0) return pd_unlock_ret(pd, 0);
    int s = pd_sock_of(pd, fd);
    int r =
        s >= 0 && pd->fds[s].linger_abort ? synack_abort(pd->stack, s) : synack_close(pd->stack, s);
    if (r == 0) pd_zc_release(pd, s); /* synack copied or dropped what it still referenced */
    if (r == 0) pd_fd_close(pd, fd);
    return pd_unlock_ret(pd, r);
}

static int pd_shutdown(void *ud, int fd, int how)
{
    struct pd *pd = pd_lock(ud);
    return pd_unlock_ret(pd, synack_shutdown(pd->stack, pd_sock_of(pd, fd), how));
}

ssize_t pd_sendfile(void *ud, int out_fd, int in_fd, off_t *offset, size_t count)
{
    /* Linux sendfile(2) to a TCP socket: the file's bytes from *offset (or its position),
     * sent as one write; *offset (or the position) moves by what was sent. */
    uint8_t *buf = malloc(count ? count : 1);
    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    ssize_t got = offset ? pread(in_fd, buf, count, *offset) : read(in_fd, buf, count);
    if (got < 0) {
        free(buf);
        return -1; /* errno from the read */
    }
    struct pd *pd = pd_lock(ud);
    ssize_t r = do_send(pd, out_fd, buf, (size_t)got, 0);
    free(buf);
    if (r > 0 && offset) *offset += r;
    if (r >= 0 && r < got && !offset) lseek(in_fd, (off_t)(r - got), SEEK_CUR);
    return unlock_ret_size(pd, r);
}

void pd_fill_calls(struct packetdrill_interface *ifc)
{
    ifc->socket = pd_socket;
    ifc->bind = pd_bind;
    ifc->listen = pd_listen;
    ifc->accept = pd_accept;
    ifc->connect = pd_connect;
    ifc->read = pd_read;
    ifc->readv = pd_readv;
    ifc->recv = pd_recv;
    ifc->recvfrom = pd_recvfrom;
    ifc->recvmsg = pd_recvmsg;
    ifc->write = pd_write;
    ifc->writev = pd_writev;
    ifc->send = pd_send;
    ifc->sendto = pd_sendto;
    ifc->sendmsg = pd_sendmsg;
    ifc->close = pd_close;
    ifc->shutdown = pd_shutdown;
}
