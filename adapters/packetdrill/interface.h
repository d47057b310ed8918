/* SPDX-License-Identifier: MIT */
/* The packetdrill shared-object interface, as documented by packetdrill: packetdrill
 * dlopen()s the file named by --so_filename, calls packetdrill_interface_init(flags, ifc),
 * and makes every system call of a script through these members, in this order. Each
 * function takes the userdata pointer first; the rest are the POSIX call's arguments and
 * results (-1 with errno on error). Written for synack from that description. */
#ifndef SYNACK_PACKETDRILL_INTERFACE_H
#define SYNACK_PACKETDRILL_INTERFACE_H

#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

struct packetdrill_interface {
    void *userdata;
    void (*free)(void *userdata);
    int (*socket)(void *ud, int domain, int type, int protocol);
    int (*bind)(void *ud, int fd, const struct sockaddr *addr, socklen_t len);
    int (*listen)(void *ud, int fd, int backlog);
    int (*accept)(void *ud, int fd, struct sockaddr *addr, socklen_t *len);
    int (*connect)(void *ud, int fd, const struct sockaddr *addr, socklen_t len);
    ssize_t (*read)(void *ud, int fd, void *buf, size_t count);
    ssize_t (*readv)(void *ud, int fd, const struct iovec *iov, int iovcnt);
    ssize_t (*recv)(void *ud, int fd, void *buf, size_t len, int flags);
    ssize_t (*recvfrom)(void *ud, int fd, void *buf, size_t len, int flags, struct sockaddr *src,
                        socklen_t *srclen);
    ssize_t (*recvmsg)(void *ud, int fd, struct msghdr *msg, int flags);
    ssize_t (*write)(void *ud, int fd, const void *buf, size_t count);
    ssize_t (*writev)(void *ud, int fd, const struct iovec *iov, int iovcnt);
    ssize_t (*send)(void *ud, int fd, const void *buf, size_t len, int flags);
    ssize_t (*sendto)(void *ud, int fd, const void *buf, size_t len, int flags,
                      const struct sockaddr *dst, socklen_t dstlen);
    ssize_t (*sendmsg)(void *ud, int fd, const struct msghdr *msg, int flags);
    int (*fcntl)(void *ud, int fd, int cmd, ...);
    int (*ioctl)(void *ud, int fd, unsigned long request, ...);
    int (*close)(void *ud, int fd);
    int (*shutdown)(void *ud, int fd, int how);
    int (*getsockopt)(void *ud, int fd, int level, int name, void *val, socklen_t *len);
    int (*setsockopt)(void *ud, int fd, int level, int name, const void *val, socklen_t len);
    int (*poll)(void *ud, struct pollfd *fds, nfds_t nfds, int timeout);
    int (*netdev_send)(void *ud, const void *buf, size_t count);
    int (*netdev_receive)(void *ud, void *buf, size_t *count, long long *time_usecs);
    int (*usleep)(void *ud, useconds_t usec);
    int (*gettimeofday)(void *ud, struct timeval *tv, struct timezone *tz);
    int (*epoll_create)(void *ud, int size);
    int (*epoll_ctl)(void *ud, int epfd, int op, int fd, struct epoll_event *event);
    int (*epoll_wait)(void *ud, int epfd, struct epoll_event *events, int maxevents, int timeout);
    int (*pipe)(void *ud, int pipefd[2]);
    int (*splice)(void *ud, int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
                  unsigned int flags);
};

__attribute__((visibility("default"))) void
packetdrill_interface_init(const char *flags, struct packetdrill_interface *ifc);

#endif
