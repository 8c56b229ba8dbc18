// SPDX-License-Identifier: MIT
#include "unit.h"

#include "../../vmm/config_file.h"

static struct vm_config cfg;
static char err[512];

static int parse(const char *text)
{
	vm_config_free(&cfg);
	vm_config_defaults(&cfg);
	err[0] = '\0';
	return config_parse("/etc/vmm/test.conf", text, &cfg, err, sizeof(err));
}

static void expect_error(const char *text, const char *msg)
{
	assert_int_equal(parse(text), -EINVAL);
	assert_string_equal(err, msg);
}

static void test_full_file(void **state)
{
	(void)state;
	assert_int_equal(parse("# a comment\n"
			       "[vm]\n"
			       "name = web-1\n"
			       "cpus = 4\n"
			       "memory = 512M\n"
			       "backend = kvm\n"
			       "reboot = on\n"
			       "rng = off\n"
			       "irqchip = plic\n"
			       "log-level = info\n"
			       "\n"
			       "[kernel]\n"
			       "  path = Image  \n"
			       "initrd = /boot/initrd.cpio\n"
			       "cmdline = \"console=ttyS0 quiet \"\n"
			       "addr = 0x80400000\n"
			       "entry-mode = m\n"
			       "; another comment\n"
			       "[disk \"root\"]\n"
			       "path = disks/root.img\n"
			       "cache = none\n"
			       "[disk \"data\"]\n"
			       "path = /srv/data.img\n"
			       "readonly = yes\n"
			       "legacy = on\n"
			       "[console]\n"
			       "output = file:console.log\n"),
			 0);
	assert_string_equal(cfg.name, "web-1");
	assert_int_equal(cfg.cpus, 4);
	assert_int_equal(cfg.memory, 512ULL << 20);
	assert_string_equal(cfg.backend, "kvm");
	assert_true(cfg.reboot);
	assert_false(cfg.rng);
	assert_string_equal(cfg.irqchip, "plic");
	assert_string_equal(cfg.log_level, "info");
	assert_string_equal(cfg.kernel, "/etc/vmm/Image");
	assert_string_equal(cfg.initrd, "/boot/initrd.cpio");
	assert_string_equal(cfg.cmdline, "console=ttyS0 quiet ");
	assert_int_equal(cfg.kernel_addr, 0x80400000ULL);
	assert_int_equal(cfg.entry_mode, 'm');
	assert_int_equal(cfg.nr_disks, 2);
	assert_string_equal(cfg.disks[0].path, "/etc/vmm/disks/root.img");
	assert_true(cfg.disks[0].direct);
	assert_false(cfg.disks[0].readonly);
	assert_string_equal(cfg.disks[1].path, "/srv/data.img");
	assert_true(cfg.disks[1].readonly && cfg.disks[1].legacy);
	assert_string_equal(cfg.console, "file:/etc/vmm/console.log");
}

static void test_minimal_file_keeps_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("[kernel]\npath=Image\n"), 0);
	assert_int_equal(cfg.cpus, 1);
	assert_int_equal(cfg.memory, VM_DEFAULT_MEMORY);
	assert_string_equal(cfg.cmdline, "console=ttyS0");
	assert_null(cfg.name);
}

