/* One side of `sim diff`: see peer.h. */
#define _POSIX_C_SOURCE 200809L
#include "sim/diff/peer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 64

bool peer_spec_ok(const char *spec, char *why, size_t whylen)
{
	if (strcmp(spec, "sim") == 0 || strncmp(spec, "sim:", 4) == 0)
		return true;
	if (strncmp(spec, "cmd:", 4) == 0 && spec[4])
		return true;
	snprintf(why, whylen, "'%.60s': expected sim, sim:OPTIONS or cmd:COMMAND", spec);
	return false;
}

/* Milliseconds of a monotonic clock: only to bound how long a child may take. */
static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void describe_status(int status, char *out, size_t len)
{
	if (WIFEXITED(status))
		snprintf(out, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, len, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(out, len, "stopped");
}

bool peer_start(struct peer *p, const char *name, const char *spec, const char *self_exe,
		struct sim_diag *err)
{
	char *argv[MAX_ARGS + 1];
	char words[sizeof(p->spec)];
	int in[2], out[2];
	unsigned n = 0;

	memset(p, 0, sizeof(*p));
	p->to_child = p->from_child = -1;
	snprintf(p->name, sizeof(p->name), "%s", name);
	if (strlen(spec) >= sizeof(p->spec))
		return sim_diag_fail(err, "--%s: the spec is longer than %zu bytes", name,
				     sizeof(p->spec) - 1);
	snprintf(p->spec, sizeof(p->spec), "%s", spec);
	snprintf(words, sizeof(words), "%s", spec);
	if (strncmp(words, "cmd:", 4) == 0) {
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = words + 4;
	} else {
		argv[n++] = (char *)self_exe;
		argv[n++] = "qtest";
		for (char *t = strtok(words[3] == ':' ? words + 4 : words + 3, " \t"); t;
		     t = strtok(NULL, " \t")) {
			if (n == MAX_ARGS)
				return sim_diag_fail(err, "--%s: more than %d options", name, MAX_ARGS - 2);
			argv[n++] = t;
		}
	}
	argv[n] = NULL;
	p->cap = 65536;
	p->buf = malloc(p->cap);
	if (!p->buf)
		return sim_diag_fail(err, "out of memory");
	if (pipe(in) != 0 || pipe(out) != 0)
		return sim_diag_fail(err, "--%s: cannot create pipes: %s", name, strerror(errno));
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0) {
		p->pid = 0;
		return sim_diag_fail(err, "--%s: cannot fork: %s", name, strerror(errno));
	}
	if (p->pid == 0) {
		setpgid(0, 0);       /* its own group: a hung `sh -c` is killed with what it ran */
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		_exit(127);           /* the parent reports "exited with status 127" */
	}
	setpgid(p->pid, p->pid);
	close(in[0]);
	close(out[1]);
	p->to_child = in[1];
	p->from_child = out[0];
	fcntl(p->to_child, F_SETFD, FD_CLOEXEC);
	fcntl(p->from_child, F_SETFD, FD_CLOEXEC);
	return true;
}

/* The child is gone or going: reap it and say how it ended. */
static bool died(struct peer *p, unsigned no, const char *what, struct sim_diag *err)
{
	char how[64] = "closed its output";
	int status;

	if (p->pid > 0) {
		for (int i = 0; i < 50; i++) {     /* up to 0.5 s for its exit status */
			pid_t r = waitpid(p->pid, &status, WNOHANG);

			if (r == p->pid) {
				describe_status(status, how, sizeof(how));
				p->pid = 0;
				break;
			}
			poll(NULL, 0, 10);
		}
	}
	return sim_diag_fail(err, "side %s (%s) %s %s request %u", p->name, p->spec, how, what, no);
}

static bool send_line(struct peer *p, const char *line, unsigned no, struct sim_diag *err)
{
	size_t len = strlen(line), done = 0;

	while (done <= len) {
		const char *src = done < len ? line + done : "\n";
		size_t want = done < len ? len - done : 1;
		ssize_t w = write(p->to_child, src, want);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return died(p, no, "before", err);
		done += (size_t)w;
	}
	return true;
}

