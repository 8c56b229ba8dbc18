// SPDX-License-Identifier: MIT
/* The command line: which subcommand, and the help that lists them all. */
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "vm.h"

#ifndef VMM_VERSION
#define VMM_VERSION "unknown"
#endif

static const char usage_text[] =
	"usage: vmm run [-c FILE] [--kernel FILE] [options]   start a VM\n"
	"       vmm check -c FILE [options]                   validate a config\n"
	"       vmm list [--json]                             VMs of this user\n"
	"       vmm status NAME [--json]\n"
	"       vmm stats NAME [--json]                       exits, disk, net counts\n"
	"       vmm pause NAME | resume NAME\n"
	"       vmm stop NAME [--timeout SECONDS]              graceful poweroff\n"
	"       vmm kill NAME | wait NAME\n"
	"       vmm console NAME                              attach to its console\n"
	"       vmm --version | --help\n"
	"\n"
	"Run a RISC-V guest on /dev/kvm, or trap-and-emulate where there is none.\n"
	"\n"
	"run options (each overrides the config file):\n"
	"  -c, --config FILE      read the VM from a config file (README)\n"
	"  -n, --name NAME        the VM's name for the lifecycle commands\n"
	"                         (default: the config's, else vm-PID)\n"
	"  -k, --kernel FILE      guest kernel: Linux Image, ELF, or raw binary\n"
	"  -i, --initrd FILE      initial ramdisk, placed after the kernel\n"
	"  -a, --cmdline TEXT     kernel command line (default \"console=ttyS0\")\n"
	"  -p, --cpus N           harts, 1 to 8 (default 1)\n"
	"  -m, --memory SIZE      guest RAM, e.g. 256M or 1G (default 256M)\n"
	"  -d, --disk FILE[,readonly=on][,cache=none][,legacy=on]\n"
	"                         a virtio-blk disk (raw image or block device);\n"
	"                         repeat for more, up to 8; replaces the config's.\n"
	"                         cache=none is O_DIRECT, legacy=on the\n"
	"                         virtio-mmio version 1 interface\n"
	"      --net user[,hostfwd=tcp:HOSTPORT:GUESTPORT]...[,mac=MAC]\n"
	"                         a virtio-net interface on user-mode networking:\n"
	"                         vmm starts passt (it must be in PATH), which\n"
	"                         gives the guest DHCP, DNS and the host's network;\n"
	"                         hostfwd (also udp:) forwards a host port to it\n"
	"      --net tap=IFNAME[,mac=MAC]\n"
	"                         a virtio-net interface on a TAP device (made if\n"
	"                         missing, when root; gone at exit). Repeat --net\n"
	"                         for more, up to 4; replaces the config's. The MAC\n"
	"                         defaults to 52:54:00 and a hash of the VM's name\n"
	"      --kernel-addr ADDR load address of a raw binary (default 0x80200000,\n"
	"                         0x80000000 with --entry-mode m)\n"
	"      --backend NAME     kvm, trap (trap-and-emulate, for hosts without\n"
	"                         the H extension) or auto (default: kvm when\n"
	"                         /dev/kvm opens and the guest is S-mode, else trap)\n"
	"      --entry-mode MODE  s (default): the kernel starts in S-mode with vmm\n"
	"                         as its SBI; m: it starts in M-mode at 0x80000000\n"
	"                         as under qemu -bios none, with a CLINT (trap only)\n"
	"      --console SPEC     stdio (default), file:PATH (output only) or socket\n"
	"                         (only through vmm console NAME)\n"
	"      --detach           go to the background once the guest runs; the\n"
	"                         console goes to RUNDIR/NAME.console unless --console\n"
	"                         says otherwise, messages to RUNDIR/NAME.log\n"
	"      --reboot           boot again when the guest resets, instead of exiting\n"
	"                         (a kill, or a reset during vmm stop, still ends it)\n"
	"      --rng on|off       a virtio-rng device fed from the host's getrandom\n"
	"                         (default on; it takes the virtio slot after the\n"
	"                         disks and network interfaces, so with 8 of those\n"
	"                         there is none)\n"
	"      --irqchip CHIP     auto (default: KVM's in-kernel AIA where /dev/kvm\n"
	"                         offers it, else vmm's PLIC), plic, or aia (KVM's\n"
	"                         APLIC and IMSICs, or an error); AIA guests need\n"
	"                         Linux 6.10 or later\n"
	"      --dump-dtb FILE    write the guest's device tree to FILE and exit\n"
	"      --log-level LEVEL  error, warn (default), info or debug\n"
	"\n"
	"On a terminal the console is raw: type Ctrl-A x to quit (to detach, in\n"
	"vmm console), Ctrl-A Ctrl-A to send Ctrl-A. A VM keeps its last 64 KiB of\n"
	"console output for vmm console.\n"
	"\n"
	"RUNDIR is $VMM_RUNTIME_DIR, else /run/vmm for root, else\n"
	"$XDG_RUNTIME_DIR/vmm; it holds each VM's control socket NAME.sock and\n"
	"the lock NAME.lock by which it holds its name. It must be yours, mode\n"
	"0700, and no directory above it writable by other users (unless sticky).\n"
	"\n"
	"exit status of run (and of wait, for the VM it waited for):\n"
	"  0      guest powered off (or wrote PASS to the test finisher)\n"
	"  1-63   guest wrote FAIL with this code to the test finisher (others: 63)\n"
	"  64     usage error: bad flag, value or config file\n"
	"  65     guest reset (without --reboot, or during vmm stop)\n"
	"  66     guest stopped on a vCPU error (registers dumped on stderr)\n"
	"  67     VM killed: vmm kill, or vmm stop after its timeout\n"
	"  70     monitor error: file, memory or hypervisor problem\n"
	"  71     (lifecycle commands) no such VM, or its control socket failed\n";

