// SPDX-License-Identifier: MIT
/* The control socket's end: a client that connected just before the VM
 * ended, and that the control thread never accepted, still gets its
 * answer (a wait gets the VM's status) rather than a reset. */
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "unit.h"

#include "../../vmm/control.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backlog_answered_at_close),
	};
	int status;

	if (!mkdtemp(dir))
		return 1;
	setenv("VMM_RUNTIME_DIR", dir, 1);
	status = RUN(tests);
	rmdir(dir);
	return status;
}
