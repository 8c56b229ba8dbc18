// SPDX-License-Identifier: MIT
/* The config file parser: one pass, line by line, a table of keys. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_file.h"
#include "log.h"

#define MAX_LINE 4096

enum section { SEC_NONE, SEC_VM, SEC_KERNEL, SEC_DISK, SEC_CONSOLE, SEC_NET };

struct parser {
	const char *file;
	char *dir; /* the file's directory, with a trailing '/', or "" */
	unsigned line;
	struct vm_config *cfg;
	char *err;
	size_t errlen;
	enum section sec;
	struct blk_options *disk; /* the [disk] being filled */
	unsigned sec_line; /* where the current section began */
	char disk_names[VIRTIO_MMIO_SLOTS][64];
	struct net_options *net; /* the [net] being filled */
	char net_names[VM_MAX_NETS][64];
	unsigned seen_sections; /* bit per section type */
	unsigned long long seen_keys; /* bit per key, reset per section */
	unsigned kernel_line;
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	size_t n = (size_t)snprintf(p->err, p->errlen, "%s:%u: ", p->file,
				    p->line);
	va_list ap;

	if (n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* A value may be in double quotes (to keep spaces at its ends). */
static int unquote(struct parser *p, char **v)
{
	size_t len = strlen(*v);

	if (len && (*v)[0] == '"') {
		if (len < 2 || (*v)[len - 1] != '"')
			return fail(p, "unterminated quoted value");
		(*v)[len - 1] = '\0';
		(*v)++;
	}
	return 0;
}

static char *dup_path(struct parser *p, const char *v)
{
	char *s;

	if (v[0] == '/' || !p->dir[0])
		return strdup(v);
	s = malloc(strlen(p->dir) + strlen(v) + 1);
	if (s)
		sprintf(s, "%s%s", p->dir, v);
	return s;
}

/* --- keys ---------------------------------------------------------------- */

typedef int (*key_fn)(struct parser *p, const char *v);

/* Hand an allocated string to the config, which frees it in the end. */
static int keep(struct parser *p, const char **dst, char *s)
{
	struct vm_config *c = p->cfg;

	if (!s || c->nr_owned == sizeof(c->owned) / sizeof(c->owned[0])) {
		free(s);
		return fail(p, "out of memory");
	}
	c->owned[c->nr_owned++] = s;
	*dst = s;
	return 0;
}

static int set_string(struct parser *p, const char **dst, const char *v)
{
	return keep(p, dst, strdup(v));
}

static int set_path(struct parser *p, const char **dst, const char *v)
{
	if (!*v)
		return fail(p, "empty path");
	return keep(p, dst, dup_path(p, v));
}

static int vm_name(struct parser *p, const char *v)
{
	if (!vm_name_valid(v))
		return fail(
			p,
			"name = %s: 1 to 64 letters, digits, '-', '_' or '.' (not first)",
			v);
	return set_string(p, &p->cfg->name, v);
}

static int vm_cpus(struct parser *p, const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (!*v || *end || n < 1 || n > VM_MAX_CPUS)
		return fail(p, "cpus = %s: must be 1 to %d", v, VM_MAX_CPUS);
	p->cfg->cpus = (unsigned)n;
	return 0;
}

static int vm_memory(struct parser *p, const char *v)
{
	if (parse_size(v, &p->cfg->memory))
		return fail(p, "memory = %s: not a size like 256M or 1G", v);
	return 0;
}

static int vm_backend(struct parser *p, const char *v)
{
	if (parse_word(v, "auto|kvm|trap"))
		return fail(p, "backend = %s: must be auto, kvm or trap", v);
	return set_string(p, &p->cfg->backend, v);
}

static int kernel_entry_mode(struct parser *p, const char *v)
{
	p->cfg->entry_mode = parse_entry_mode(v);
	if (!p->cfg->entry_mode)
		return fail(p, "entry-mode = %s: must be s or m", v);
	return 0;
}

static int vm_rng(struct parser *p, const char *v)
{
	if (parse_on_off(v, &p->cfg->rng))
		return fail(p, "rng = %s: must be on or off", v);
	return 0;
}

static int vm_irqchip(struct parser *p, const char *v)
{
	if (parse_word(v, "auto|plic|aia"))
		return fail(p, "irqchip = %s: must be auto, plic or aia", v);
	return set_string(p, &p->cfg->irqchip, v);
}

static int vm_reboot(struct parser *p, const char *v)
{
	if (parse_on_off(v, &p->cfg->reboot))
		return fail(p, "reboot = %s: must be on or off", v);
	return 0;
}

static int vm_log_level(struct parser *p, const char *v)
{
	if (strcmp(v, "error") && strcmp(v, "warn") && strcmp(v, "info") &&
	    strcmp(v, "debug"))
		return fail(
			p, "log-level = %s: must be error, warn, info or debug",
			v);
	return set_string(p, &p->cfg->log_level, v);
}

static int vm_dump_dtb(struct parser *p, const char *v)
{
	return set_path(p, &p->cfg->dump_dtb, v);
}

static int kernel_path(struct parser *p, const char *v)
{
	return set_path(p, &p->cfg->kernel, v);
}

static int kernel_initrd(struct parser *p, const char *v)
{
	return set_path(p, &p->cfg->initrd, v);
}

static int kernel_cmdline(struct parser *p, const char *v)
{
	return set_string(p, &p->cfg->cmdline, v);
}

static int kernel_addr(struct parser *p, const char *v)
{
	char *end;

	errno = 0;
	p->cfg->kernel_addr = strtoull(v, &end, 0);
	if (!*v || *end || errno || *v == '-')
		return fail(p, "addr = %s: not an address", v);
	if (!p->cfg->kernel_addr) /* 0 stands for "not given" */
		return fail(p, "addr = %s: outside guest RAM", v);
	return 0;
}

static int disk_path(struct parser *p, const char *v)
{
	return set_path(p, &p->disk->path, v);
}

static int disk_readonly(struct parser *p, const char *v)
{
	if (parse_on_off(v, &p->disk->readonly))
		return fail(p, "readonly = %s: must be on or off", v);
	return 0;
}

static int disk_cache(struct parser *p, const char *v)
{
	if (strcmp(v, "writeback") && strcmp(v, "none"))
		return fail(p, "cache = %s: must be writeback or none", v);
	p->disk->direct = !strcmp(v, "none");
	return 0;
}

static int disk_legacy(struct parser *p, const char *v)
{
	if (parse_on_off(v, &p->disk->legacy))
		return fail(p, "legacy = %s: must be on or off", v);
	return 0;
}

static int net_mode(struct parser *p, const char *v)
{
	if (strcmp(v, "user") && strcmp(v, "tap"))
		return fail(p, "mode = %s: must be user or tap", v);
	p->net->tap = !strcmp(v, "tap");
	return 0;
}

static int net_ifname(struct parser *p, const char *v)
{
	if (!*v || strlen(v) >= sizeof(p->net->ifname))
		return fail(p, "ifname = %s: 1 to %zu bytes", v,
			    sizeof(p->net->ifname) - 1);
	strcpy(p->net->ifname, v);
	return 0;
}

static int net_mac(struct parser *p, const char *v)
{
	char err[160];

	if (net_option(p->net, "mac", v, err, sizeof(err)))
		return fail(p, "%s", err);
	return 0;
}

/* Forwards separated by spaces or commas. */
static int net_hostfwd(struct parser *p, const char *v)
{
	char copy[MAX_LINE], err[160], *tok, *save;

	snprintf(copy, sizeof(copy), "%s", v);
	for (tok = strtok_r(copy, " \t,", &save); tok;
	     tok = strtok_r(NULL, " \t,", &save))
		if (net_option(p->net, "hostfwd", tok, err, sizeof(err)))
			return fail(p, "%s", err);
	return 0;
}

static int console_output(struct parser *p, const char *v)
{
	if (!strcmp(v, "stdio"))
		return set_string(p, &p->cfg->console, v);
	if (!strncmp(v, "file:", 5) && v[5]) {
		char *path = dup_path(p, v + 5);
		char *spec;

		if (!path)
			return fail(p, "out of memory");
		spec = malloc(strlen(path) + 6);
		if (!spec) {
			free(path);
			return fail(p, "out of memory");
		}
		sprintf(spec, "file:%s", path);
		free(path);
		return keep(p, &p->cfg->console, spec);
	}
	return fail(p, "output = %s: must be stdio or file:PATH", v);
}

static const struct key {
	enum section sec;
	const char *name;
	key_fn fn;
} keys[] = {
	{ SEC_VM, "name", vm_name },
	{ SEC_VM, "cpus", vm_cpus },
	{ SEC_VM, "memory", vm_memory },
	{ SEC_VM, "backend", vm_backend },
	{ SEC_VM, "reboot", vm_reboot },
	{ SEC_VM, "rng", vm_rng },
	{ SEC_VM, "irqchip", vm_irqchip },
	{ SEC_VM, "log-level", vm_log_level },
	{ SEC_VM, "dump-dtb", vm_dump_dtb },
	{ SEC_KERNEL, "path", kernel_path },
	{ SEC_KERNEL, "initrd", kernel_initrd },
	{ SEC_KERNEL, "cmdline", kernel_cmdline },
	{ SEC_KERNEL, "addr", kernel_addr },
	{ SEC_KERNEL, "entry-mode", kernel_entry_mode },
	{ SEC_DISK, "path", disk_path },
	{ SEC_DISK, "readonly", disk_readonly },
	{ SEC_DISK, "cache", disk_cache },
	{ SEC_DISK, "legacy", disk_legacy },
	{ SEC_CONSOLE, "output", console_output },
	{ SEC_NET, "mode", net_mode },
	{ SEC_NET, "ifname", net_ifname },
	{ SEC_NET, "mac", net_mac },
	{ SEC_NET, "hostfwd", net_hostfwd },
};

static const char *const section_names[] = { "",     "vm",	"kernel",
					     "disk", "console", "net" };

static const char *known_keys(enum section sec)
{
	static char buf[256];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].sec == sec)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
					      n ? ", " : "", keys[i].name);
	return buf;
}

