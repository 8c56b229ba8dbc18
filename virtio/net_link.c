// SPDX-License-Identifier: MIT
/*
 * The host end of a virtio-net device (net_link.h): passt, started as our
 * child on a socket pair, or a TAP device. passt is used rather than
 * user-mode networking of our own because it already is what QEMU,
 * libvirt and podman use: DHCP, DNS, NDP, TCP, UDP and ICMP to the
 * outside, port forwarding, no privileges, and it isolates itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net_link.h"

#define STREAM_IN_SIZE (4 * (NET_MAX_FRAME + 4))
#define STREAM_BUF (4 << 20) /* socket buffers: passt drops what won't fit */

extern char **environ;

/* passt --fd 3 -f -q, with -t/-u for each forward; the argument strings
 * live in args. */
static void passt_argv(const struct net_options *o, char *argv[],
		       char args[][24])
{
	unsigned i, n = 0;

	argv[n++] = "passt";
	argv[n++] = "--fd";
	argv[n++] = "3";
	argv[n++] = "--foreground";
	argv[n++] = "--quiet";
	for (i = 0; i < o->nr_fwds; i++) {
		argv[n++] = o->fwds[i].udp ? "-u" : "-t";
		snprintf(args[i], sizeof(args[i]), "%u:%u",
			 o->fwds[i].host_port, o->fwds[i].guest_port);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
}

static int open_passt(struct net_link *l, const struct net_options *o,
		      char *err, size_t errlen)
{
	char *argv[8 + 2 * NET_MAX_FWDS], args[NET_MAX_FWDS][24];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int sv[2], child, size = STREAM_BUF, e;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		e = -errno;
		snprintf(err, errlen, "passt: socket pair: %s", strerror(-e));
		return e;
	}
	/* Large buffers, so a burst from either side waits in the socket
	 * rather than being dropped (root may exceed the sysctl limit). */
	for (child = 0; child < 2; child++) {
		if (setsockopt(sv[child], SOL_SOCKET, SO_SNDBUFFORCE, &size,
			       sizeof(size)))
			setsockopt(sv[child], SOL_SOCKET, SO_SNDBUF, &size,
				   sizeof(size));
		if (setsockopt(sv[child], SOL_SOCKET, SO_RCVBUFFORCE, &size,
			       sizeof(size)))
			setsockopt(sv[child], SOL_SOCKET, SO_RCVBUF, &size,
				   sizeof(size));
	}
	/* Above 3, so that the dup2 to 3 makes a copy without CLOEXEC. */
	child = fcntl(sv[1], F_DUPFD_CLOEXEC, 10);
	close(sv[1]);
	if (child < 0) {
		e = -errno;
		close(sv[0]);
		snprintf(err, errlen, "passt: %s", strerror(-e));
		return e;
	}
	passt_argv(o, argv, args);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, child, 3);
	/* passt starts with no signal blocked or ignored (vmm ignores
	 * SIGPIPE, and its threads block what is not theirs). */
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
						POSIX_SPAWN_SETSIGDEF);
	e = -posix_spawnp(&l->passt, "passt", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(child);
	if (e) {
		close(sv[0]);
		l->passt = 0;
		if (e == -ENOENT)
			snprintf(
				err, errlen,
				"--net user needs passt, which is not in PATH (Debian: apt install passt)");
		else
			snprintf(err, errlen, "starting passt: %s",
				 strerror(-e));
		return e;
	}
	l->fds[0] = sv[0];
	l->nr_queues = 1;
	l->stream = 1;
	l->in = malloc(STREAM_IN_SIZE);
	if (!l->in) {
		snprintf(err, errlen, "passt: out of memory");
		return -ENOMEM;
	}
	fcntl(l->fds[0], F_SETFL, O_NONBLOCK);
	return 0;
}

/* Bring a TAP device we made up (ours to use, not yet on any bridge);
 * its MTU, which the guest is offered, or 1500. */
static unsigned tap_setup(const char *ifname, int up)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	unsigned mtu = 1500;

	if (s < 0)
		return mtu;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (up && !ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (!ioctl(s, SIOCGIFMTU, &ifr) && ifr.ifr_mtu >= 68 &&
	    ifr.ifr_mtu <= 65535 - 14)
		mtu = (unsigned)ifr.ifr_mtu;
	close(s);
	return mtu;
}

/* One more file of the TAP device (a queue, with IFF_MULTI_QUEUE in
 * flags): its fd, or a negative errno. */
