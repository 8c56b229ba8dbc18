// SPDX-License-Identifier: MIT
/* The command line: `vmm run ...`, `vmm --version`, `vmm --help`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "console.h"
#include "log.h"
#include "vm.h"

#ifndef VMM_VERSION
#define VMM_VERSION "unknown"
#endif

static const char usage_text[] =
	"usage: vmm run --kernel FILE [options]\n"
	"       vmm --version | --help\n"
	"\n"
	"Run a RISC-V guest on /dev/kvm.\n"
	"\n"
	"run options:\n"
	"  -k, --kernel FILE      guest kernel: Linux Image, ELF, or raw binary\n"
	"  -i, --initrd FILE      initial ramdisk, placed after the kernel\n"
	"  -a, --cmdline TEXT     kernel command line (default \"console=ttyS0\")\n"
	"  -p, --cpus N           harts, 1 to 8 (default 1)\n"
	"  -m, --memory SIZE      guest RAM, e.g. 256M or 1G (default 256M)\n"
	"  -d, --disk FILE[,readonly=on][,cache=none][,legacy=on]\n"
	"                         a virtio-blk disk (raw image or block device);\n"
	"                         repeat for more, up to 8. cache=none is O_DIRECT,\n"
	"                         legacy=on the virtio-mmio version 1 interface\n"
	"      --kernel-addr ADDR load address of a raw binary (default 0x80200000)\n"
	"      --backend NAME     auto or kvm (default auto: kvm)\n"
	"      --console SPEC     stdio (default) or file:PATH (output only)\n"
	"      --reboot           boot again when the guest resets, instead of exiting\n"
	"      --dump-dtb FILE    write the guest's device tree to FILE and exit\n"
	"      --log-level LEVEL  error, warn (default), info or debug\n"
	"\n"
	"On a terminal the console is raw: type Ctrl-A x to quit, Ctrl-A Ctrl-A\n"
	"to send Ctrl-A.\n"
	"\n"
	"exit status:\n"
	"  0      guest powered off (or wrote PASS to the test finisher)\n"
	"  1-63   guest wrote FAIL with this code to the test finisher (others: 63)\n"
	"  64     usage error: bad flag or value\n"
	"  65     guest reset (without --reboot)\n"
	"  66     guest stopped on a vCPU error (registers dumped on stderr)\n"
	"  70     monitor error: file, memory or hypervisor problem\n";

enum {
	OPT_KERNEL_ADDR = 256,
	OPT_BACKEND,
	OPT_CONSOLE,
	OPT_REBOOT,
	OPT_DUMP_DTB,
	OPT_LOG_LEVEL,
};

static const struct option run_options[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "initrd", required_argument, NULL, 'i' },
	{ "cmdline", required_argument, NULL, 'a' },
	{ "cpus", required_argument, NULL, 'p' },
	{ "memory", required_argument, NULL, 'm' },
	{ "disk", required_argument, NULL, 'd' },
	{ "kernel-addr", required_argument, NULL, OPT_KERNEL_ADDR },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "reboot", no_argument, NULL, OPT_REBOOT },
	{ "dump-dtb", required_argument, NULL, OPT_DUMP_DTB },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vmm: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see vmm --help)\n");
	return VMM_EXIT_USAGE;
}

static int parse_uint(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

static int parse_log_level(const char *s)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	unsigned i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(s, names[i])) {
			log_level = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_backend(const char *s)
{
	return strcmp(s, "auto") && strcmp(s, "kvm") && strcmp(s, "trap")
		       ? -EINVAL
		       : 0;
}

/* Returns -1 when all options were good, else an exit status. */
static int parse_run(int argc, char **argv, struct vm_config *cfg)
{
	unsigned long long n;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "k:i:a:p:m:d:h", run_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'k':
			cfg->kernel = optarg;
			break;
		case 'i':
			cfg->initrd = optarg;
			break;
		case 'a':
			cfg->cmdline = optarg;
			break;
		case 'p':
			if (parse_uint(optarg, &n) || n == 0 || n > VM_MAX_CPUS)
				return usage_error("--cpus %s: must be 1 to 8",
						   optarg);
			cfg->cpus = (unsigned)n;
			break;
		case 'm':
			if (parse_size(optarg, &cfg->memory))
				return usage_error(
					"--memory %s: not a size like 256M or 1G",
					optarg);
			break;
		case 'd': {
			char err[160];

			if (cfg->nr_disks == VIRTIO_MMIO_SLOTS)
				return usage_error("--disk %s: at most 8 disks",
						   optarg);
			if (parse_disk(optarg, &cfg->disks[cfg->nr_disks], err,
				       sizeof(err))) {
				fprintf(stderr,
					"vmm: --disk %s: %s (see vmm --help)\n",
					optarg, err);
				return VMM_EXIT_USAGE;
			}
			cfg->nr_disks++;
			break;
		}
		case OPT_KERNEL_ADDR:
			if (parse_uint(optarg, &n))
				return usage_error(
					"--kernel-addr %s: not a number",
					optarg);
			cfg->kernel_addr = n;
			break;
		case OPT_BACKEND:
			if (parse_backend(optarg))
				return usage_error(
					"--backend %s: must be auto, kvm or trap",
					optarg);
			cfg->backend = optarg;
			break;
		case OPT_CONSOLE:
			cfg->console = optarg;
			break;
		case OPT_REBOOT:
			cfg->reboot = 1;
			break;
		case OPT_DUMP_DTB:
			cfg->dump_dtb = optarg;
			break;
		case OPT_LOG_LEVEL:
			if (parse_log_level(optarg))
				return usage_error(
					"--log-level %s: must be error, warn, info or debug",
					optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return VMM_EXIT_OK;
		default:
			return VMM_EXIT_USAGE; /* getopt said what */
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	return -1;
}

static int cmd_run(int argc, char **argv)
{
	struct vm_config cfg;
	struct console console;
	char err[256];
	int status, e;

	vm_config_defaults(&cfg);
	status = parse_run(argc, argv, &cfg);
	if (status >= 0)
		return status;
	if (vm_config_validate(&cfg, err, sizeof(err)))
		return usage_error("%s", err);
	e = console_open(&console, cfg.console);
	if (e) {
		if (e == -EINVAL)
			return usage_error(
				"--console %s: must be stdio or file:PATH",
				cfg.console);
		fprintf(stderr, "vmm: console %s: %s\n", cfg.console + 5,
			strerror(-e));
		return VMM_EXIT_ERROR;
	}
	status = vm_run(&cfg, &console);
	console_close(&console);
	return status;
}

int main(int argc, char **argv)
{
	log_start();
	if (argc < 2)
		return usage_error("%s", "no command given");
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
	return usage_error("unknown command '%s'", argv[1]);
}