/* --- sections ------------------------------------------------------------ */

static int end_section(struct parser *p)
{
	const char *name, *why;

	if (p->sec == SEC_DISK && !p->disk->path) {
		p->line = p->sec_line;
		return fail(p, "[disk \"%s\"] has no path",
			    p->disk_names[p->cfg->nr_disks - 1]);
	}
	if (p->sec != SEC_NET)
		return 0;
	name = p->net_names[p->cfg->nr_nets - 1];
	if (p->net->tap && !p->net->ifname[0])
		why = "is mode = tap without an ifname";
	else if (!p->net->tap && p->net->ifname[0])
		why = "has an ifname, which is for mode = tap";
	else if (p->net->tap && p->net->nr_fwds)
		why = "has a hostfwd, which is for mode = user (a TAP device is reached directly)";
	else
		return 0;
	p->line = p->sec_line;
	return fail(p, "[net \"%s\"] %s", name, why);
}

/* [disk "NAME"] or [net "NAME"]: the name, unquoted, or NULL. */
static char *section_name(struct parser *p, char *rest, const char *kind,
			  const char *plural, char names[][64], unsigned nr,
			  unsigned max)
{
	size_t len;
	unsigned i;

	rest = trim(rest);
	len = strlen(rest);
	if (len < 2 || rest[0] != '"' || rest[len - 1] != '"') {
		fail(p, "a %s section reads [%s \"NAME\"]", kind, kind);
		return NULL;
	}
	rest[len - 1] = '\0';
	rest++;
	if (!*rest || strlen(rest) >= 64) {
		fail(p, "%s name: 1 to 63 characters", kind);
		return NULL;
	}
	for (i = 0; i < nr; i++)
		if (!strcmp(names[i], rest)) {
			fail(p, "duplicate section [%s \"%s\"]", kind, rest);
			return NULL;
		}
	if (nr == max) {
		fail(p, "more than %u %s", max, plural);
		return NULL;
	}
	strcpy(names[nr], rest);
	return rest;
}