static int tap_queue(const char *ifname, short flags)
{
	struct ifreq ifr = { .ifr_flags = flags };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK), e;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static int open_tap(struct net_link *l, const struct net_options *o,
		    unsigned queues, char *err, size_t errlen)
{
	short flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, mq;
	int hdr = 12, e;
	char sys[64 + IFNAMSIZ];
	struct stat st;

	snprintf(sys, sizeof(sys), "/sys/class/net/%s", o->ifname);
	l->created = stat(sys, &st) != 0;
	/* A device someone made takes only the kind of file it was made
	 * for (multi_queue or not): the other kind is EINVAL. */
	mq = queues > 1 ? IFF_MULTI_QUEUE : 0;
	e = tap_queue(o->ifname, flags | mq);
	if (e == -EINVAL && !l->created) {
		mq ^= IFF_MULTI_QUEUE;
		e = tap_queue(o->ifname, flags | mq);
	}
	flags |= mq;
	l->single_queue = queues > 1 && !mq;
	if (e < 0) {
		snprintf(err, errlen, "tap %s: %s%s", o->ifname,
			 e == -ENOENT || e == -ENODEV ? "/dev/net/tun: " : "",
			 strerror(-e));
		snprintf(
			err + strlen(err), errlen - strlen(err), "%s",
			e == -EPERM && l->created
				? " (it does not exist, and only root may create it: ip tuntap add dev NAME mode tap user YOU)"
			: e == -EPERM || e == -EBUSY
				? " (is it a TAP device, yours, and not in use?)"
				: "");
		return e;
	}
	l->fds[0] = e;
	l->nr_queues = 1;
	l->attached = 1;
	while ((flags & IFF_MULTI_QUEUE) && l->nr_queues < queues) {
		e = tap_queue(o->ifname, flags);
		if (e < 0) {
			snprintf(err, errlen, "tap %s: queue %u: %s", o->ifname,
				 l->nr_queues, strerror(-e));
			return e;
		}
		l->fds[l->nr_queues] = e;
		l->attached |= 1u << l->nr_queues++;
	}
	/* The header goes with every frame, in both directions: the guest's
	 * checksum and segmentation offloads pass straight through. */
	if (ioctl(l->fds[0], TUNSETVNETHDRSZ, &hdr) == 0)
		l->vnet_hdr = (unsigned)hdr;
	snprintf(l->ifname, sizeof(l->ifname), "%s", o->ifname);
	l->mtu = tap_setup(l->ifname, l->created);
	e = net_link_use_queues(l, 1);
	if (e)
		snprintf(err, errlen, "tap %s: detaching queues: %s", o->ifname,
			 strerror(-e));
	return e;
}

int net_link_use_queues(struct net_link *l, unsigned n)
{
	unsigned i;

	for (i = 0; i < l->nr_queues && !l->stream; i++) {
		unsigned bit = 1u << i;
		struct ifreq ifr = { .ifr_flags = i < n ? IFF_ATTACH_QUEUE
							: IFF_DETACH_QUEUE };

		if (!(l->attached & bit) == !(i < n))
			continue;
		if (ioctl(l->fds[i], TUNSETQUEUE, &ifr) < 0)
			return -errno;
		l->attached ^= bit;
	}
	return 0;
}

int net_link_open(struct net_link *l, const struct net_options *o,
		  unsigned queues, char *err, size_t errlen)
{
	unsigned i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < NET_MAX_PAIRS; i++)
		l->fds[i] = -1;
	if (queues > NET_MAX_PAIRS)
		queues = NET_MAX_PAIRS;
	return o->tap ? open_tap(l, o, queues, err, errlen)
		      : open_passt(l, o, err, errlen);
}

/* Finish a frame the socket took only part of: the stream would lose its
 * framing otherwise. A second is plenty for passt to read. */
static int send_rest(int fd, struct iovec *iov, int n, size_t done)
{
	while (n) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t r;

		while (n && done >= iov->iov_len) {
			done -= iov->iov_len;
			iov++;
			n--;
		}
		if (!n)
			break;
		iov->iov_base = (uint8_t *)iov->iov_base + done;
		iov->iov_len -= done;
		if (poll(&p, 1, 1000) <= 0)
			return -EIO;
		r = writev(fd, iov, n);
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		done = r < 0 ? 0 : (size_t)r;
	}
	return 0;
}

