/* SPDX-License-Identifier: MIT */
#ifndef VMM_CONFIG_H
#define VMM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "../virtio/blk.h"
#include "../virtio/net_link.h"

#define VM_MAX_CPUS 8
#define VM_DEFAULT_MEMORY (256ULL << 20)
#define VM_MIN_MEMORY (2ULL << 20)
#define VM_MAX_MEMORY (64ULL << 30)
#define VM_RAM_BASE 0x80000000ULL
#define VM_MAX_NETS 4

/* Everything that describes one VM, from flags (and later config files). */
struct vm_config {
	const char *name; /* NULL: generated at start */
	const char *log_level; /* NULL: leave as it is */
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	unsigned cpus;
	uint64_t memory; /* bytes */
	uint64_t kernel_addr; /* load address of a raw binary, 0 when not
			       * given (vm_kernel_addr) */
	const char *dump_dtb; /* write the DTB here and stop */
	const char *backend; /* "auto", "kvm" or "trap" */
	char entry_mode; /* 's': S-mode, vmm is the SBI; 'm': M-mode at RAM's
			  * start, as qemu -bios none (trap backend only) */
	const char *console; /* "stdio" or "file:PATH" */
	int reboot; /* on guest reset: boot again instead of exiting */
	int detach; /* go to the background once the guest runs */
	int rng; /* a virtio-rng device (the default) */
	const char *irqchip; /* "auto", "plic" or "aia" (KVM's in-kernel) */
	struct blk_options disks[VIRTIO_MMIO_SLOTS];
	unsigned nr_disks;
	struct net_options nets[VM_MAX_NETS];
	unsigned nr_nets;
	/* Strings a config file allocated (vm_config_free() frees them). */
	char *owned[32];
	unsigned nr_owned;
};

void vm_config_defaults(struct vm_config *c);
void vm_config_free(struct vm_config *c);
/* "256M", "2G", "4096K", "1048576": bytes, or -EINVAL. */
int parse_size(const char *s, uint64_t *out);
/* "FILE[,readonly=on][,cache=none|writeback][,legacy=on]" (a bare path
 * works): 0, or -EINVAL with a message in err. The path is copied. */
int parse_disk(const char *spec, struct blk_options *o, char *err,
	       size_t errlen);
/* "user[,hostfwd=tcp|udp:HOSTPORT:GUESTPORT]...[,mac=M]" or
 * "tap=IFNAME[,mac=M]": 0, or -EINVAL with a message in err. */
int parse_net(const char *spec, struct net_options *o, char *err,
	      size_t errlen);
/* One option of a network interface (the part after "user," or
 * "tap=NAME,", or a key of a [net] section): 0 or -EINVAL. */
int net_option(struct net_options *o, const char *key, const char *val,
	       char *err, size_t errlen);
/* on/yes/true/1 or off/no/false/0: 0, or -EINVAL. */
int parse_on_off(const char *v, int *out);
/* Whether v is one of words, '|' between them ("auto|kvm|trap"): 0, or
 * -EINVAL. */
int parse_word(const char *v, const char *words);
/* "s" or "m": the mode letter, or 0. */
char parse_entry_mode(const char *v);
/* 1 to 64 of [A-Za-z0-9._-], not starting with '.': safe as a file name. */
int vm_name_valid(const char *name);
/* 0 or -EINVAL with a message in err: cross-field checks. */
int vm_config_validate(const struct vm_config *c, char *err, unsigned errlen);
/* Where a raw binary goes: as given, else where the hart starts for M-mode
 * guests (RAM's start, as under qemu -bios) and 0x80200000 for S-mode. */
uint64_t vm_kernel_addr(const struct vm_config *c);

#endif
