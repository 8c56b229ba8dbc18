// SPDX-License-Identifier: MIT
/*
 * What a KVM guest's harts are, as the host's KVM says through ONE_REG
 * (Documentation/virt/kvm/api.rst, KVM_SET_ONE_REG, RISC-V registers):
 * the single-letter ISA from the config register, every multi-letter
 * extension KVM enables for the vCPU, the timer's frequency, the host's
 * MMU type; and which SBI extensions KVM serves itself. The extension and
 * SBI numbers are KVM's ABI (arch/riscv/include/uapi/asm/kvm.h, as of
 * Linux 6.12); the build's own headers may be older (Debian 12's are
 * 6.1), so they are spelled out here, and a KVM that does not know a
 * number answers that it has no such register.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../fdt/fdt.h"
#include "../log.h"
#include "kvm_priv.h"

/* enum KVM_RISCV_ISA_EXT_ID from 7 on (0 to 6 are single letters): the
 * multi-letter extensions, by number; NULL for what is not for the device
 * tree. */
#define ISA_EXT_FIRST_NAMED 7
static const char *const isa_ext_names[] = {
	[ISA_EXT_FIRST_NAMED] = "svpbmt",
	"sstc",
	"svinval",
	"zihintpause",
	"zicbom",
	"zicboz",
	"zbb",
	"ssaia",
	NULL /* v: a letter, and state KVM's guest must save */,
	"svnapot",
	"zba",
	"zbs",
	"zicntr",
	"zicsr",
	"zifencei",
	"zihpm",
	"smstateen",
	"zicond",
	"zbc",
	"zbkb",
	"zbkc",
	"zbkx",
	"zknd",
	"zkne",
	"zknh",
	"zkr",
	"zksed",
	"zksh",
	"zkt",
	"zvbb",
	"zvbc",
	"zvkb",
	"zvkg",
	"zvkned",
	"zvknha",
	"zvknhb",
	"zvksed",
	"zvksh",
	"zvkt",
	"zfh",
	"zfhmin",
	"zihintntl",
	"zvfh",
	"zvfhmin",
	"zfa",
	"ztso",
	"zacas",
	"sscofpmf",
	"zimop",
	"zca",
	"zcb",
	"zcd",
	"zcf",
	"zcmop",
	"zawrs",
};
#define ISA_EXT_ZICBOM 11
_Static_assert(sizeof(isa_ext_names) / sizeof(isa_ext_names[0]) <= 64,
	       "one MULTI_EN register holds them");

/* enum KVM_RISCV_SBI_EXT_ID, and the register type that holds them. */
static const char *const sbi_ext_names[] = {
	"v0.1", "time",		"ipi",	  "rfence", "srst", "hsm",
	"pmu",	"experimental", "vendor", "dbcn",   "sta",
};
#define KVM_SBI_EXT_DBCN_ID 9
#define REG_RISCV_SBI_EXT (0x08ULL << KVM_REG_RISCV_TYPE_SHIFT)
/* Since 6.6 one register gives 64 extensions' bits at once (subtype
 * MULTI_EN); 6.1 has only the single ones. */
#define REG_MULTI_EN (0x1ULL << 16)

/* Which of extensions first .. nr - 1 (nr <= 64) of type (ISA or SBI)
 * KVM enables for the vCPU: one read where KVM has the bitmap, else one
 * per extension up to the first number this KVM does not know (they are
 * contiguous, and each read is a system call at start-up). */
static uint64_t enabled_exts(int fd, uint64_t type, unsigned first, unsigned nr)
{
	uint64_t bits = 0, v;
	unsigned i;

	if (!get_reg(fd, reg_id(type, REG_MULTI_EN | 0), &bits))
		return bits;
	for (i = first; i < nr && !get_reg(fd, reg_id(type, i), &v); i++)
		if (v)
			bits |= 1ULL << i;
	return bits;
}

