// SPDX-License-Identifier: MIT
/*
 * The backends of a vmm built for a host that is not riscv64 (make builds
 * one natively, build/native/vmm): everything up to the guest works
 * (--help, vmm check, loading and validating files), but the guest's
 * instructions need a RISC-V CPU, with or without the H extension. Say so
 * and point at the nested setup.
 */
#include <errno.h>
#include <sys/utsname.h>

#include "log.h"
#include "vm.h"

static int foreign_create(struct vm *vm)
{
	struct utsname u;

	(void)vm;
	if (uname(&u))
		u.machine[0] = 0;
	pr_err("guests need a riscv64 host, and this one is %s: run vmm inside the nested setup (make demo, see README)",
	       u.machine[0] ? u.machine : "another architecture");
	return -ENOEXEC;
}

/* Built with AddressSanitizer like the unit tests: vm_run() leaves its
 * struct vm to the process's exit on purpose (vm.c), so no leak report. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

static void foreign_destroy(struct vm *vm)
{
	(void)vm;
}

const struct backend_ops kvm_backend = {
	.name = "kvm",
	.create = foreign_create,
	.destroy = foreign_destroy,
};

const struct backend_ops trap_backend = {
	.name = "trap",
	.create = foreign_create,
	.destroy = foreign_destroy,
};