int net_link_sendv(struct net_link *l, unsigned q, struct iovec *iov, int n,
		   size_t len)
{
	struct iovec all[NET_MAX_IOV + 1];
	uint32_t be = htonl((uint32_t)len);
	struct msghdr mh = { .msg_iov = all, .msg_iovlen = (size_t)n + 1 };
	ssize_t r;

	if (!l->stream) {
		r = writev(l->fds[q], iov, n);
		if (r < 0)
			return errno == EAGAIN || errno == ENOBUFS ? -EAGAIN
								   : -errno;
		return 0;
	}
	if (n > NET_MAX_IOV)
		return -EMSGSIZE;
	all[0] = (struct iovec){ &be, 4 };
	memcpy(all + 1, iov, (size_t)n * sizeof(*iov));
	r = sendmsg(l->fds[0], &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (r < 0)
		return errno == EAGAIN ? -EAGAIN : -errno;
	if ((size_t)r == len + 4)
		return 0;
	return send_rest(l->fds[0], all, n + 1, (size_t)r);
}

int net_link_offload(struct net_link *l, unsigned tun_flags, unsigned hdr_len)
{
	int size = (int)hdr_len;

	if (!l->vnet_hdr)
		return tun_flags ? -EOPNOTSUPP : 0;
	/* both are the device's, whichever queue is asked */
	if (ioctl(l->fds[0], TUNSETOFFLOAD, tun_flags) < 0)
		return -errno;
	if (hdr_len != l->vnet_hdr) {
		if (ioctl(l->fds[0], TUNSETVNETHDRSZ, &size) < 0)
			return -errno;
		l->vnet_hdr = hdr_len;
	}
	return 0;
}

/* The stream's next frame made whole in l->in (more read after what is
 * there, which first goes to the start: the buffer then always has room
 * for a whole frame): its length, -EAGAIN when the socket has no more
 * yet, -EPROTO when the stream lost its framing, or another negative
 * errno (passt is gone). */
static ssize_t stream_next(struct net_link *l)
{
	for (;;) {
		size_t have = l->in_len - l->in_off;
		uint32_t be, n;
		ssize_t r;

		if (have >= 4) {
			memcpy(&be, l->in + l->in_off, 4);
			n = ntohl(be);
			if (n > NET_MAX_FRAME)
				return -EPROTO;
			if (have >= 4 + (size_t)n)
				return n;
		}
		memmove(l->in, l->in + l->in_off, have);
		l->in_len = have;
		l->in_off = 0;
		r = read(l->fds[0], l->in + l->in_len,
			 STREAM_IN_SIZE - l->in_len);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0)
			return -errno;
		l->in_len += (size_t)r;
	}
}

ssize_t net_link_next_len(struct net_link *l)
{
	return l->stream ? stream_next(l) : 0;
}

ssize_t net_link_recvv(struct net_link *l, unsigned q, const struct iovec *iov,
		       int cnt)
{
	const uint8_t *src;
	ssize_t n;
	size_t done = 0;
	int i;

	if (!l->stream) {
		n = readv(l->fds[q], iov, cnt);
		if (n < 0)
			return -errno;
		return n ? n : -EIO;
	}
	n = stream_next(l);
	if (n < 0)
		return n;
	src = l->in + l->in_off + 4;
	for (i = 0; i < cnt && done < (size_t)n; i++) {
		size_t k = iov[i].iov_len < (size_t)n - done ? iov[i].iov_len
							     : (size_t)n - done;

		memcpy(iov[i].iov_base, src + done, k);
		done += k;
	}
	l->in_off += 4 + (size_t)n;
	return n;
}

void net_link_why_gone(struct net_link *l, char *buf, size_t size)
{
	int status;

	buf[0] = '\0';
	if (l->passt <= 0 || waitpid(l->passt, &status, WNOHANG) != l->passt)
		return;
	l->passt = 0;
	if (WIFSIGNALED(status))
		snprintf(buf, size, " (passt was killed by signal %d%s)",
			 WTERMSIG(status),
			 WTERMSIG(status) == SIGSYS ? ", its own seccomp filter"
						    : "");
	else
		snprintf(buf, size, " (passt exited with status %d)",
			 WEXITSTATUS(status));
}

void net_link_close(struct net_link *l)
{
	struct timespec t = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < NET_MAX_PAIRS; i++) {
		if (l->fds[i] >= 0)
			close(l->fds[i]); /* passt --fd ends with its socket */
		l->fds[i] = -1;
	}
	if (l->passt > 0) {
		for (i = 0; i < 100 && !waitpid(l->passt, NULL, WNOHANG); i++)
			nanosleep(&t, NULL);
		if (i == 100) {
			kill(l->passt, SIGKILL);
			waitpid(l->passt, NULL, 0);
		}
	}
	l->passt = 0;
	free(l->in);
	l->in = NULL;
}
