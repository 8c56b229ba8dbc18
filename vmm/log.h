/* SPDX-License-Identifier: MIT */
#ifndef VMM_LOG_H
#define VMM_LOG_H

/* Messages go to stderr, never to the guest console. */
enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_level;
/* The VM's name, when it was given one: every message carries it. */
extern const char *log_name;
/* Set while stderr is a terminal in raw mode. */
extern int log_crlf;

/* Milliseconds since log_start() (called first thing in main). */
void log_start(void);
double log_elapsed_ms(void);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_err(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