static void test_errors_name_file_and_line(void **state)
{
	(void)state;
	expect_error("[vm]\ncpus = 99\n",
		     "/etc/vmm/test.conf:2: cpus = 99: must be 1 to 8");
	expect_error(
		"[vm]\nmemory = lots\n",
		"/etc/vmm/test.conf:2: memory = lots: not a size like 256M or 1G");
	expect_error(
		"[vm]\n\n\ncolour = blue\n",
		"/etc/vmm/test.conf:4: unknown key 'colour' in [vm] (known: name, cpus, memory, backend, reboot, rng, irqchip, log-level, dump-dtb)");
	expect_error(
		"[network]\n",
		"/etc/vmm/test.conf:1: unknown section [network] (vm, kernel, disk \"NAME\", net \"NAME\", console)");
	expect_error("[vm]\n[vm]\n",
		     "/etc/vmm/test.conf:2: duplicate section [vm]");
	expect_error("[kernel]\npath = a\npath = b\n",
		     "/etc/vmm/test.conf:3: duplicate key 'path'");
	expect_error("[disk \"a\"]\npath = x\n[disk \"a\"]\npath = y\n",
		     "/etc/vmm/test.conf:3: duplicate section [disk \"a\"]");
	expect_error(
		"[disk]\n",
		"/etc/vmm/test.conf:1: a disk section reads [disk \"NAME\"]");
	expect_error("[kernel]\npath = I\n[disk \"a\"]\nreadonly = on\n",
		     "/etc/vmm/test.conf:3: [disk \"a\"] has no path");
	expect_error("[vm]\ncpus = 2\n",
		     "/etc/vmm/test.conf:2: no [kernel] section with a path");
	expect_error("[kernel]\ninitrd = x\n[vm]\n",
		     "/etc/vmm/test.conf:1: [kernel] has no path");
	expect_error("cpus = 2\n",
		     "/etc/vmm/test.conf:1: 'cpus' before any [section]");
	expect_error("[vm]\njust words\n",
		     "/etc/vmm/test.conf:2: expected key = value or [section]");
	expect_error("[vm\n",
		     "/etc/vmm/test.conf:1: a section header reads [name]");
	expect_error("[vm] trailing\n",
		     "/etc/vmm/test.conf:1: a section header reads [name]");
	expect_error("[vm \"x\"]\n",
		     "/etc/vmm/test.conf:1: section [vm] takes no name");
	expect_error("[kernel]\ncmdline = \"open\n",
		     "/etc/vmm/test.conf:2: unterminated quoted value");
	expect_error(
		"[vm]\nbackend = xen\n",
		"/etc/vmm/test.conf:2: backend = xen: must be auto, kvm or trap");
	expect_error("[kernel]\nentry-mode = u\n",
		     "/etc/vmm/test.conf:2: entry-mode = u: must be s or m");
	expect_error("[vm]\nrng = maybe\n",
		     "/etc/vmm/test.conf:2: rng = maybe: must be on or off");
	expect_error(
		"[vm]\nirqchip = gic\n",
		"/etc/vmm/test.conf:2: irqchip = gic: must be auto, plic or aia");
	expect_error("[vm]\nreboot = maybe\n",
		     "/etc/vmm/test.conf:2: reboot = maybe: must be on or off");
	expect_error(
		"[vm]\nlog-level = loud\n",
		"/etc/vmm/test.conf:2: log-level = loud: must be error, warn, info or debug");
	expect_error(
		"[vm]\nname = ../etc\n",
		"/etc/vmm/test.conf:2: name = ../etc: 1 to 64 letters, digits, '-', '_' or '.' (not first)");
	expect_error("[kernel]\naddr = -5\n",
		     "/etc/vmm/test.conf:2: addr = -5: not an address");
	expect_error("[kernel]\naddr = 0\n",
		     "/etc/vmm/test.conf:2: addr = 0: outside guest RAM");
	expect_error("[kernel]\npath =\n", "/etc/vmm/test.conf:2: empty path");
	expect_error(
		"[disk \"a\"]\npath = x\ncache = maybe\n",
		"/etc/vmm/test.conf:3: cache = maybe: must be writeback or none");
	expect_error("[disk \"a\"]\npath = x\nreadonly = 2\n",
		     "/etc/vmm/test.conf:3: readonly = 2: must be on or off");
	expect_error(
		"[console]\noutput = tty\n",
		"/etc/vmm/test.conf:2: output = tty: must be stdio or file:PATH");
}

