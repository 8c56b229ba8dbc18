// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mem.h"

int guest_mem_init(struct guest_mem *m, uint64_t base, uint64_t size)
{
	void *p;
	int err;

	m->base = base;
	m->size = size;
	m->fd = memfd_create("vmm-ram", MFD_CLOEXEC);
	if (m->fd < 0)
		return -errno;
	if (ftruncate(m->fd, (off_t)size) < 0)
		goto fail;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
		 m->fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	m->host = p;
	return 0;
fail:
	err = -errno;
	close(m->fd);
	m->fd = -1;
	return err;
}

void guest_mem_clear(struct guest_mem *m)
{
	/* Holes read as zeroes and hold no memory: a reboot must not commit
	 * all of RAM (the guest may have touched little of it). */
	if (m->fd >= 0 &&
	    !fallocate(m->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		       (off_t)m->size))
		return;
	memset(m->host, 0, m->size);
}

void guest_mem_free(struct guest_mem *m)
{
	if (m->host)
		munmap(m->host, m->size);
	if (m->fd >= 0)
		close(m->fd);
	m->host = NULL;
	m->fd = -1;
}

void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	/* Written so that no sum can wrap around. */
	if (gpa < m->base || len > m->size)
		return NULL;
	if (gpa - m->base > m->size - len)
		return NULL;
	return m->host + (gpa - m->base);
}
