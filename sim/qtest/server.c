/*
 * `sim qtest`: serves the qtest protocol on stdin/stdout, or stands in for
 * the QEMU binary that libqtest (QEMU's tests/qtest/libqtest.c) launches:
 *
 *   qemu-system-x86_64 -qtest unix:Q -qtest-log L \
 *       -chardev socket,path=M,id=char0 -mon chardev=char0,mode=control \
 *       -display none [test args] -accel qtest
 *
 * libqtest listens on Q and M and accepts; we connect to both as a client (as
 * QEMU does for a socket chardev without "server"), speak qtest on Q and a
 * minimal QMP on M (server_qmp.c).  Other client socket chardevs are
 * connected and their input is drained, so a test that accepts on them does
 * not hang.  Options: server_options.c; -rtc: server_rtc.c; byte streams:
 * server_conn.c.  This file is the qtest channel, the set-up and the serve
 * loop.  Nothing here prints a diagnostic: errors go back to the caller.
 *
 * Determinism: the qtest log stamps lines with the simulated clock, not the
 * host's (QEMU stamps them with host time since the connection opened), and
 * the only wall-clock read is the RTC base for -rtc base=utc|localtime.
 */
#include "sim/qtest/server.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/core/event.h"
#include "sim/devices/platform.h"
#include "sim/qtest/protocol.h"
#include "sim/qtest/server_conn.h"
#include "sim/qtest/server_options.h"
#include "sim/qtest/server_qmp.h"
#include "sim/qtest/server_rtc.h"

#define MAX_CHARDEVS QTEST_MAX_CHARDEVS
#define MAX_MONS QTEST_MAX_MONS
#define EXIT_OK QTEST_EXIT_OK
#define EXIT_RUNTIME QTEST_EXIT_RUNTIME
#define EXIT_USAGE QTEST_EXIT_USAGE
/* A step that prints an IRQ line per event writes in blocks, not a syscall per line. */
#define QTEST_OUT_BUF (64 * 1024)

struct server {
	struct sim_eventq q;
	struct platform pf;
	struct qtest_session qs;
	int qt_in, qt_out;        /* the qtest channel (the same socket, or stdin/stdout) */
	struct conn qt;
	struct qmp qmp[2 * MAX_MONS];
	unsigned nqmp;
	struct conn passive[MAX_CHARDEVS];
	unsigned npassive;
	FILE *log;
	int64_t rtc_base_s;
	bool done;
	int status;
	size_t olen;
	char obuf[QTEST_OUT_BUF];  /* replies not yet written (flushed after each request) */
};

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	int saved = errno;
	char c = 0;

	(void)sig;
	got_signal = 1;
	if (sig_pipe[1] >= 0 && write(sig_pipe[1], &c, 1) < 0) {
		/* the flag is enough */
	}
	errno = saved;
}

static bool install_signals(void)
{
	struct sigaction sa;

	if (pipe(sig_pipe) < 0)
		return false;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0)
		return false;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL) == 0;
}

/* ---- the qtest channel ---- */

/*
 * "[TAG +SECONDS]" as QEMU's log, but SECONDS ("%.6f", computed with integers)
 * is the simulated clock, not host time since the connection opened.
 */
static void log_stamp(struct server *srv, const char *tag, bool plus)
{
	uint64_t us = srv->q.now / SIM_PS_PER_US;

	fprintf(srv->log, "[%s %s%" PRIu64 ".%06" PRIu64 "]", tag, plus ? "+" : "",
		us / 1000000, us % 1000000);
}

static void qtest_flush(struct server *srv)
{
	if (srv->log)
		fflush(srv->log);
	if (srv->olen && srv->qt_out >= 0 && !write_all(srv->qt_out, srv->obuf, srv->olen)) {
		/* the client went away: end as at end of input */
		srv->qt_out = -1;
		srv->done = true;
	}
	srv->olen = 0;
}

