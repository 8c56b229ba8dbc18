// SPDX-License-Identifier: MIT
/*
 * Device interrupts through the PLIC, the way an S-mode driver takes them:
 * hart 0's S-mode context (1), claim and complete in the handler, the hart
 * asleep in wfi meanwhile. The UART sends a line one byte per THR-empty
 * interrupt and receives the line piped into the console through receive
 * interrupts; virtio-blk completes each read with an interrupt. On the way:
 * a source at the context's threshold is held back, an interrupt that sie
 * masks waits, a claim with nothing pending reads 0, and the enable bits
 * read back as written, which vmm may serve from a page the guest reads
 * without an exit (PLIC spec 1.0.0, chapters 5 to 9; privileged spec
 * 10.1.3 for sip/sie).
 */
#include "fw.h"

#define CTX 1 /* hart 0, S-mode */
#define UART_IRQ 10
#define TIMEBASE_HZ 10000000 /* QEMU virt's, and so the nested host's */
#define SIE 0x2UL
#define STIE (1UL << 5)
#define SEIE (1UL << 9)
#define SBI_EXT_TIME 0x54494d45

/* 16550 registers and bits (PC16550D data sheet) */
#define RBR 0
#define THR 0
#define IER 1
#define IIR 2
#define LSR 5
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_ID 0x0f
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RX_TIMEOUT 0x0c /* with FIFOs: data waited there a while */
#define LSR_DR 0x01

static volatile int events; /* bumped by every interrupt taken */
static volatile int timed_out;
static volatile int strays; /* claims of a source we did not enable */

static const char *volatile tx; /* what THR-empty interrupts still send */
static volatile int tx_irqs, tx_done, thre_seen;
static char rx_line[64];
static volatile int rx_len, rx_done;
static volatile int disk_irqs, disk_done;
static uint8_t sector[512] __attribute__((aligned(512)));

static void uart_ier(uint8_t set, uint8_t clear)
{
	mmio_write8(FW_UART + IER,
		    (uint8_t)((mmio_read8(FW_UART + IER) | set) & ~clear));
}

static void uart_interrupt(void)
{
	uint8_t id = mmio_read8(FW_UART + IIR) & IIR_ID;

	if (id == IIR_RDI || id == IIR_RX_TIMEOUT) {
		while (!rx_done && (mmio_read8(FW_UART + LSR) & LSR_DR)) {
			char c = (char)mmio_read8(FW_UART + RBR);

			/* Empty lines are skipped: the input starts with one,
			 * since QEMU's UART drops a byte that arrived before
			 * OpenSBI turned its FIFOs on. */
			if (c == '\n' && rx_len) {
				uart_ier(0, IER_RDI);
				rx_done = 1;
			} else if (c != '\n' && c != '\r' &&
				   rx_len < (int)sizeof(rx_line) - 1) {
				rx_line[rx_len++] = c;
			}
		}
	} else if (id == IIR_THRI) {
		thre_seen = 1;
		if (tx && *tx) {
			tx_irqs++;
			mmio_write8(FW_UART + THR, (uint8_t)*tx++);
			return;
		}
		uart_ier(0, IER_THRI);
		if (tx)
			tx_done = 1;
	}
}

static void disk_interrupt(void)
{
	/* bit 0: the used ring changed (virtio 1.2, 4.2.2) */
	if (vblk_ack() & 1) {
		disk_irqs++;
		disk_done = 1;
	}
}

/* stvec needs a 4-byte aligned handler; C functions are only 2-aligned. */
__attribute__((interrupt("supervisor"), aligned(4))) static void on_trap(void)
{
	unsigned long cause;
	unsigned irq;

	asm volatile("csrr %0, scause" : "=r"(cause));
	if (cause == (1UL << 63 | 5)) {
		timed_out = 1;
		sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0);
	} else if (cause == (1UL << 63 | 9)) {
		/* claim until nothing is pending, completing each */
		while ((irq = plic_claim(CTX)) != 0) {
			if (irq == UART_IRQ)
				uart_interrupt();
			else if (irq == vblk_irq())
				disk_interrupt();
			else
				strays++;
			plic_complete(CTX, irq);
		}
	} else {
		fw_exit(3); /* no other trap is expected */
	}
	events++;
}

/* Sleep in wfi until *flag is set or ms milliseconds pass: 0 or -1. */
static int wait_for(volatile int *flag, unsigned long ms)
{
	timed_out = 0;
	sbi_call(SBI_EXT_TIME, 0, rdtime() + ms * (TIMEBASE_HZ / 1000), 0, 0);
	for (;;) {
		int seen = events;

		if (*flag || timed_out)
			break;
		fw_wait_change(&events, seen);
	}
	sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0);
	return *flag ? 0 : -1;
}

static const char *yes(int ok)
{
	return ok ? "yes" : "no";
}

/* Raise the UART's THR-empty interrupt while hold(1) should keep it back:
 * *held when none came in 20 ms, *taken when it came once hold(0). */
static void held_then_taken(void (*hold)(int on), int *held, int *taken)
{
	hold(1);
	thre_seen = 0;
	uart_ier(IER_THRI, 0);
	*held = wait_for(&thre_seen, 20) < 0;
	hold(0);
	*taken = wait_for(&thre_seen, 5000) == 0;
}

/* A source whose priority is not above the threshold is not delivered. */
static void hold_by_threshold(int on)
{
	plic_set_threshold(CTX, on ? 1 : 0);
}

/* With sie.SEIE clear the hart does not take it. (Only by that: QEMU
 * 7.2's H extension hides SEIP in a KVM guest's sip, so sip cannot be
 * compared with the reference.) */
