// SPDX-License-Identifier: MIT
/* `vmm run` and `vmm check`: a config file, then flags over it, into one
 * vm_config, checked before any guest memory exists. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config_file.h"
#include "console.h"
#include "control.h"
#include "log.h"
#include "vm.h"

enum {
	OPT_KERNEL_ADDR = 256,
	OPT_BACKEND,
	OPT_CONSOLE,
	OPT_REBOOT,
	OPT_DUMP_DTB,
	OPT_LOG_LEVEL,
	OPT_DETACH,
	OPT_ENTRY_MODE,
	OPT_RNG,
	OPT_IRQCHIP,
	OPT_NET,
};

static const struct option run_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "name", required_argument, NULL, 'n' },
	{ "kernel", required_argument, NULL, 'k' },
	{ "initrd", required_argument, NULL, 'i' },
	{ "cmdline", required_argument, NULL, 'a' },
	{ "cpus", required_argument, NULL, 'p' },
	{ "memory", required_argument, NULL, 'm' },
	{ "disk", required_argument, NULL, 'd' },
	{ "kernel-addr", required_argument, NULL, OPT_KERNEL_ADDR },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "entry-mode", required_argument, NULL, OPT_ENTRY_MODE },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "reboot", no_argument, NULL, OPT_REBOOT },
	{ "rng", required_argument, NULL, OPT_RNG },
	{ "irqchip", required_argument, NULL, OPT_IRQCHIP },
	{ "net", required_argument, NULL, OPT_NET },
	{ "dump-dtb", required_argument, NULL, OPT_DUMP_DTB },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

#define SHORT_OPTIONS "c:n:k:i:a:p:m:d:h"

static int parse_uint(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

int parse_log_level(const char *s)
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

/* The config file first (-c may come anywhere), so that flags override. */
static int load_config(int argc, char **argv, struct vm_config *cfg)
{
	const char *file = NULL;
	char err[512];
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, SHORT_OPTIONS, run_options,
				  NULL)) != -1)
		if (opt == 'c')
			file = optarg;
	opterr = 1;
	if (!file)
		return -1;
	if (config_load(file, cfg, err, sizeof(err))) {
		fprintf(stderr, "vmm: %s\n", err);
		return VMM_EXIT_USAGE;
	}
	if (cfg->log_level)
		parse_log_level(cfg->log_level);
	return -1;
}

static int add_disk(struct vm_config *cfg, const char *spec, int *cli_disks)
{
	char err[160];

	/* Disks on the command line replace the config file's. */
	if (!*cli_disks)
		cfg->nr_disks = 0;
	*cli_disks = 1;
	if (cfg->nr_disks == VIRTIO_MMIO_SLOTS)
		return usage_error("--disk %s: at most 8 disks", spec);
	if (parse_disk(spec, &cfg->disks[cfg->nr_disks], err, sizeof(err)))
		return usage_error("--disk %s: %s", spec, err);
	cfg->nr_disks++;
	return -1;
}

static int add_net(struct vm_config *cfg, const char *spec, int *cli_nets)
{
	char err[160];

	/* Interfaces on the command line replace the config file's. */
	if (!*cli_nets)
		cfg->nr_nets = 0;
	*cli_nets = 1;
	if (cfg->nr_nets == VM_MAX_NETS)
		return usage_error("--net %s: at most %d network interfaces",
				   spec, VM_MAX_NETS);
	if (parse_net(spec, &cfg->nets[cfg->nr_nets], err, sizeof(err)))
		return usage_error("--net %s: %s", spec, err);
	cfg->nr_nets++;
	return -1;
}

/* One flag; -1 when it was good, else an exit status. */
static int apply(int opt, struct vm_config *cfg, int *cli_disks, int *cli_nets)
{
	unsigned long long n;

	switch (opt) {
	case 'c':
		return -1; /* done first */
	case 'n':
		cfg->name = optarg;
		return vm_name_valid(optarg)
			       ? -1
			       : usage_error(
					 "--name %s: 1 to 64 letters, digits, '-', '_' or '.' (not first)",
					 optarg);
	case 'k':
		cfg->kernel = optarg;
		return -1;
	case 'i':
		cfg->initrd = optarg;
		return -1;
	case 'a':
		cfg->cmdline = optarg;
		return -1;
	case 'p':
		if (parse_uint(optarg, &n) || n == 0 || n > VM_MAX_CPUS)
			return usage_error("--cpus %s: must be 1 to 8", optarg);
		cfg->cpus = (unsigned)n;
		return -1;
	case 'm':
		if (parse_size(optarg, &cfg->memory))
			return usage_error(
				"--memory %s: not a size like 256M or 1G",
				optarg);
		return -1;
	case 'd':
		return add_disk(cfg, optarg, cli_disks);
	case OPT_KERNEL_ADDR:
		if (parse_uint(optarg, &n))
			return usage_error("--kernel-addr %s: not a number",
					   optarg);
		if (!n) /* 0 stands for "not given" */
			return usage_error(
				"--kernel-addr %s: outside guest RAM", optarg);
		cfg->kernel_addr = n;
		return -1;
	case OPT_BACKEND:
		if (parse_word(optarg, "auto|kvm|trap"))
			return usage_error(
				"--backend %s: must be auto, kvm or trap",
				optarg);
		cfg->backend = optarg;
		return -1;
	case OPT_ENTRY_MODE:
		cfg->entry_mode = parse_entry_mode(optarg);
		if (!cfg->entry_mode)
			return usage_error("--entry-mode %s: must be s or m",
					   optarg);
		return -1;
	case OPT_CONSOLE:
		cfg->console = optarg;
		return -1;
	case OPT_DETACH:
		cfg->detach = 1;
		return -1;
	case OPT_REBOOT:
		cfg->reboot = 1;
		return -1;
	case OPT_RNG:
		if (parse_on_off(optarg, &cfg->rng))
			return usage_error("--rng %s: must be on or off",
					   optarg);
		return -1;
	case OPT_IRQCHIP:
		if (parse_word(optarg, "auto|plic|aia"))
			return usage_error(
				"--irqchip %s: must be auto, plic or aia",
				optarg);
		cfg->irqchip = optarg;
		return -1;
	case OPT_NET:
		return add_net(cfg, optarg, cli_nets);
	case OPT_DUMP_DTB:
		cfg->dump_dtb = optarg;
		return -1;
	case OPT_LOG_LEVEL:
		if (parse_log_level(optarg))
			return usage_error(
				"--log-level %s: must be error, warn, info or debug",
				optarg);
		return -1;
	case 'h':
		print_usage();
		return VMM_EXIT_OK;
	default:
		return VMM_EXIT_USAGE; /* getopt said what */
	}
}

