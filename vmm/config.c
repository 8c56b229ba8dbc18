// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "loader.h"

void vm_config_defaults(struct vm_config *c)
{
	*c = (struct vm_config){
		.cmdline = "console=ttyS0",
		.cpus = 1,
		.memory = VM_DEFAULT_MEMORY,
		.backend = "auto",
		.entry_mode = 's',
		.console = "stdio",
		.rng = 1,
		.irqchip = "auto",
	};
}

void vm_config_free(struct vm_config *c)
{
	while (c->nr_owned)
		free(c->owned[--c->nr_owned]);
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1] != '\0' &&
	    !(end[1] == 'i' && end[2] == 'B' && !end[3]))
		return -EINVAL;
	if (shift && v > (~0ULL >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int parse_word(const char *v, const char *words)
{
	size_t n = strlen(v);
	const char *w = words;

	while (*w) {
		size_t len = strcspn(w, "|");

		if (len == n && !strncmp(w, v, n))
			return 0;
		w += len + (w[len] == '|');
	}
	return -EINVAL;
}

int parse_on_off(const char *v, int *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	unsigned i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(v, yes[i]) || !strcmp(v, no[i])) {
			*out = !strcmp(v, yes[i]);
			return 0;
		}
	}
	return -EINVAL;
}

static int disk_option(struct blk_options *o, const char *key, const char *val,
		       char *err, size_t errlen)
{
	if (!strcmp(key, "readonly") && !parse_on_off(val, &o->readonly))
		return 0;
	if (!strcmp(key, "legacy") && !parse_on_off(val, &o->legacy))
		return 0;
	if (!strcmp(key, "cache") && !strcmp(val, "none")) {
		o->direct = 1;
		return 0;
	}
	if (!strcmp(key, "cache") && !strcmp(val, "writeback")) {
		o->direct = 0;
		return 0;
	}
	if (!strcmp(key, "readonly") || !strcmp(key, "legacy"))
		snprintf(err, errlen, "%s=%s: must be on or off", key, val);
	else if (!strcmp(key, "cache"))
		snprintf(err, errlen, "cache=%s: must be writeback or none",
			 val);
	else
		snprintf(err, errlen,
			 "unknown option '%s' (readonly, cache, legacy)", key);
	return -EINVAL;
}

/* "key=value,key=value..." (opts is cut up), each given to option():
 * 0, or the first error. */
static int parse_options(char *opts,
			 int (*option)(void *o, const char *key,
				       const char *val, char *err,
				       size_t errlen),
			 void *o, char *err, size_t errlen)
{
	char *opt, *next, *eq;
	int ret = 0;

	for (opt = opts; !ret && opt; opt = next) {
		next = strchr(opt, ',');
		if (next)
			*next++ = '\0';
		eq = strchr(opt, '=');
		if (!eq) {
			snprintf(err, errlen, "'%s': options are key=value",
				 opt);
			return -EINVAL;
		}
		*eq = '\0';
		ret = option(o, opt, eq + 1, err, errlen);
	}
	return ret;
}

static int any_disk_option(void *o, const char *key, const char *val, char *err,
			   size_t errlen)
{
	return disk_option(o, key, val, err, errlen);
}

int parse_disk(const char *spec, struct blk_options *o, char *err,
	       size_t errlen)
{
	char *copy, *next;
	int ret = 0;

	memset(o, 0, sizeof(*o));
	copy = strdup(spec);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	next = strchr(copy, ',');
	if (next)
		*next++ = '\0';
	if (!*copy) {
		snprintf(err, errlen, "no file name");
		ret = -EINVAL;
	}
	if (!ret)
		ret = parse_options(next, any_disk_option, o, err, errlen);
	if (ret) {
		free(copy);
		return ret;
	}
	o->path = copy; /* lives as long as the config */
	return 0;
}

