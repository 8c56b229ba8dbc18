// SPDX-License-Identifier: MIT
/* A running VM's lifecycle, for the control socket: pause, resume, and
 * the graceful stop. */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "log.h"
#include "vm.h"

const char *vm_state(struct vm *vm)
{
	if (vm_exiting(vm))
		return "exiting";
	if (__atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE))
		return "stopping";
	return __atomic_load_n(&vm->paused, __ATOMIC_ACQUIRE) ? "paused"
							      : "running";
}

/* life_lock, not exit_lock: a vCPU that pause waits for may itself be
 * taking exit_lock to end the VM. */
int vm_pause(struct vm *vm)
{
	int err = 0;

	pthread_mutex_lock(&vm->life_lock);
	if (!vm->running)
		err = -EAGAIN; /* between two boots: no backend to hold */
	else if (!vm->paused && !vm_exiting(vm)) {
		err = vm->backend->pause(vm);
		if (!err)
			__atomic_store_n(&vm->paused, 1, __ATOMIC_RELEASE);
		if (err == -ESRCH) /* the boot ended under it: a reset */
			err = -EAGAIN;
	}
	pthread_mutex_unlock(&vm->life_lock);
	return err;
}

int vm_resume(struct vm *vm)
{
	int err = 0;

	pthread_mutex_lock(&vm->life_lock);
	if (vm->paused) {
		err = vm->backend->resume(vm);
		if (!err)
			__atomic_store_n(&vm->paused, 0, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vm->life_lock);
	return err;
}

/* A serial break then a key: Linux's 8250 driver takes the key as a SysRq
 * command (Documentation/admin-guide/sysrq.rst). */
static void sysrq(struct vm *vm, char key)
{
	uint8_t c = (uint8_t)key;

	uart_send_break(&vm->uart);
	while (!uart_receive(&vm->uart, &c, 1))
		uart_wait_rx_space(&vm->uart);
}

/* Sync, remount read-only, power off: what a careful admin types. This
 * may block for good if the guest never reads its UART; the timeout runs
 * in a thread of its own. */
static void *sysrq_thread(void *arg)
{
	struct vm *vm = arg;

	sysrq(vm, 's');
	sysrq(vm, 'u');
	sysrq(vm, 'o');
	return NULL;
}

static void *stop_timer(void *arg)
{
	struct vm *vm = arg;
	struct timespec deadline;
	int timed_out = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += vm->stop_timeout;
	pthread_mutex_lock(&vm->exit_lock);
	while (!vm->exiting && !timed_out)
		timed_out =
			pthread_cond_timedwait(&vm->exit_cond, &vm->exit_lock,
					       &deadline) == ETIMEDOUT;
	pthread_mutex_unlock(&vm->exit_lock);
	if (timed_out) {
		pr_warn("stop: the guest did not power off within %u s: killing it",
			vm->stop_timeout);
		vm_request_exit(vm, VMM_EXIT_KILLED);
	}
	return NULL;
}

static int start_detached(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, arg))
		return -1;
	pthread_detach(t);
	return 0;
}

void vm_stop(struct vm *vm, unsigned timeout)
{
	if (__atomic_exchange_n(&vm->stopping, 1, __ATOMIC_ACQ_REL))
		return; /* already on its way */
	vm_resume(vm);
	vm->stop_timeout = timeout;
	if (start_detached(stop_timer, vm) || start_detached(sysrq_thread, vm))
		vm_request_exit(vm, VMM_EXIT_KILLED);
}
