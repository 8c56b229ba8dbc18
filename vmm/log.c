// SPDX-License-Identifier: MIT
/* One line per message on stderr, prefixed "vmm: ". */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

enum log_level log_level = LOG_WARN;
int log_crlf;
const char *log_name;

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
	char line[512], stamp[32] = "";
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Debug lines carry the time since start, for profiling. */
	if (log_level == LOG_DEBUG)
		snprintf(stamp, sizeof(stamp), "[%9.3f ms] ", log_elapsed_ms());
	/* While the console is in raw mode, "\n" alone does not return. */
	fprintf(stderr, "vmm: %s%s%s%s%s\n", log_name ? log_name : "",
		log_name ? ": " : "", stamp, line, log_crlf ? "\r" : "");
}
