/* SPDX-License-Identifier: MIT */
/* TUN devices on Linux. */
#include "synack/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int tun_open(const char *name, short flags)
{
    if (!name || !*name || strlen(name) >= IFNAMSIZ) return -EINVAL;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = flags;
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

int synack_tun_open(const char *name)
{
    return tun_open(name, IFF_TUN | IFF_NO_PI); /* raw IP, no packet-information header */
}

/* IFF_VNET_HDR with its header size, and the offloads asked for (*offload in and out). */
static int open_vnet(const char *name, short extra, bool *offload)
{
    int fd = tun_open(name, (short)(IFF_TUN | IFF_NO_PI | IFF_VNET_HDR | extra));
    if (fd < 0) {
        *offload = false;
        return fd;
    }
    int hdr = SYNACK_TUN_VNET_HDR_LEN; /* the kernel's default; said once to be sure */
    if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    unsigned long want = *offload ? TUN_F_CSUM | TUN_F_TSO4 : 0;
    if (ioctl(fd, TUNSETOFFLOAD, want) < 0) *offload = false;
    return fd;
}

int synack_tun_open_vnet(const char *name, bool *offload)
{
    return open_vnet(name, 0, offload);
}

int synack_tun_open_queue(const char *name, bool *offload)
{
    return open_vnet(name, IFF_MULTI_QUEUE, offload);
}

/* Is addr already configured on some interface other than `name`? */
static bool address_taken(const char *name, uint32_t addr)
{
    struct ifaddrs *list, *i;
    if (getifaddrs(&list) != 0) return false;
    bool taken = false;
    for (i = list; i && !taken; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !strcmp(i->ifa_name, name))
            continue;
        const struct sockaddr_in *in = (const struct sockaddr_in *)i->ifa_addr;
        taken = ntohl(in->sin_addr.s_addr) == addr;
    }
    freeifaddrs(list);
    return taken;
}

static int set_addr(int sock, const char *name, unsigned long req, uint32_t addr)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, name, strlen(name));
    struct sockaddr_in in;
    memset(&in, 0, sizeof in);
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(addr);
    memcpy(&ifr.ifr_addr, &in, sizeof in);
    return ioctl(sock, req, &ifr) < 0 ? -errno : 0;
}

int synack_tun_configure(const char *name, uint32_t addr, unsigned prefix)
{
    if (!name || strlen(name) >= IFNAMSIZ || prefix == 0 || prefix > 32) return -EINVAL;
    if (address_taken(name, addr)) return -EADDRINUSE;
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) return -errno;
    uint32_t mask = prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
    int err = set_addr(sock, name, SIOCSIFADDR, addr);
    if (!err) err = set_addr(sock, name, SIOCSIFNETMASK, mask);
    if (!err) {
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        memcpy(ifr.ifr_name, name, strlen(name));
        if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) {
            err = -errno;
        } else {
            ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
            if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) err = -errno;
        }
    }
    close(sock);
    return err;
}

const char *synack_tun_strerror(int err)
{
    switch (err) {
    case -EPERM:
    case -EACCES:
        return "permission denied: TUN devices need root (CAP_NET_ADMIN); run as root or inside "
               "`unshare -rn`";
    case -ENOENT:
    case -ENODEV:
        return "/dev/net/tun is missing: load the tun module (modprobe tun)";
    case -EBUSY:
        return "the TUN device is in use by another process; pick another with --tun";
    case -EADDRINUSE:
        return "the kernel-side address is already on another interface; pick another with "
               "--kernel-addr, or leave the device alone with --no-configure";
    case -EINVAL:
        return "invalid device name or address";
    default:
        return strerror(-err);
    }
}