/* Returns -1 when the config is complete and valid, else an exit status. */
static int parse_run(int argc, char **argv, struct vm_config *cfg)
{
	int opt, status, cli_disks = 0, cli_nets = 0;
	char err[256];

	vm_config_defaults(cfg);
	status = load_config(argc, argv, cfg);
	if (status >= 0)
		return status;
	optind = 1;
	while ((opt = getopt_long(argc, argv, SHORT_OPTIONS, run_options,
				  NULL)) != -1) {
		status = apply(opt, cfg, &cli_disks, &cli_nets);
		if (status >= 0)
			return status;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (vm_config_validate(cfg, err, sizeof(err)))
		return usage_error("%s", err);
	return -1;
}

static int open_console(struct console *console, const struct vm_config *cfg)
{
	int e = console_open(console, cfg->console);

	if (!e)
		return -1;
	if (e == -EINVAL)
		return usage_error("--console %s: must be stdio or file:PATH",
				   cfg->console);
	fprintf(stderr, "vmm: console %s: %s\n", cfg->console + 5,
		strerror(-e));
	return VMM_EXIT_ERROR;
}

/* The control socket is needed before the start for a VM the user named
 * (to claim the name) or detached (the child inherits it). Any other VM
 * opens it once its guest runs, off the path to the first instruction,
 * and without a usable runtime directory only loses the lifecycle
 * commands. Returns the control to use, or NULL; *status is an exit status
 * when the VM must not start. */
static struct control *open_control(struct control *ctl, struct vm_config *cfg,
				    int *status)
{
	char err[512];

	*status = -1;
	if (cfg->dump_dtb)
		return NULL;
	if (!cfg->name && !cfg->detach) {
		control_defer(ctl, cfg);
		return ctl;
	}
	if (!control_open(ctl, cfg, err, sizeof(err)))
		return ctl;
	fprintf(stderr, "vmm: %s\n", err);
	*status = VMM_EXIT_ERROR;
	return NULL;
}

int cmd_run(int argc, char **argv)
{
	struct control ctl_storage, *ctl;
	struct vm_config cfg;
	struct console console;
	int status;

	status = parse_run(argc, argv, &cfg);
	if (status >= 0)
		return status;
	log_name = cfg.name; /* only a name the user gave */
	ctl = open_control(&ctl_storage, &cfg, &status);
	if (status >= 0)
		return status;
	if (cfg.detach) {
		status = control_detach(ctl, &cfg);
		if (status >= 0)
			return status; /* the parent: the guest runs, or failed */
	}
	status = open_console(&console, &cfg);
	if (status < 0) {
		status = vm_run(&cfg, &console, ctl);
		console_close(&console);
	}
	if (ctl)
		control_close(ctl, status);
	return status;
}

static int check_file(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 &&
	    (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) &&
	    access(path, R_OK) == 0)
		return 0;
	fprintf(stderr, "vmm: %s %s: %s\n", what, path,
		errno ? strerror(errno) : "not a regular file or block device");
	return -1;
}

/* `vmm check`: everything `vmm run` would check before it starts, and
 * whether the files it names are there. */
int cmd_check(int argc, char **argv)
{
	struct vm_config cfg;
	int status, bad = 0;
	unsigned i;

	status = parse_run(argc, argv, &cfg);
	if (status >= 0)
		return status;
	errno = 0;
	bad |= check_file("kernel", cfg.kernel);
	if (cfg.initrd)
		bad |= check_file("initrd", cfg.initrd);
	for (i = 0; i < cfg.nr_disks; i++)
		bad |= check_file("disk", cfg.disks[i].path);
	if (!bad) {
		printf("ok: %s, %u vCPUs, %llu MiB, %u disk%s", cfg.kernel,
		       cfg.cpus, (unsigned long long)(cfg.memory >> 20),
		       cfg.nr_disks, cfg.nr_disks == 1 ? "" : "s");
		if (cfg.nr_nets)
			printf(", %u network interface%s", cfg.nr_nets,
			       cfg.nr_nets == 1 ? "" : "s");
		putchar('\n');
	}
	vm_config_free(&cfg);
	return bad ? VMM_EXIT_ERROR : VMM_EXIT_OK;
}
