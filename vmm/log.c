// SPDX-License-Identifier: MIT
/* One line per message on stderr, prefixed "vmm: ". */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

enum log_level log_level = LOG_WARN;
int log_crlf;

static struct timespec start;

void log_start(void)
{
	clock_gettime(CLOCK_MONOTONIC, &start);
}

double log_elapsed_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start.tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start.tv_nsec) / 1e6;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_level == LOG_DEBUG) {
		/* Debug lines carry the monotonic time, for profiling. */
		fprintf(stderr, "vmm: [%9.3f ms] %s%s\n", log_elapsed_ms(),
			line, log_crlf ? "\r" : "");
		return;
	}
	/* While the console is in raw mode, "\n" alone does not return. */
	fprintf(stderr, "vmm: %s%s\n", line, log_crlf ? "\r" : "");
}