static int begin_disk(struct parser *p, char *rest)
{
	if (!section_name(p, rest, "disk", "disks", p->disk_names,
			  p->cfg->nr_disks, VIRTIO_MMIO_SLOTS))
		return -EINVAL;
	p->disk = &p->cfg->disks[p->cfg->nr_disks++];
	memset(p->disk, 0, sizeof(*p->disk));
	return 0;
}

static int begin_net(struct parser *p, char *rest)
{
	if (!section_name(p, rest, "net", "network interfaces", p->net_names,
			  p->cfg->nr_nets, VM_MAX_NETS))
		return -EINVAL;
	p->net = &p->cfg->nets[p->cfg->nr_nets++];
	memset(p->net, 0, sizeof(*p->net));
	return 0;
}

static int section(struct parser *p, char *s)
{
	char *close = strchr(s, ']'), *name, *rest;
	unsigned i;

	if (!close || trim(close + 1)[0])
		return fail(p, "a section header reads [name]");
	*close = '\0';
	name = trim(s + 1);
	rest = name + strcspn(name, " \t");
	if (*rest)
		*rest++ = '\0';
	if (end_section(p))
		return -EINVAL;
	p->seen_keys = 0;
	p->sec_line = p->line;
	for (i = 1; i < sizeof(section_names) / sizeof(section_names[0]); i++)
		if (!strcmp(name, section_names[i]))
			break;
	if (i == sizeof(section_names) / sizeof(section_names[0]))
		return fail(
			p,
			"unknown section [%s] (vm, kernel, disk \"NAME\", net \"NAME\", console)",
			name);
	p->sec = (enum section)i;
	if (p->sec == SEC_DISK)
		return begin_disk(p, rest);
	if (p->sec == SEC_NET)
		return begin_net(p, rest);
	if (*trim(rest))
		return fail(p, "section [%s] takes no name", name);
	if (p->seen_sections & (1u << i))
		return fail(p, "duplicate section [%s]", name);
	p->seen_sections |= 1u << i;
	if (p->sec == SEC_KERNEL)
		p->kernel_line = p->line;
	return 0;
}