/* The host's MMU type, which a KVM guest shares. */
static const char *host_mmu_type(void)
{
	static char buf[32];
	int fd = open("/proc/device-tree/cpus/cpu@0/mmu-type", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return "riscv,sv39";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return "riscv,sv39";
	buf[n] = '\0';
	return buf;
}

static void describe_exts(int fd, struct fdt_vm *f)
{
	const unsigned nr = sizeof(isa_ext_names) / sizeof(isa_ext_names[0]);
	/* not the single letters: the config register has them */
	uint64_t on = enabled_exts(fd, KVM_REG_RISCV_ISA_EXT,
				   ISA_EXT_FIRST_NAMED, nr),
		 v;
	char seen[1024];
	size_t i, n = 0;

	seen[0] = '\0';
	f->nr_isa_exts = 0;
	for (i = 0; i < nr; i++) {
		if (!isa_ext_names[i] || f->nr_isa_exts >= FDT_MAX_ISA_EXTS ||
		    !(on & (1ULL << i)))
			continue;
		f->isa_exts[f->nr_isa_exts++] = isa_ext_names[i];
		n += (size_t)snprintf(seen + n, sizeof(seen) - n, " %s",
				      isa_ext_names[i]);
		if (n >= sizeof(seen))
			n = sizeof(seen) - 1;
		if (i == ISA_EXT_ZICBOM &&
		    !get_reg(
			    fd,
			    reg_id(KVM_REG_RISCV_CONFIG,
				   KVM_REG_RISCV_CONFIG_REG(zicbom_block_size)),
			    &v))
			f->cbom_block_size = (uint32_t)v;
	}
	pr_info("kvm: ISA rv64%s, extensions:%s", f->isa_letters,
		n ? seen : " none beyond the letters");
}

int kvm_describe_cpus(struct vm *vm, struct fdt_vm *f)
{
	static char letters[27];
	static const char order[] =
		"imafdqc"; /* ISA manual's canonical order */
	struct kvm *k = vm->backend_data;
	int fd = k->vcpus[0].fd;
	uint64_t isa, v;
	size_t i, n = 0;
	int err;

	err = get_reg(
		fd, reg_id(KVM_REG_RISCV_CONFIG, KVM_REG_RISCV_CONFIG_REG(isa)),
		&isa);
	if (err)
		return err;
	for (i = 0; order[i]; i++)
		if (isa & (1ULL << (order[i] - 'a')))
			letters[n++] = order[i];
	letters[n] = '\0';
	f->isa_letters = letters;
	describe_exts(fd, f);
	err = get_reg(
		fd,
		reg_id(KVM_REG_RISCV_TIMER, KVM_REG_RISCV_TIMER_REG(frequency)),
		&v);
	if (err)
		return err;
	f->timebase_hz = (uint32_t)v;
	f->mmu_type = host_mmu_type();
	return 0;
}

/* DBCN (SBI 2.0 debug console) is off by default in KVM, which then
 * forwards it to us: vmm's SBI serves it (vmm/sbi.c), on every vCPU. */
static int enable_dbcn(struct kvm *k)
{
	unsigned i;
	int err = 0;

	for (i = 0; i < k->nr_vcpus && !err; i++)
		err = set_reg(k->vcpus[i].fd,
			      reg_id(REG_RISCV_SBI_EXT, KVM_SBI_EXT_DBCN_ID),
			      1);
	return err;
}

void kvm_sbi_setup(struct kvm *k)
{
	const unsigned nr = sizeof(sbi_ext_names) / sizeof(sbi_ext_names[0]);
	uint64_t on = enabled_exts(k->vcpus[0].fd, REG_RISCV_SBI_EXT, 0, nr);
	char in_kvm[256];
	size_t i, n = 0;
	int dbcn;

	in_kvm[0] = '\0';
	for (i = 0; i < nr; i++) {
		if (!(on & (1ULL << i)))
			continue;
		n += (size_t)snprintf(in_kvm + n, sizeof(in_kvm) - n, " %s",
				      sbi_ext_names[i]);
		if (n >= sizeof(in_kvm))
			n = sizeof(in_kvm) - 1;
	}
	if (!n) { /* Linux before 6.5 has no such registers */
		pr_info("kvm: this KVM does not say which SBI extensions it serves; what it does not serve, it answers NOT_SUPPORTED");
		return;
	}
	dbcn = strstr(in_kvm, " dbcn") ? 0 : enable_dbcn(k);
	pr_info("kvm: SBI extensions enabled in KVM:%s; the debug console (DBCN) %s",
		in_kvm,
		dbcn ? "stays off (KVM refused it)"
		     : "is handed to vmm, as are experimental and vendor calls");
}
