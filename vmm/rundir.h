/* SPDX-License-Identifier: MIT */
#ifndef VMM_RUNDIR_H
#define VMM_RUNDIR_H

#include <stddef.h>

/* Where the sockets live: $VMM_RUNTIME_DIR, else /run/vmm for root, else
 * $XDG_RUNTIME_DIR/vmm. create: make it (0700) if missing. Checks that it
 * is ours and 0700, and that no other user can change a directory above
 * it. 0 or -errno, with a message in err. */
int runtime_dir(char *buf, size_t size, int create, char *err, size_t errlen);
/* The name a VM gets when its config gives none: vm-PID. */
void unnamed_vm_name(char *buf, size_t size);
/* NAME.sock in dir, or -ENAMETOOLONG. */
int socket_path(char *buf, size_t size, const char *dir, const char *name);

/* A VM's name is held by an OFD write lock on dir/NAME.lock, for the VM's
 * life: only its holder binds, and finally removes, NAME.sock. claim_name
 * returns the lock's fd, -EEXIST when another VM holds the name, or
 * -errno; release_name drops it (fd may be -1). name_claimed tests it
 * without taking it: 1 when a VM holds NAME (it runs, or is starting),
 * 0 when none does and its socket, if any, is stale. */
int claim_name(const char *dir, const char *name);
void release_name(const char *dir, const char *name, int fd);
int name_claimed(const char *dir, const char *name);

#endif