static void hold_by_sie(int on)
{
	if (on)
		asm volatile("csrc sie, %0" ::"r"(SEIE));
	else
		asm volatile("csrs sie, %0" ::"r"(SEIE));
}

static int check_held(void)
{
	int held, taken, held_sie, taken_sie;

	held_then_taken(hold_by_threshold, &held, &taken);
	fw_printf(
		"plic: priority 1 at threshold 1 held back: %s; at threshold 0 taken: %s\n",
		yes(held), yes(taken));
	held_then_taken(hold_by_sie, &held_sie, &taken_sie);
	fw_printf(
		"plic: with sie.SEIE clear it waited: %s; set, it was taken: %s\n",
		yes(held_sie), yes(taken_sie));
	return held && taken && held_sie && taken_sie;
}

/* A line out of THR, one byte per THR-empty interrupt. */
static int check_transmit(void)
{
	static const char line[] =
		"plic: this line went out one THR-empty interrupt a byte\n";
	int ok;

	tx_irqs = tx_done = 0;
	tx = line;
	uart_ier(IER_THRI, 0);
	ok = wait_for(&tx_done, 5000) == 0;
	tx = 0;
	ok = ok && tx_irqs == (int)sizeof(line) - 1;
	fw_printf("plic: %d bytes sent by %d interrupts: %s\n",
		  (int)sizeof(line) - 1, tx_irqs, yes(ok));
	return ok;
}

/* The line the host pipes into the console, by receive interrupts. */
static int check_receive(void)
{
	int ok;

	rx_len = rx_done = 0;
	uart_ier(IER_RDI, 0);
	ok = wait_for(&rx_done, 10000) == 0;
	uart_ier(0, IER_RDI);
	rx_line[rx_len] = 0;
	if (!ok) {
		fw_printf(
			"plic: no input line within 10 s (pipe one into the console)\n");
		return 0;
	}
	fw_printf("plic: received \"%s\" through receive interrupts\n",
		  rx_line);
	return 1;
}

/* Eight reads of the disk, each completed by its own interrupt while the
 * hart waits in wfi; then one while it spins, which vmm must interrupt. */
static int check_disk(void)
{
	unsigned long start;
	int i, ok = 1, busy;

	if (vblk_open()) {
		fw_printf("plic: no virtio-blk disk\n");
		return 0;
	}
	vblk_use_interrupts();
	plic_set_priority(vblk_irq(), 1);
	plic_enable(CTX, vblk_irq(), 1);
	disk_irqs = 0;
	for (i = 0; i < 8 && ok; i++) {
		disk_done = 0;
		vblk_submit((unsigned)i, sector);
		ok = wait_for(&disk_done, 5000) == 0 && vblk_done() == 1 &&
		     disk_irqs == i + 1;
		if (i == 0)
			fw_printf(
				"plic: sector 0 starts with %c%c%c%c%c%c%c%c\n",
				sector[0], sector[1], sector[2], sector[3],
				sector[4], sector[5], sector[6], sector[7]);
	}
	ok = ok && disk_irqs == 8;
	fw_printf(
		"plic: 8 virtio-blk reads, each completed by its own interrupt: %s\n",
		yes(ok));
	disk_done = 0;
	vblk_submit(0, sector);
	start = rdtime();
	while (!disk_done && rdtime() - start < 5 * TIMEBASE_HZ)
		;
	busy = disk_done && vblk_done() == 1;
	fw_printf("plic: one more while the hart spun, not in wfi: %s\n",
		  yes(busy));
	return ok && busy;
}

/* The context's two enable words read back what was written, word for
 * word, then what they held before. Last, with interrupts off meanwhile:
 * by then vmm under KVM serves these reads from a page of memory. */
static int check_enable_readback(void)
{
	static const uint32_t words[][2] = { { 0x12345678, 0x9abcdef0 },
					     { 0x00000400, 0x80000001 },
					     { 0, 0 } };
	uintptr_t en = FW_PLIC + 0x2000 + 0x80 * CTX;
	uint32_t was[2] = { mmio_read32(en), mmio_read32(en + 4) };
	unsigned i;
	int ok = 1;

	asm volatile("csrc sstatus, %0" ::"r"(SIE));
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		mmio_write32(en, words[i][0]);
		mmio_write32(en + 4, words[i][1]);
		ok &= mmio_read32(en) == words[i][0] &&
		      mmio_read32(en + 4) == words[i][1];
	}
	mmio_write32(en, was[0]);
	mmio_write32(en + 4, was[1]);
	ok &= mmio_read32(en) == was[0] && mmio_read32(en + 4) == was[1];
	asm volatile("csrs sstatus, %0" ::"r"(SIE));
	fw_printf("plic: enable bits read back as written: %s\n", yes(ok));
	return ok;
}

int main(unsigned long hartid, unsigned long dtb)
{
	int ok = 1;

	(void)dtb;
	if (hartid != 0) {
		fw_printf("plic: booted on hart %lu, not 0\n", hartid);
		return 2;
	}
	asm volatile("csrw stvec, %0" ::"r"(on_trap));
	plic_set_priority(UART_IRQ, 1);
	plic_enable(CTX, UART_IRQ, 1);
	plic_set_threshold(CTX, 0); /* OpenSBI may leave it higher */
	asm volatile("csrs sie, %0" ::"r"(SEIE | STIE));
	asm volatile("csrs sstatus, %0" ::"r"(SIE));

	ok &= check_held();
	ok &= check_transmit();
	ok &= check_receive();
	ok &= check_disk();
	ok &= check_enable_readback();
	fw_printf(
		"plic: a claim with nothing pending reads %u; stray sources %d\n",
		plic_claim(CTX), strays);
	return ok && !strays ? 0 : 2;
}
