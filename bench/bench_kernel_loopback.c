/* SPDX-License-Identifier: MIT */
/* The reference for bench_transfer: the Linux kernel's TCP moving the same bulk transfer
 * over loopback (127.0.0.1) between two processes. Prints wall-clock throughput and the
 * CPU time both processes used, to compare with synack's engine on one core.
 * Usage: build/bench/bench_kernel_loopback [MiB]   (default 256) */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    unsigned long long mib = argc > 1 ? strtoull(argv[1], NULL, 10) : 256;
    unsigned long long total = mib << 20;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr *)&a, &al) < 0) {
        perror("bench_kernel_loopback");
        return 1;
    }
    static char buf[1 << 16];
    double t0 = now_s(), c0 = cpu_s(RUSAGE_SELF);
    pid_t pid = fork();
    if (pid == 0) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&a, sizeof a) < 0)
            _exit(1);
        for (unsigned long long sent = 0; sent < total;) {
            ssize_t n = write(s, buf, total - sent < sizeof buf ? total - sent : sizeof buf);
            if (n <= 0)
                _exit(1);
            sent += (unsigned long long)n;
        }
        close(s);
        _exit(0);
    }
    int c = accept(l, NULL, NULL);
    unsigned long long got = 0;
    for (ssize_t n; (n = read(c, buf, sizeof buf)) > 0;)
        got += (unsigned long long)n;
    int status;
    waitpid(pid, &status, 0);
    double t = now_s() - t0;
    double cpu = cpu_s(RUSAGE_SELF) - c0 + cpu_s(RUSAGE_CHILDREN);
    printf("bench_kernel_loopback: %llu MiB in %.3f s wall (%.3f s CPU, two processes): "
           "%.2f Gbit/s\n",
           mib, t, cpu, (double)got * 8 / t / 1e9);
    return got == total ? 0 : 1;
}
