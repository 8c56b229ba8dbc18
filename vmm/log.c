// SPDX-License-Identifier: MIT
/* One line per message on stderr, prefixed "vmm: ". */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

enum log_level log_level = LOG_WARN;
int log_crlf;

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* While the console is in raw mode, "\n" alone does not return. */
	fprintf(stderr, "vmm: %s%s\n", line, log_crlf ? "\r" : "");
}