static void qtest_out(void *ctx, const char *buf, size_t len)
{
	struct server *srv = ctx;

	if (srv->log) {
		log_stamp(srv, "S", true);
		fprintf(srv->log, " %.*s", (int)len, buf);
	}
	if (srv->olen + len > sizeof(srv->obuf))
		qtest_flush(srv);
	if (len > sizeof(srv->obuf)) {
		if (srv->qt_out >= 0 && !write_all(srv->qt_out, buf, len)) {
			srv->qt_out = -1;
			srv->done = true;
		}
		return;
	}
	memcpy(srv->obuf + srv->olen, buf, len);
	srv->olen += len;
}

/*
 * Asked by the session every QTEST_STOP_CHECK_EVENTS events of a long
 * command: a signal arrived, or nobody can read the replies any more (the
 * qtest socket's peer closed it, or stdout's reader went away).  Input that
 * ended is no reason: its commands are still answered.
 */
static bool should_stop(void *ctx)
{
	struct server *srv = ctx;
	struct pollfd p = { .fd = srv->qt_out, .events = 0 };

	if (got_signal)
		return true;
	if (srv->qt_out < 0)
		return true;
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

/* One request of len bytes (NUL-terminated at len; it may hold NULs). */
static void qtest_request(struct server *srv, const char *line, size_t len)
{
	if (srv->log && line[strspn(line, " \t\r")] != '\0') {
		const char *p = line;

		log_stamp(srv, "R", true);
		for (;;) {
			size_t n;

			p += strspn(p, " \t\r");
			n = strcspn(p, " \t\r");
			if (n == 0)
				break;
			fprintf(srv->log, " %.*s", (int)n, p);
			p += n;
		}
		fprintf(srv->log, "\n");
		fflush(srv->log);
	}
	if (!qtest_session_input(&srv->qs, line, len)) {
		/* the event queue failed: nothing can be simulated any more */
		srv->done = true;
		srv->status = srv->qs.stopped ? EXIT_OK : EXIT_RUNTIME;
	}
	qtest_flush(srv);
}

static void qtest_input(struct server *srv)
{
	struct conn *c = &srv->qt;
	bool eof = !conn_fill(c, srv->qt_in);
	char *nl;

	while (!srv->done && !got_signal && c->len && (nl = memchr(c->buf, '\n', c->len))) {
		size_t n = (size_t)(nl - c->buf) + 1;

		*nl = '\0';
		if (c->overflow)
			c->overflow = false;
		else
			qtest_request(srv, c->buf, n - 1);
		conn_consume(c, n);
	}
	if (!eof && c->len > QTEST_INPUT_MAX) {
		if (!c->overflow)
			qtest_request(srv, c->buf, c->len);   /* answers "FAIL line too long" */
		c->overflow = true;
		conn_consume(c, c->len);
	}
	if (eof) {
		/* A last line without "\n" still counts (QEMU would wait for one). */
		if (!srv->done && c->len && !c->overflow)
			qtest_request(srv, c->buf, c->len);
		conn_consume(c, c->len);
		srv->done = true;
	}
}

/* ---- set-up ---- */

static int connect_or_fail(const char *what, const char *path, struct sim_diag *err)
{
	int fd = unix_connect(path);

	if (fd < 0)
		sim_diag_fail(err, "%s: cannot connect to %s: %s", what, path, strerror(errno));
	return fd;
}

static int open_channels(struct server *srv, const struct qtest_options *o, struct sim_diag *err)
{
	bool used[MAX_CHARDEVS] = { false };

	srv->qt_in = 0;
	srv->qt_out = 1;
	if (o->qtest && strcmp(o->qtest, "stdio") != 0) {
		const char *path = NULL;
		int fd;

		if (strncmp(o->qtest, "unix:", 5) == 0) {
			if (strchr(o->qtest, ','))
				return qtest_usage(err, "-qtest %s: only a client unix socket is supported", o->qtest);
			path = o->qtest + 5;
		} else if (strncmp(o->qtest, "chardev:", 8) == 0) {
			const struct chardev_opt *c = qtest_find_chardev(o, o->qtest + 8);

			if (!c || strcmp(c->backend, "socket") != 0 || c->server)
				return qtest_usage(err, "-qtest %s: needs a client socket chardev", o->qtest);
			used[c - o->chardevs] = true;
			path = c->path;
		} else {
			return qtest_usage(err, "-qtest %s: expected unix:PATH, stdio or chardev:ID", o->qtest);
		}
		fd = connect_or_fail("-qtest", path, err);
		if (fd < 0)
			return EXIT_RUNTIME;
		srv->qt_in = srv->qt_out = fd;
	}
	conn_init(&srv->qt, srv->qt_in);

	for (unsigned i = 0; i < o->nmons; i++) {
		const struct chardev_opt *c = qtest_find_chardev(o, o->mon_chardev[i]);
		int fd;

		if (!c)
			return qtest_usage(err, "-mon: no -chardev with id '%s'", o->mon_chardev[i]);
		if (strcmp(c->backend, "socket") != 0 || c->server)
			return qtest_usage(err, "-mon chardev=%s: QMP needs a client unix socket chardev", c->id);
		used[c - o->chardevs] = true;
		fd = connect_or_fail("-mon", c->path, err);
		if (fd < 0)
			return EXIT_RUNTIME;
		conn_init(&srv->qmp[srv->nqmp].c, fd);
		qmp_greet(&srv->qmp[srv->nqmp++]);
	}
	for (unsigned i = 0; i < o->nqmp; i++) {
		int fd = connect_or_fail("-qmp", o->qmp[i] + 5, err);

		if (fd < 0)
			return EXIT_RUNTIME;
		conn_init(&srv->qmp[srv->nqmp].c, fd);
		qmp_greet(&srv->qmp[srv->nqmp++]);
	}
	/* Other client sockets (a serial port, an HMP monitor): connect and drain. */
	for (unsigned i = 0; i < o->nchardevs; i++) {
		const struct chardev_opt *c = &o->chardevs[i];
		int fd;

		if (used[i] || strcmp(c->backend, "socket") != 0 || c->server)
			continue;
		fd = connect_or_fail("-chardev", c->path, err);
		if (fd < 0)
			return EXIT_RUNTIME;
		conn_init(&srv->passive[srv->npassive++], fd);
	}
	return EXIT_OK;
}

static int open_log(struct server *srv, const struct qtest_options *o, struct sim_diag *err)
{
	if (o->qtest_log) {
		if (strcmp(o->qtest_log, "none") == 0)
			return EXIT_OK;
		srv->log = fopen(o->qtest_log, "w+");
		if (!srv->log) {
			sim_diag_fail(err, "-qtest-log %s: %s", o->qtest_log, strerror(errno));
			return EXIT_RUNTIME;
		}
	} else if (o->qtest && strcmp(o->qtest, "stdio") != 0) {
		srv->log = stderr;   /* QEMU logs to stderr when -qtest-log is not given */
	}
	return EXIT_OK;
}

static void serve(struct server *srv)
{
	struct pollfd fds[2 + 2 * MAX_MONS + MAX_CHARDEVS];
	struct conn *owner[2 + 2 * MAX_MONS + MAX_CHARDEVS];

	while (!srv->done) {
		nfds_t n = 0;
		int r;

		if (got_signal)
			break;
		fds[n] = (struct pollfd){ .fd = sig_pipe[0], .events = POLLIN };
		owner[n++] = NULL;
		fds[n] = (struct pollfd){ .fd = srv->qt_in, .events = POLLIN };
		owner[n++] = &srv->qt;
		for (unsigned i = 0; i < srv->nqmp; i++) {
			if (srv->qmp[i].c.fd < 0)
				continue;
			fds[n] = (struct pollfd){ .fd = srv->qmp[i].c.fd, .events = POLLIN };
			owner[n++] = &srv->qmp[i].c;
		}
		for (unsigned i = 0; i < srv->npassive; i++) {
			if (srv->passive[i].fd < 0)
				continue;
			fds[n] = (struct pollfd){ .fd = srv->passive[i].fd, .events = POLLIN };
			owner[n++] = &srv->passive[i];
		}
		r = poll(fds, n, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			srv->status = EXIT_RUNTIME;
			break;
		}
		if (fds[0].revents || got_signal)
			break;   /* SIGTERM and friends: a clean exit, status 0 */
		for (nfds_t i = 1; i < n && !srv->done; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (owner[i] == &srv->qt) {
				qtest_input(srv);
				continue;
			}
			for (unsigned k = 0; k < srv->nqmp; k++) {
				if (owner[i] == &srv->qmp[k].c &&
				    qmp_input(&srv->qmp[k], srv->q.now, srv->rtc_base_s)) {
					srv->done = true;   /* quit: a clean exit */
					srv->status = EXIT_OK;
				}
			}
			for (unsigned k = 0; k < srv->npassive; k++) {
				struct conn *c = &srv->passive[k];

				if (owner[i] == c) {
					if (!conn_fill(c, c->fd))
						conn_close(c);
					else
						conn_consume(c, c->len);
				}
			}
		}
	}
}

int qtest_main(int argc, char **argv, const char **text, struct sim_diag *err)
{
	return qtest_main_hooked(argc, argv, NULL, NULL, text, err);
}

int qtest_main_hooked(int argc, char **argv, qtest_board_hook *hook, void *ctx,
		      const char **text, struct sim_diag *err)
{
	struct qtest_options o;
	struct platform_params pp;
	struct server *srv;
	int st;

	*text = NULL;
	st = qtest_options_parse(&o, argc, argv, err);
	if (st != EXIT_OK)
		return st;
	if (o.help || o.version || o.machine_help) {
		*text = o.help ? qtest_help_text : o.version ? qtest_version_text :
			qtest_machines_text;
		return EXIT_OK;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		sim_diag_fail(err, "out of memory");
		return EXIT_RUNTIME;
	}
	srv->qt_in = srv->qt_out = -1;
	st = qtest_rtc_base(o.rtc, &srv->rtc_base_s, err);
	if (st == EXIT_OK)
		st = open_log(srv, &o, err);
	if (st != EXIT_OK) {
		free(srv);
		return st;
	}

	sim_eventq_init(&srv->q);
	platform_params_default(&pp);
	pp.rtc_base_utc_s = srv->rtc_base_s;
	pp.compat = o.compat;
	if (hook) {
		st = hook(ctx, &srv->q, &pp, err);
		if (st != EXIT_OK)
			goto out;
	}
	if (!platform_init(&srv->pf, &srv->q, &pp, err)) {
		st = EXIT_RUNTIME;
		goto out;
	}
	qtest_session_init(&srv->qs, &srv->pf, &srv->q, qtest_out, srv);
	qtest_session_set_max_events(&srv->qs, o.max_events);
	qtest_session_set_stop(&srv->qs, should_stop, srv);
	if (!install_signals()) {
		sim_diag_fail(err, "cannot install signal handlers: %s", strerror(errno));
		st = EXIT_RUNTIME;
		goto out;
	}
	st = open_channels(srv, &o, err);
	if (st != EXIT_OK)
		goto out;
	if (srv->log) {
		log_stamp(srv, "I", false);
		fprintf(srv->log, " OPENED\n");
		fflush(srv->log);
	}
	srv->status = EXIT_OK;
	serve(srv);
	st = srv->status;
	if (st != EXIT_OK && !err->msg[0])
		sim_diag_fail(err, "%s", srv->qs.failed ? srv->qs.error.msg : "poll failed");
	if (srv->log) {
		log_stamp(srv, "I", true);
		fprintf(srv->log, " CLOSED\n");
		fflush(srv->log);
	}
out:
	qtest_session_finish(&srv->qs);
	platform_finish(&srv->pf);
	sim_eventq_finish(&srv->q);
	conn_close(&srv->qt);
	for (unsigned i = 0; i < srv->nqmp; i++)
		conn_close(&srv->qmp[i].c);
	for (unsigned i = 0; i < srv->npassive; i++)
		conn_close(&srv->passive[i]);
	if (srv->log && srv->log != stderr)
		fclose(srv->log);
	free(srv);
	for (unsigned i = 0; i < 2; i++) {
		if (sig_pipe[i] >= 0)
			close(sig_pipe[i]);
		sig_pipe[i] = -1;
	}
	return st;
}
