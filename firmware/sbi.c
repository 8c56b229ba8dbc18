// SPDX-License-Identifier: MIT
/* SBI calls that reach the monitor: KVM forwards the experimental and
 * vendor extension ranges to userspace, where vmm answers
 * SBI_ERR_NOT_SUPPORTED (-2), as OpenSBI does on plain QEMU. */
#include "fw.h"

int main(unsigned long hartid, unsigned long dtb)
{
	struct sbiret exp = sbi_call(0x08000000, 0, 1, 2, 3);
	struct sbiret ven = sbi_call(0x09000000, 7, 1, 2, 3);
	struct sbiret base = sbi_call(0x10, 0, 0, 0, 0); /* spec version */

	(void)hartid;
	(void)dtb;
	fw_printf("sbi: experimental extension: error %ld\n", exp.error);
	fw_printf("sbi: vendor extension: error %ld\n", ven.error);
	fw_printf("sbi: base extension answers: %s\n",
		  base.error == 0 ? "yes" : "no");
	return exp.error == -2 && ven.error == -2 && base.error == 0 ? 0 : 3;
}
