// SPDX-License-Identifier: MIT
/*
 * Where running VMs are found (rundir.h): the runtime directory, checked
 * to be safe from other users; each VM's socket there; and the lock by
 * which a VM holds its name.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rundir.h"

/* /run may not exist yet on a minimal system: make the one level above. */
static void make_parent(const char *dir)
{
	char parent[PATH_MAX];
	char *slash;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return;
	*slash = '\0';
	mkdir(parent, 0755);
}

/* Every directory above dir must be safe from other users: owned by root
 * or us, and writable by nobody else unless sticky (as /tmp is), or
 * another user could put a directory of their own in its place. */
static int ancestors_safe(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	char *p;

	snprintf(path, sizeof(path), "%s", dir);
	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (stat(path, &st) == 0 &&
		    ((st.st_uid != 0 && st.st_uid != geteuid()) ||
		     ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)))) {
			snprintf(
				err, errlen,
				"runtime directory %s: %s is open to other users (owner uid %u, mode %04o): choose a directory only you and root can change",
				dir, path, (unsigned)st.st_uid,
				(unsigned)(st.st_mode & 07777));
			return -EPERM;
		}
		*p = '/';
	}
	return 0;
}

int runtime_dir(char *buf, size_t size, int create, char *err, size_t errlen)
{
	const char *env = getenv("VMM_RUNTIME_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int n;

	if (env && *env)
		n = snprintf(buf, size, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(buf, size, "/run/vmm");
	else if (xdg && *xdg)
		n = snprintf(buf, size, "%s/vmm", xdg);
	else {
		snprintf(
			err, errlen,
			"no runtime directory: set XDG_RUNTIME_DIR (or VMM_RUNTIME_DIR)");
		return -ENOENT;
	}
	if (n < 0 || (size_t)n >= size) {
		snprintf(err, errlen, "runtime directory path too long");
		return -ENAMETOOLONG;
	}
	if (buf[0] != '/') {
		snprintf(err, errlen,
			 "runtime directory %s: not an absolute path", buf);
		return -EINVAL;
	}
	n = ancestors_safe(buf, err, errlen);
	if (n)
		return n;
	if (create)
		make_parent(buf);
	if (create && mkdir(buf, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "runtime directory %s: %s", buf,
			 strerror(errno));
		return -errno;
	}
	if (lstat(buf, &st) < 0) {
		snprintf(err, errlen, "runtime directory %s: %s", buf,
			 strerror(errno));
		return -errno;
	}
	/* Anyone who can write there could plant a socket of their own. */
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 0777) != 0700) {
		snprintf(
			err, errlen,
			"runtime directory %s: must be a directory owned by uid %u with mode 0700 (it is %s, uid %u, mode %04o)",
			buf, (unsigned)geteuid(),
			S_ISDIR(st.st_mode) ? "a directory" : "not a directory",
			(unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

void unnamed_vm_name(char *buf, size_t size)
{
	snprintf(buf, size, "vm-%d", (int)getpid());
}

int socket_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s.sock", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * A VM's claim on its name: an OFD write lock on RUNDIR/NAME.lock, held
 * for the VM's life (a --detach child shares it). Only its holder
 * unlinks, binds and finally removes NAME.sock, so two vmm run --name X
 * cannot both get there; clients test the lock without taking it
 * (name_claimed) to tell a VM that is starting from one that is gone.
 */
static int lock_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s.lock", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int claim_name(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct flock fl;
	struct stat a, b;
	int fd, tries;

	if (lock_path(path, sizeof(path), dir, name))
		return -ENAMETOOLONG;
	for (tries = 0; tries < 3; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
			int e = errno;

			close(fd);
			return e == EAGAIN || e == EACCES ? -EEXIST : -e;
		}
		/* an exiting VM unlinks the file: the one we hold must still
		 * be the one at the path */
		if (!fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
	return -EAGAIN;
}

void release_name(const char *dir, const char *name, int fd)
{
	char path[PATH_MAX];

	if (fd < 0)
		return;
	if (!lock_path(path, sizeof(path), dir, name))
		unlink(path);
	close(fd);
}

int name_claimed(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct flock fl;
	int fd, held;

	if (lock_path(path, sizeof(path), dir, name))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	held = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return held;
}