void print_usage(void)
{
	fputs(usage_text, stdout);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vmm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see vmm --help)\n", stderr);
	return VMM_EXIT_USAGE;
}

/* A crash of vmm itself says where, for the bug report (addresses in the
 * binary: addr2line -e vmm; elsewhere: the memory map that follows),
 * then dies of the same signal. */
static void on_crash(int sig, siginfo_t *si, void *ctx)
{
	unsigned long long pc = 0, ra = 0;
	char line[160];
	void *frames[32];
	int n, len;

#ifdef __riscv
	pc = ((ucontext_t *)ctx)->uc_mcontext.__gregs[0];
	ra = ((ucontext_t *)ctx)->uc_mcontext.__gregs[1];
#else
	(void)ctx;
#endif
	len = snprintf(
		line, sizeof(line),
		"vmm: internal error: signal %d at address %p, pc 0x%llx, ra 0x%llx; backtrace:\n",
		sig, si->si_addr, pc, ra);
	if (len > 0 && write(STDERR_FILENO, line, (size_t)len) < 0)
		_exit(70);
	n = backtrace(frames, 32);
	backtrace_symbols_fd(frames, n, STDERR_FILENO);
#ifdef __riscv
	{ /* where the pc and the addresses above lie */
		int fd = open("/proc/self/maps", O_RDONLY), k;
		char buf[4096];
		ssize_t r;

		for (k = 0;
		     fd >= 0 && k < 16 && (r = read(fd, buf, sizeof(buf))) > 0;
		     k++)
			(void)!write(STDERR_FILENO, buf, (size_t)r);
	}
#endif
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_crashes(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGABRT };
	struct sigaction sa;
	unsigned i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_crash;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int main(int argc, char **argv)
{
	static const char *const ctl[] = { "list",  "status", "stats",
					   "pause", "resume", "stop",
					   "kill",  "wait",   "console" };
	unsigned i;

	log_start();
	/* A peer that went away (a vmm wait client, the reader of a piped
	 * stdout) is an EPIPE to handle where it happens, never our death. */
	signal(SIGPIPE, SIG_IGN);
	catch_crashes();
	if (argc < 2)
		return usage_error("no command given");
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("vmm %s\n", VMM_VERSION);
		return VMM_EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return VMM_EXIT_OK;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	for (i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++)
		if (!strcmp(argv[1], ctl[i]))
			return cmd_ctl(ctl[i], argc - 1, argv + 1);
	return usage_error("unknown command '%s'", argv[1]);
}
