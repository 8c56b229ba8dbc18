// SPDX-License-Identifier: MIT
/* libFuzzer target: any text as a config file. It must parse or fail with
 * a "FILE:LINE: " message, and never crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../vmm/config_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vm_config cfg;
	char err[512];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	vm_config_defaults(&cfg);
	if (config_parse("dir/fuzz.conf", text, &cfg, err, sizeof(err)) &&
	    strncmp(err, "dir/fuzz.conf:", 14))
		__builtin_trap(); /* an error without its file and line */
	vm_config_free(&cfg);
	free(text);
	return 0;
}
