// SPDX-License-Identifier: MIT
/* The control socket's end: a client that connected just before the VM
 * ended still gets its answer (a wait gets the VM's status) rather than a
 * reset, whether the control thread had accepted it or not. And `stats`:
 * the backend's and the devices' counters in one line, however long. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit.h"

#include "../../vmm/control.h"
#include "../../vmm/counters.h"
#include "../../vmm/vm.h"

/* control.c serves a running VM; these tests never reach one. */
int vm_pause(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

int vm_resume(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

void vm_stop(struct vm *vm, unsigned timeout)
{
	(void)vm;
	(void)timeout;
}

const char *vm_state(struct vm *vm)
{
	(void)vm;
	return "running";
}

void vm_request_exit(struct vm *vm, int status)
{
	(void)vm;
	(void)status;
}

static char dir[] = "/tmp/test_control.XXXXXX";

/* A backend whose harts counted a lot: more than one reply() can hold. */
static void many_counters(struct vm *vm, struct counters *c)
{
	char owner[16];
	unsigned i;

	(void)vm;
	for (i = 0; i < 100; i++) {
		snprintf(owner, sizeof(owner), "vcpu%u", i % 8);
		counters_put(c, owner, "exits", 1000000 + i);
	}
}

static const struct backend_ops counting_backend = {
	.name = "counting",
	.counters = many_counters,
};

static int connect_to(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static void answer(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

/* Clients queued on the socket but never accepted, as when the VM ends
 * between their connect and the control thread's next accept. */
static void test_backlog_answered_at_close(void **state)
{
	struct vm_config cfg = { .name = "late" };
	static struct control c;
	char err[256], path[sizeof(c.path)], buf[128];
	int waiter, killer;

	(void)state;
	assert_int_equal(control_open(&c, &cfg, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s", c.path);
	waiter = connect_to(path);
	killer = connect_to(path);
	assert_int_equal(write(waiter, "wait\n", 5), 5);
	assert_int_equal(write(killer, "kill\n", 5), 5);

	control_close(&c, 67);

	answer(waiter, buf, sizeof(buf));
	assert_string_equal(buf, "ok status=67\n");
	answer(killer, buf, sizeof(buf));
	assert_string_equal(buf, "error the VM has ended (status 67)\n");
	assert_int_equal(access(path, F_OK), -1); /* the socket is gone */
	close(waiter);
	close(killer);
}

static void *close_with_67(void *arg)
{
	control_close(arg, 67);
	return NULL;
}

/* A client accepted by the control thread whose request is still on its
 * way when the VM ends (connect, then the VM ends, then the write). */
static void test_late_request_answered_at_close(void **state)
{
	struct vm_config cfg = { .name = "slow" };
	static struct control c;
	struct timespec pause = { .tv_nsec = 100 * 1000 * 1000 };
	char err[256], buf[128];
	unsigned active = 0;
	pthread_t closer;
	int waiter, tries;

	(void)state;
	assert_int_equal(control_open(&c, &cfg, err, sizeof(err)), 0);
	/* handle() reads nothing of the VM for a wait */
	assert_int_equal(control_started(&c, (struct vm *)&cfg), 0);
	waiter = connect_to(c.path);
	for (tries = 0; tries < 100 && !active; tries++) {
		nanosleep(&pause, NULL);
		pthread_mutex_lock(&c.lock);
		active = c.nr_active;
		pthread_mutex_unlock(&c.lock);
	}
	assert_int_equal(active, 1); /* accepted, reading its request */
	assert_int_equal(pthread_create(&closer, NULL, close_with_67, &c), 0);
	nanosleep(&pause, NULL);
	assert_int_equal(write(waiter, "wait\n", 5), 5);

	answer(waiter, buf, sizeof(buf));
	pthread_join(closer, NULL);
	assert_string_equal(buf, "ok status=67\n");
	close(waiter);
}

static void test_counters_put_whole_pairs(void **state)
{
	char buf[24];
	struct counters c = { .buf = buf, .size = sizeof(buf) };

	(void)state;
	counters_put(&c, "blk0", "reads", 12);
	assert_string_equal(buf, " blk0.reads=12");
	counters_put(&c, "blk0", "read_bytes", 4096); /* does not fit */
	assert_string_equal(buf, " blk0.reads=12");
	counters_put(&c, "b", "n", 7);
	assert_string_equal(buf, " blk0.reads=12 b.n=7");
	assert_int_equal(c.used, strlen(buf));
	c.used = 0;
	counters_put(&c, NULL, "x", 1); /* no owner: just the name */
	assert_string_equal(buf, " x=1");
}

/* `stats` on a running VM: the backend's pairs, then each disk's; between
 * two boots, an error that says to try again. */
static void test_stats_request(void **state)
{
	static struct vm vm;
	static struct virtio_blk disk;
	static struct control c;
	struct vm_config cfg = { .name = "counted" };
	char err[256], *buf = malloc(COUNTERS_MAX);
	int fd;

	(void)state;
	assert_non_null(buf);
	vm.cfg = &cfg;
	vm.backend = &counting_backend;
	pthread_mutex_init(&vm.life_lock, NULL);
	vm.running = 1;
	disk.stats.reads = 3;
	disk.stats.read_bytes = 12288;
	disk.stats.errors = 1;
	vm.disks[0] = &disk;
	vm.nr_disks = 1;
	assert_int_equal(control_open(&c, &cfg, err, sizeof(err)), 0);
	assert_int_equal(control_started(&c, &vm), 0);

	fd = connect_to(c.path);
	assert_int_equal(write(fd, "stats\n", 6), 6);
	answer(fd, buf, COUNTERS_MAX);
	close(fd);
	assert_true(strlen(buf) > 2000);
	assert_memory_equal(buf, "ok vcpu0.exits=1000000 vcpu1.exits=1000001 ",
			    43);
	assert_non_null(strstr(buf, " vcpu3.exits=1000099 blk0.reads=3 "
				    "blk0.read_bytes=12288 blk0.writes=0 "));
	assert_non_null(strstr(buf, " blk0.errors=1 blk0.interrupts=0\n"));

	vm.running = 0;
	fd = connect_to(c.path);
	assert_int_equal(write(fd, "stats\n", 6), 6);
	answer(fd, buf, COUNTERS_MAX);
	close(fd);
	assert_string_equal(buf, "error the guest is rebooting: try again\n");

	control_close(&c, 0);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters_put_whole_pairs),
		cmocka_unit_test(test_stats_request),
		cmocka_unit_test(test_backlog_answered_at_close),
		cmocka_unit_test(test_late_request_answered_at_close),
	};
	int status;

	signal(SIGPIPE, SIG_IGN); /* a write to a closed socket fails */
	if (!mkdtemp(dir))
		return 1;
	setenv("VMM_RUNTIME_DIR", dir, 1);
	status = RUN(tests);
	rmdir(dir);
	return status;
}