static int parse_port(const char *s, char **end, uint16_t *port)
{
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoul(s, end, 10);
	if (v < 1 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* tcp:HOSTPORT:GUESTPORT or udp:... */
static int parse_fwd(const char *v, struct net_fwd *f)
{
	char *end;

	if (!strncmp(v, "tcp:", 4))
		f->udp = 0;
	else if (!strncmp(v, "udp:", 4))
		f->udp = 1;
	else
		return -EINVAL;
	if (parse_port(v + 4, &end, &f->host_port) || *end != ':' ||
	    parse_port(end + 1, &end, &f->guest_port) || *end)
		return -EINVAL;
	return 0;
}

static int parse_mac(const char *v, uint8_t mac[6])
{
	unsigned b[6], i;
	char tail;

	if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6 ||
	    strlen(v) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return mac[0] & 1 ? -EINVAL : 0; /* a multicast address */
}

int net_option(struct net_options *o, const char *key, const char *val,
	       char *err, size_t errlen)
{
	if (!strcmp(key, "mac")) {
		if (parse_mac(val, o->mac)) {
			snprintf(
				err, errlen,
				"mac=%s: must be six hex bytes, aa:bb:cc:dd:ee:ff, and not multicast",
				val);
			return -EINVAL;
		}
		o->has_mac = 1;
		return 0;
	}
	if (!strcmp(key, "hostfwd")) {
		if (o->nr_fwds == NET_MAX_FWDS) {
			snprintf(err, errlen, "hostfwd: at most %d",
				 NET_MAX_FWDS);
			return -EINVAL;
		}
		if (parse_fwd(val, &o->fwds[o->nr_fwds])) {
			snprintf(
				err, errlen,
				"hostfwd=%s: must be tcp:HOSTPORT:GUESTPORT or udp:HOSTPORT:GUESTPORT",
				val);
			return -EINVAL;
		}
		o->nr_fwds++;
		return 0;
	}
	snprintf(err, errlen, "unknown option '%s' (hostfwd, mac)", key);
	return -EINVAL;
}

static int any_net_option(void *o, const char *key, const char *val, char *err,
			  size_t errlen)
{
	return net_option(o, key, val, err, errlen);
}

int parse_net(const char *spec, struct net_options *o, char *err, size_t errlen)
{
	char copy[512], *next;
	int ret;

	memset(o, 0, sizeof(*o));
	if (strlen(spec) >= sizeof(copy)) {
		snprintf(err, errlen, "too long");
		return -EINVAL;
	}
	strcpy(copy, spec);
	next = strchr(copy, ',');
	if (next)
		*next++ = '\0';
	if (!strncmp(copy, "tap=", 4)) {
		o->tap = 1;
		if (!copy[4] || strlen(copy + 4) >= sizeof(o->ifname)) {
			snprintf(err, errlen,
				 "tap=%s: an interface name of 1 to %zu bytes",
				 copy + 4, sizeof(o->ifname) - 1);
			return -EINVAL;
		}
		strcpy(o->ifname, copy + 4);
	} else if (strcmp(copy, "user")) {
		snprintf(err, errlen,
			 "'%s': must start with user or tap=IFNAME", copy);
		return -EINVAL;
	}
	ret = parse_options(next, any_net_option, o, err, errlen);
	if (!ret && o->tap && o->nr_fwds) {
		snprintf(
			err, errlen,
			"hostfwd is for user networking: a TAP device is reached directly");
		ret = -EINVAL;
	}
	return ret;
}

int vm_config_validate(const struct vm_config *c, char *err, unsigned errlen)
{
	if (!c->kernel) {
		snprintf(err, errlen, "no kernel given (--kernel FILE)");
		return -EINVAL;
	}
	if (c->cpus < 1 || c->cpus > VM_MAX_CPUS) {
		snprintf(err, errlen, "--cpus %u: must be 1 to %d", c->cpus,
			 VM_MAX_CPUS);
		return -EINVAL;
	}
	if (c->memory < VM_MIN_MEMORY || c->memory > VM_MAX_MEMORY ||
	    c->memory % 4096) {
		snprintf(
			err, errlen,
			"--memory %llu: must be a multiple of 4K from 2M to 64G",
			(unsigned long long)c->memory);
		return -EINVAL;
	}
	if (c->kernel_addr && (c->kernel_addr < VM_RAM_BASE ||
			       c->kernel_addr - VM_RAM_BASE >= c->memory)) {
		snprintf(err, errlen, "--kernel-addr 0x%llx: outside guest RAM",
			 (unsigned long long)c->kernel_addr);
		return -EINVAL;
	}
	if (c->nr_disks + c->nr_nets > VIRTIO_MMIO_SLOTS) {
		snprintf(
			err, errlen,
			"%u disks and %u network interfaces: at most %d in all",
			c->nr_disks, c->nr_nets, VIRTIO_MMIO_SLOTS);
		return -EINVAL;
	}
	if (c->entry_mode == 'm' && !strcmp(c->backend, "kvm")) {
		snprintf(
			err, errlen,
			"--entry-mode m: KVM runs guests in S-mode only; use --backend trap or auto");
		return -EINVAL;
	}
	return 0;
}

uint64_t vm_kernel_addr(const struct vm_config *c)
{
	if (c->kernel_addr)
		return c->kernel_addr;
	return c->entry_mode == 'm' ? VM_RAM_BASE : DEFAULT_KERNEL_ADDR;
}

char parse_entry_mode(const char *v)
{
	if (!strcmp(v, "s") || !strcmp(v, "m"))
		return v[0];
	return 0;
}

int vm_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len < 1 || len > 64 || name[0] == '.')
		return 0;
	for (i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789-_.",
			    name[i]))
			return 0;
	return 1;
}
