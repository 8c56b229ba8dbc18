/* SPDX-License-Identifier: MIT */
#ifndef VMM_CONFIG_FILE_H
#define VMM_CONFIG_FILE_H

#include <stddef.h>

#include "config.h"

/*
 * VM config files (README "Config files"): INI style.
 *
 *   [vm]            name, cpus, memory, backend, reboot, log-level, dump-dtb
 *   [kernel]        path (required), initrd, cmdline, addr
 *   [disk "NAME"]   path (required), readonly, cache, legacy; one per disk
 *   [console]       output (stdio or file:PATH)
 *
 * Relative paths are resolved against the config file's directory.
 * Errors read "FILE:LINE: message".
 */

/* Parse text (the contents of file, for messages and relative paths) into
 * cfg, which holds the defaults on entry. Strings are allocated and live as
 * long as the process. 0, or -EINVAL with the message in err. */
int config_parse(const char *file, const char *text, struct vm_config *cfg,
		 char *err, size_t errlen);
/* Read and parse a file: as config_parse, plus the file's own errors. */
int config_load(const char *file, struct vm_config *cfg, char *err,
		size_t errlen);

#endif