static void test_net_sections(void **state)
{
	(void)state;
	assert_int_equal(
		parse("[kernel]\npath = I\n"
		      "[net \"up\"]\nhostfwd = tcp:8022:22, udp:5353:53\n"
		      "mac = 52:54:00:aa:bb:cc\n"
		      "[net \"lan\"]\nmode = tap\nifname = tap3\n"),
		0);
	assert_int_equal(cfg.nr_nets, 2);
	assert_false(cfg.nets[0].tap);
	assert_int_equal(cfg.nets[0].nr_fwds, 2);
	assert_int_equal(cfg.nets[0].fwds[1].guest_port, 53);
	assert_true(cfg.nets[0].fwds[1].udp);
	assert_int_equal(cfg.nets[0].mac[5], 0xcc);
	assert_true(cfg.nets[1].tap);
	assert_string_equal(cfg.nets[1].ifname, "tap3");

	expect_error(
		"[net \"a\"]\nmode = bridge\n",
		"/etc/vmm/test.conf:2: mode = bridge: must be user or tap");
	expect_error(
		"[net \"a\"]\nmode = tap\n[vm]\n",
		"/etc/vmm/test.conf:1: [net \"a\"] is mode = tap without an ifname");
	expect_error(
		"[kernel]\npath = I\n[net \"a\"]\nifname = tap0\n",
		"/etc/vmm/test.conf:3: [net \"a\"] has an ifname, which is for mode = tap");
	expect_error(
		"[net \"a\"]\nhostfwd = tcp:1:2\nmode = tap\nifname = t\n[vm]\n",
		"/etc/vmm/test.conf:1: [net \"a\"] has a hostfwd, which is for mode = user (a TAP device is reached directly)");
	expect_error(
		"[net \"a\"]\nhostfwd = tcp:1:2 tcp:3\n",
		"/etc/vmm/test.conf:2: hostfwd=tcp:3: must be tcp:HOSTPORT:GUESTPORT or udp:HOSTPORT:GUESTPORT");
	expect_error(
		"[net \"a\"]\nmac = ff:ff:ff:ff:ff:ff\n",
		"/etc/vmm/test.conf:2: mac=ff:ff:ff:ff:ff:ff: must be six hex bytes, aa:bb:cc:dd:ee:ff, and not multicast");
	expect_error("[net \"a\"]\n[net \"a\"]\n",
		     "/etc/vmm/test.conf:2: duplicate section [net \"a\"]");
	expect_error(
		"[net \"a\"]\n[net \"b\"]\n[net \"c\"]\n[net \"d\"]\n[net \"e\"]\n",
		"/etc/vmm/test.conf:5: more than 4 network interfaces");
}

static void test_too_many_disks(void **state)
{
	char text[2048];
	size_t n = 0;
	int i;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "[kernel]\npath=I\n");
	for (i = 0; i < 9; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "[disk \"d%d\"]\npath = d%d.img\n", i, i);
	expect_error(text, "/etc/vmm/test.conf:19: more than 8 disks");
}

static void test_long_line(void **state)
{
	char *text = malloc(10000);

	(void)state;
	memset(text, 'x', 9999);
	text[9999] = '\0';
	expect_error(text, "/etc/vmm/test.conf:1: line longer than 4095 bytes");
	free(text);
}

static void test_relative_to_cwd_without_directory(void **state)
{
	(void)state;
	vm_config_free(&cfg);
	vm_config_defaults(&cfg);
	assert_int_equal(config_parse("vm.conf", "[kernel]\npath = Image\n",
				      &cfg, err, sizeof(err)),
			 0);
	assert_string_equal(cfg.kernel, "Image");
}

static void test_load_errors(void **state)
{
	(void)state;
	vm_config_free(&cfg);
	vm_config_defaults(&cfg);
	assert_int_equal(
		config_load("/nonexistent.conf", &cfg, err, sizeof(err)),
		-ENOENT);
	assert_string_equal(err,
			    "/nonexistent.conf: No such file or directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_minimal_file_keeps_defaults),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_net_sections),
		cmocka_unit_test(test_too_many_disks),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_relative_to_cwd_without_directory),
		cmocka_unit_test(test_load_errors),
	};

	int ret = RUN(tests);

	vm_config_free(&cfg);
	return ret;
}