/* Appends the line buf[0..n) to the answer, "; "-joined. */
static bool add_line(struct peer_answer *a, const char *line, size_t n)
{
	size_t need = a->len + n + 3;

	if (need > a->cap) {
		/* doubling: a flood of IRQ lines costs O(its size), not its square */
		size_t cap = a->cap ? a->cap : 256;
		char *t;

		while (cap < need)
			cap *= 2;
		t = realloc(a->text, cap);
		if (!t)
			return false;
		a->text = t;
		a->cap = cap;
	}
	if (a->len) {
		memcpy(a->text + a->len, "; ", 2);
		a->len += 2;
	}
	memcpy(a->text + a->len, line, n);
	a->len += n;
	a->text[a->len] = '\0';
	return true;
}

bool peer_ask(struct peer *p, const char *line, unsigned no, unsigned timeout_ms,
	      struct peer_answer *ans, struct sim_diag *err)
{
	int64_t deadline = mono_ms() + timeout_ms;

	memset(ans, 0, sizeof(*ans));
	if (!send_line(p, line, no, err))
		return false;
	for (;;) {
		char *head = p->buf + p->start;
		char *nl = memchr(head, '\n', p->have - p->start);
		struct pollfd pf = { p->from_child, POLLIN, 0 };
		int64_t left;
		ssize_t r;

		if (nl) {
			size_t n = (size_t)(nl - head);
			bool irq = n >= 4 && strncmp(head, "IRQ ", 4) == 0;

			p->start += n + 1;
			if (n > 0 && head[n - 1] == '\r')
				n--;
			if (!add_line(ans, head, n))
				return sim_diag_fail(err, "out of memory");
			if (!irq) {
				ans->reply = ans->text + ans->len - n;
				return true;
			}
			ans->irq_lines++;
			if (ans->len > PEER_MAX_ANSWER)
				return sim_diag_fail(err, "side %s (%s) answered request %u with more "
						     "than 4 MiB of IRQ lines", p->name, p->spec, no);
			continue;
		}
		if (p->start > 0) {       /* only a partial line is left: move it to the front */
			memmove(p->buf, head, p->have - p->start);
			p->have -= p->start;
			p->start = 0;
		}
		if (p->have == p->cap)
			return sim_diag_fail(err, "side %s (%s) sent a line longer than 64 KiB "
					     "answering request %u", p->name, p->spec, no);
		left = deadline - mono_ms();
		if (left <= 0)
			return sim_diag_fail(err, "side %s (%s) did not answer request %u within "
					     "%u ms (--timeout-ms)", p->name, p->spec, no, timeout_ms);
		if (poll(&pf, 1, (int)left) < 0 && errno != EINTR)
			return sim_diag_fail(err, "poll: %s", strerror(errno));
		if (!(pf.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = read(p->from_child, p->buf + p->have, p->cap - p->have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return died(p, no, "answering", err);
		p->have += (size_t)r;
	}
}

void peer_answer_free(struct peer_answer *a)
{
	free(a->text);
	memset(a, 0, sizeof(*a));
}

void peer_stop(struct peer *p, unsigned timeout_ms)
{
	int status;

	if (p->to_child >= 0)
		close(p->to_child);
	if (p->from_child >= 0)
		close(p->from_child);
	p->to_child = p->from_child = -1;
	if (p->pid > 0) {
		int64_t deadline = mono_ms() + timeout_ms;

		while (waitpid(p->pid, &status, WNOHANG) == 0) {
			if (mono_ms() >= deadline) {
				kill(-p->pid, SIGKILL);   /* the group peer_start made */
				kill(p->pid, SIGKILL);
				waitpid(p->pid, &status, 0);
				break;
			}
			poll(NULL, 0, 10);
		}
		p->pid = 0;
	}
	free(p->buf);
	p->buf = NULL;
}
