/*
 * A stand-in for QEMU's libqtest, for tests/qtest_session.sh: listens on two
 * unix sockets, launches the "QEMU binary" with the options libqtest passes
 * (tests/qtest/libqtest.c, qtest_init_without_qmp_handshake), accepts the
 * qtest and QMP connections, does the QMP handshake, then replays a request
 * file line by line as libqtest does (send one request, read lines until one
 * that is not "IRQ ...").
 *
 * usage: qtest_driver [-t] [-q QMPIN] BINARY IN OUT QMPOUT [EXTRA ARGS...]
 *   OUT     every byte received on the qtest socket
 *   QMPOUT  every byte received on the QMP socket
 *   -t      end with SIGTERM (as qtest_quit does) instead of QMP "quit"
 *   -q      after the qtest requests, send each line of QMPIN on the QMP
 *           socket and read one response line
 * Exit status 0 when the binary exited with status 0, 1 otherwise.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define TIMEOUT_MS 20000

static pid_t child = -1;

static void die(const char *what)
{
	fprintf(stderr, "qtest_driver: %s: %s\n", what, errno ? strerror(errno) : "failed");
	if (child > 0)
		kill(child, SIGKILL);
	exit(1);
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
		die(path);
	return fd;
}

static void wait_readable(int fd, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		errno = ETIMEDOUT;
		die(what);
	}
	if (r < 0)
		die(what);
}

static int accept_on(int lfd, const char *what)
{
	int fd;

	wait_readable(lfd, what);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die(what);
	close(lfd);
	return fd;
}

static void send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write");
		buf += n;
		len -= (size_t)n;
	}
}

/* Reads one line (through "\n") into line; false at end of input. */
static bool read_line(int fd, char *line, size_t cap, const char *what)
{
	size_t n = 0;

	while (n + 1 < cap) {
		char c;
		ssize_t r;

		wait_readable(fd, what);
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die(what);
		if (r == 0) {
			line[n] = '\0';
			return n > 0;
		}
		line[n++] = c;
		if (c == '\n')
			break;
	}
	line[n] = '\0';
	return true;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/qtest-driver-XXXXXX", qpath[128], mpath[128], line[4096];
	char qarg[160], marg[200];
	struct sigaction sa;
	bool term = false;
	const char *qmp_in = NULL;
	int a = 1, lq, lm, qfd, mfd, status;
	FILE *in, *out, *qmpout;
	char **args;
	int nargs = 0;

	for (; a < argc; a++) {
		if (strcmp(argv[a], "-t") == 0)
			term = true;
		else if (strcmp(argv[a], "-q") == 0 && a + 1 < argc)
			qmp_in = argv[++a];
		else
			break;
	}
	if (argc - a < 4) {
		fprintf(stderr, "usage: qtest_driver [-t] [-q QMPIN] BINARY IN OUT QMPOUT "
			"[EXTRA ARGS...]\n");
		return 2;
	}
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(qpath, sizeof(qpath), "%s/qtest.sock", dir);
	snprintf(mpath, sizeof(mpath), "%s/qtest.qmp", dir);
	lq = listen_on(qpath);
	lm = listen_on(mpath);
	in = fopen(argv[a + 1], "r");
	out = fopen(argv[a + 2], "w");
	qmpout = fopen(argv[a + 3], "w");
	if (!in || !out || !qmpout)
		die("open");

	/* libqtest's command line, then the test's extra arguments, then -accel qtest. */
	args = calloc((size_t)argc + 16, sizeof(*args));
	if (!args)
		die("calloc");
	args[nargs++] = argv[a];
	args[nargs++] = "-qtest";
	snprintf(qarg, sizeof(qarg), "unix:%s", qpath);
	args[nargs++] = qarg;
	args[nargs++] = "-qtest-log";
	args[nargs++] = "/dev/null";
	args[nargs++] = "-chardev";
	snprintf(marg, sizeof(marg), "socket,path=%s,id=char0", mpath);
	args[nargs++] = marg;
	args[nargs++] = "-mon";
	args[nargs++] = "chardev=char0,mode=control";
	args[nargs++] = "-display";
	args[nargs++] = "none";
	for (int i = a + 4; i < argc; i++)
		args[nargs++] = argv[i];
	args[nargs++] = "-accel";
	args[nargs++] = "qtest";
	args[nargs] = NULL;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		execv(args[0], args);
		_exit(127);
	}
	free(args);
	qfd = accept_on(lq, "accept qtest");
	mfd = accept_on(lm, "accept qmp");
	unlink(qpath);
	unlink(mpath);
	rmdir(dir);

	/* QMP greeting and capabilities negotiation, as qtest_init does. */
	if (!read_line(mfd, line, sizeof(line), "qmp greeting"))
		die("qmp greeting");
	fputs(line, qmpout);
	send_all(mfd, "{\"execute\": \"qmp_capabilities\"}\n", 32);
	if (!read_line(mfd, line, sizeof(line), "qmp_capabilities"))
		die("qmp_capabilities");
	fputs(line, qmpout);

	while (fgets(line, sizeof(line), in)) {
		char resp[4096];

		send_all(qfd, line, strlen(line));
		do {
			if (!read_line(qfd, resp, sizeof(resp), "qtest response")) {
				errno = 0;
				die("qtest connection closed");
			}
			fputs(resp, out);
		} while (strncmp(resp, "IRQ ", 4) == 0);
	}

	if (qmp_in) {
		FILE *f = fopen(qmp_in, "r");

		if (!f)
			die(qmp_in);
		while (fgets(line, sizeof(line), f)) {
			send_all(mfd, line, strlen(line));
			if (!read_line(mfd, line, sizeof(line), "qmp response"))
				die("qmp response");
			fputs(line, qmpout);
		}
		fclose(f);
	}
	if (term) {
		kill(child, SIGTERM);
	} else {
		send_all(mfd, "{\"execute\": \"quit\"}\n", 20);
		while (read_line(mfd, line, sizeof(line), "qmp quit"))
			fputs(line, qmpout);
	}
	if (waitpid(child, &status, 0) < 0)
		die("waitpid");
	fclose(out);
	fclose(qmpout);
	fclose(in);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "qtest_driver: %s exited with status 0x%x\n", argv[a], status);
		return 1;
	}
	return 0;
}
