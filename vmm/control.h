/* SPDX-License-Identifier: MIT */
#ifndef VMM_CONTROL_H
#define VMM_CONTROL_H

#include <limits.h>
#include <pthread.h>
#include <sys/un.h>
#include <time.h>

#include "config.h"
#include "rundir.h"

struct vm;

/*
 * The control socket: RUNDIR/NAME.sock, one per running VM, answering one
 * line-based request per connection (README "Control protocol"). Only the
 * same uid, or root, is served (SO_PEERCRED); the directory is 0700.
 */
#define CONTROL_MAX_WAITERS 16
#define CONTROL_MAX_CONNECTIONS 32 /* requests served at once */

struct control;
struct connection {
	struct control *c;
	int fd; /* -1: a free slot */
};

struct control {
	char dir[PATH_MAX];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char name[65];
	int listen_fd;
	int lock_fd; /* the name's lock (claim_name), -1 when none */
	int detach_fd; /* to the parent of a --detach, until the guest runs */
	int stop_pipe[2];
	pthread_t thread;
	int thread_started;
	struct vm *vm;
	pthread_mutex_t lock; /* the rest */
	pthread_cond_t idle; /* nr_active went down */
	struct connection conns[CONTROL_MAX_CONNECTIONS];
	unsigned nr_active;
	int waiters[CONTROL_MAX_WAITERS];
	unsigned nr_waiters;
	int closing, status; /* the VM has ended, with status */
	struct timespec start;
	struct vm_config *deferred; /* control_open() still to do */
};

/* Claim the VM's name and socket before anything else: 0 (cfg->name is
 * then set), or -errno with a message in err. */
int control_open(struct control *c, struct vm_config *cfg, char *err,
		 size_t errlen);
/* Open it later, when the guest runs (control_started). */
void control_defer(struct control *c, struct vm_config *cfg);
/* --detach: fork. The parent returns its exit status once the guest runs
 * (0) or the child failed (its status); the child returns -1. */
int control_detach(struct control *c, struct vm_config *cfg);
/* The guest runs: serve requests; a detached child lets its parent go. */
int control_started(struct control *c, struct vm *vm);
/* The VM ended with status: answer waiters, remove the socket. */
void control_close(struct control *c, int status);

#endif