static int assignment(struct parser *p, char *s)
{
	char *eq = strchr(s, '='), *key, *val;
	size_t i;

	if (!eq)
		return fail(p, "expected key = value or [section]");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (p->sec == SEC_NONE)
		return fail(p, "'%s' before any [section]", key);
	if (unquote(p, &val))
		return -EINVAL;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (keys[i].sec != p->sec || strcmp(keys[i].name, key))
			continue;
		if (p->seen_keys & (1ULL << i))
			return fail(p, "duplicate key '%s'", key);
		p->seen_keys |= 1ULL << i;
		return keys[i].fn(p, val);
	}
	return fail(p, "unknown key '%s' in [%s] (known: %s)", key,
		    section_names[p->sec], known_keys(p->sec));
}

static char *file_dir(const char *file)
{
	const char *slash = strrchr(file, '/');
	size_t len = slash ? (size_t)(slash - file) + 1 : 0;
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, file, len);
		d[len] = '\0';
	}
	return d;
}

int config_parse(const char *file, const char *text, struct vm_config *cfg,
		 char *err, size_t errlen)
{
	struct parser p = {
		.file = file, .cfg = cfg, .err = err, .errlen = errlen
	};
	char line[MAX_LINE];
	const char *next;
	int ret = 0;

	p.dir = file_dir(file);
	if (!p.dir)
		return -ENOMEM;
	for (; *text && !ret; text = next) {
		char *s;
		size_t len;

		next = strchr(text, '\n');
		next = next ? next + 1 : text + strlen(text);
		len = (size_t)(next - text);
		p.line++;
		if (len >= sizeof(line)) {
			ret = fail(&p, "line longer than %d bytes",
				   MAX_LINE - 1);
			break;
		}
		memcpy(line, text, len);
		line[len] = '\0';
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		ret = *s == '[' ? section(&p, s) : assignment(&p, s);
	}
	if (!ret)
		ret = end_section(&p);
	if (!ret && !cfg->kernel) {
		p.line = p.kernel_line ? p.kernel_line : p.line;
		ret = fail(&p, p.kernel_line
				       ? "[kernel] has no path"
				       : "no [kernel] section with a path");
	}
	free(p.dir);
	return ret;
}

int config_load(const char *file, struct vm_config *cfg, char *err,
		size_t errlen)
{
	FILE *f = fopen(file, "r");
	char *text;
	long size;
	int ret;

	if (!f) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -errno;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || size > 1024 * 1024) {
		fclose(f);
		snprintf(err, errlen,
			 "%s: not a config file (unreadable or over 1 MiB)",
			 file);
		return -EINVAL;
	}
	text = malloc((size_t)size + 1);
	if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(text);
		snprintf(err, errlen, "%s: read error", file);
		return -EIO;
	}
	fclose(f);
	text[size] = '\0';
	if (strlen(text) != (size_t)size) {
		free(text);
		snprintf(err, errlen, "%s:1: NUL byte in the file", file);
		return -EINVAL;
	}
	ret = config_parse(file, text, cfg, err, errlen);
	free(text);
	return ret;
}
