/* SPDX-License-Identifier: MIT */
#ifndef VMM_CLI_H
#define VMM_CLI_H

/* One function per subcommand (vmm/cmd_*.c); each returns the process's
 * exit status (vm.h VMM_EXIT_*). */
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_ctl(const char *cmd, int argc, char **argv);

/* "vmm: <message> (see vmm --help)" on stderr; returns VMM_EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int parse_log_level(const char *s);
void print_usage(void);

#endif
