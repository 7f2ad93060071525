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
 * minimal QMP on M (greeting, qmp_capabilities, query-version, query-status,
 * quit).  Other client socket chardevs are connected and their input is
 * drained, so a test that accepts on them does not hang.
 *
 * Exit status: 0 at end of the qtest input, on QMP quit and on SIGTERM (what
 * libqtest's qtest_quit expects), 1 when a socket cannot be used, 2 on
 * invalid usage.
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
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sim/core/event.h"
#include "sim/devices/platform.h"
#include "sim/qtest/protocol.h"

/* What the QMP greeting and query-version report: sim's own version. */
#define QTEST_SIM_MAJOR 0
#define QTEST_SIM_MINOR 1
#define QTEST_SIM_MICRO 0
#define QTEST_SIM_PACKAGE "sim 0.1.0"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

#define MAX_CHARDEVS 8
#define MAX_MONS 4
#define INPUT_MAX (64 * 1024)   /* bytes buffered without a complete line or object */

static const char qtest_help[] =
	"usage: sim qtest [QEMU OPTIONS]\n"
	"\n"
	"Runs the \"pc\" timer board under QEMU's qtest protocol: requests on stdin,\n"
	"responses on stdout, or on the sockets QEMU's libqtest gives, so that\n"
	"QTEST_QEMU_BINARY=tools/qemu-system-x86_64 runs a qtest suite against sim.\n"
	"\n"
	"  -qtest unix:PATH|stdio|chardev:ID   the qtest channel (default stdio)\n"
	"  -qtest-log PATH|none                log requests and responses\n"
	"  -chardev socket,path=PATH,id=ID     a client socket\n"
	"  -mon chardev=ID,mode=control        QMP on that socket\n"
	"  -qmp unix:PATH                      QMP on a client socket\n"
	"  -machine pc                         the only board\n"
	"  -rtc base=utc|localtime|DATE        RTC start (DATE: 2006-06-17T16:01:21)\n"
	"\n"
	"Other QEMU options are accepted and ignored.  See docs/qtest.md.\n";

/* QEMU options that take an argument (qemu-options.hx); all ignored here. */
static const char *const opts_with_arg[] = {
	"accel", "acpitable", "action", "add-fd", "append", "audio", "audiodev", "bios",
	"blockdev", "boot", "cdrom", "compat", "cpu", "d", "D", "debugcon", "device", "display",
	"drive", "dtb", "echr", "fda", "fdb", "fsdev", "fw_cfg", "g", "gdb", "global", "hda",
	"hdb", "hdc", "hdd", "icount", "incoming", "initrd", "iscsi", "k", "kernel", "L",
	"loadvm", "m", "mem-path", "monitor", "msg", "mtdblock", "name", "net", "netdev", "nic",
	"numa", "object", "option-rom", "overcommit", "parallel", "pidfile", "plugin",
	"readconfig", "run-with", "runas", "chroot", "sandbox", "sd", "semihosting-config",
	"serial", "set", "smbios", "smp", "spice", "tb-size", "tpmdev", "trace", "usbdevice",
	"uuid", "vga", "virtfs", "vnc", "watchdog-action", "xen-attach", "xen-domid", NULL,
};

/* QEMU flags (no argument). */
static const char *const opts_flags[] = {
	"S", "s", "nodefaults", "nographic", "no-reboot", "no-shutdown", "daemonize",
	"snapshot", "enable-kvm", "no-user-config", "nodefconfig", "full-screen", "usb",
	"preconfig", "no-hpet", "no-acpi", "win2k-hack", "no-fd-bootchk", "only-migratable",
	"enable-sync-profile", "semihosting", "singlestep", "mem-prealloc", "qmp-pretty",
	"old-param", "alt-grab", "ctrl-grab", "no-quit", "no-frame", "portrait", NULL,
};

struct chardev_opt {
	char id[64];
	char backend[16];         /* "socket", "stdio", "null", ... */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool server;
};

struct options {
	const char *qtest;        /* -qtest; NULL: stdio */
	const char *qtest_log;    /* -qtest-log; NULL: none (stdio) or stderr (-qtest) */
	const char *rtc;          /* -rtc */
	struct chardev_opt chardevs[MAX_CHARDEVS];
	unsigned nchardevs;
	char mon_chardev[MAX_MONS][64];  /* -mon chardev=ID,mode=control */
	unsigned nmons;
	const char *qmp[MAX_MONS];       /* -qmp unix:PATH */
	unsigned nqmp;
	bool help;
	bool version;
	bool machine_help;
};

/* ---- QEMU-style option lists: "a,key=value,flag" ---- */

/* The value of key in list (a bare "key" reads as "on"); false when absent. */
static bool opt_get(const char *list, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n >= klen && strncmp(p, key, klen) == 0 && (n == klen || p[klen] == '=')) {
			const char *v = n == klen ? "on" : p + klen + 1;
			size_t vlen = n == klen ? 2 : n - klen - 1;

			if (vlen >= outlen)
				vlen = outlen - 1;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return true;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* The leading item when it has no "=" (QEMU's implied key); false otherwise. */
static bool opt_first(const char *list, char *out, size_t outlen)
{
	size_t n = strcspn(list, ",");

	if (n == 0 || memchr(list, '=', n))
		return false;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, list, n);
	out[n] = '\0';
	return true;
}

static bool is_on(const char *v)
{
	return strcmp(v, "on") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0;
}

static bool in_list(const char *const *list, const char *name)
{
	for (unsigned i = 0; list[i]; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sim qtest: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return EXIT_USAGE;
}

static int parse_machine(struct options *o, const char *arg)
{
	char type[64];

	if (!opt_first(arg, type, sizeof(type)) && !opt_get(arg, "type", type, sizeof(type)))
		return EXIT_OK;   /* only properties: the default board */
	if (strcmp(type, "help") == 0 || strcmp(type, "?") == 0) {
		o->machine_help = true;
		return EXIT_OK;
	}
	if (strcmp(type, "pc") == 0 || strncmp(type, "pc-i440fx-", 10) == 0)
		return EXIT_OK;
	return usage("machine type '%s' is not supported: sim models only 'pc'", type);
}

static int parse_chardev(struct options *o, const char *arg)
{
	struct chardev_opt *c;
	char v[16];

	if (o->nchardevs == MAX_CHARDEVS)
		return usage("more than %d -chardev options", MAX_CHARDEVS);
	c = &o->chardevs[o->nchardevs];
	memset(c, 0, sizeof(*c));
	if (!opt_first(arg, c->backend, sizeof(c->backend)))
		return usage("-chardev %s: no backend", arg);
	if (!opt_get(arg, "id", c->id, sizeof(c->id)))
		return usage("-chardev %s: no id", arg);
	if (strcmp(c->backend, "socket") == 0) {
		char path[sizeof(c->path) + 1];

		if (!opt_get(arg, "path", path, sizeof(path)))
			return usage("-chardev %s: only unix sockets (path=) are supported", arg);
		if (strlen(path) >= sizeof(c->path))
			return usage("-chardev %s: socket path too long", arg);
		memcpy(c->path, path, strlen(path) + 1);
		c->server = opt_get(arg, "server", v, sizeof(v)) && is_on(v);
	}
	o->nchardevs++;
	return EXIT_OK;
}

static int parse_mon(struct options *o, const char *arg)
{
	char id[64], mode[32] = "readline";

	if (!opt_get(arg, "chardev", id, sizeof(id)) && !opt_first(arg, id, sizeof(id)))
		return usage("-mon %s: no chardev", arg);
	opt_get(arg, "mode", mode, sizeof(mode));
	if (strcmp(mode, "control") != 0)
		return EXIT_OK;   /* an HMP monitor: its socket is only drained */
	if (o->nmons == MAX_MONS)
		return usage("more than %d QMP monitors", MAX_MONS);
	snprintf(o->mon_chardev[o->nmons++], sizeof(o->mon_chardev[0]), "%s", id);
	return EXIT_OK;
}

static int parse_options(struct options *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *name, *arg;
		int st = EXIT_OK;

		if (a[0] != '-' || a[1] == '\0')
			continue;   /* QEMU reads a bare word as a disk image: ignored */
		name = a + 1 + (a[1] == '-');
		if (strcmp(name, "h") == 0 || strcmp(name, "help") == 0) {
			o->help = true;
			continue;
		}
		if (strcmp(name, "version") == 0) {
			o->version = true;
			continue;
		}
		if (in_list(opts_flags, name))
			continue;
		if (strcmp(name, "qtest") != 0 && strcmp(name, "qtest-log") != 0 &&
		    strcmp(name, "machine") != 0 && strcmp(name, "M") != 0 &&
		    strcmp(name, "chardev") != 0 && strcmp(name, "mon") != 0 &&
		    strcmp(name, "qmp") != 0 && strcmp(name, "rtc") != 0 &&
		    !in_list(opts_with_arg, name)) {
			/* Unknown: a flag, unless a non-option word follows. */
			if (i + 1 < argc && argv[i + 1][0] != '-')
				i++;
			continue;
		}
		if (i + 1 >= argc)
			return usage("-%s needs an argument", name);
		arg = argv[++i];
		if (strcmp(name, "qtest") == 0)
			o->qtest = arg;
		else if (strcmp(name, "qtest-log") == 0)
			o->qtest_log = arg;
		else if (strcmp(name, "machine") == 0 || strcmp(name, "M") == 0)
			st = parse_machine(o, arg);
		else if (strcmp(name, "chardev") == 0)
			st = parse_chardev(o, arg);
		else if (strcmp(name, "mon") == 0)
			st = parse_mon(o, arg);
		else if (strcmp(name, "qmp") == 0) {
			if (strncmp(arg, "unix:", 5) != 0 || strstr(arg, ",server"))
				return usage("-qmp %s: only unix:PATH (client) is supported", arg);
			if (o->nqmp == MAX_MONS)
				return usage("more than %d QMP monitors", MAX_MONS);
			o->qmp[o->nqmp++] = arg;
		} else if (strcmp(name, "rtc") == 0)
			o->rtc = arg;
		if (st != EXIT_OK)
			return st;
	}
	return EXIT_OK;
}

static const struct chardev_opt *find_chardev(const struct options *o, const char *id)
{
	for (unsigned i = 0; i < o->nchardevs; i++)
		if (strcmp(o->chardevs[i].id, id) == 0)
			return &o->chardevs[i];
	return NULL;
}

/* ---- -rtc ---- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;                                   /* 0..399 */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365, March-based */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
	return era * 146097 + doe - 719468;
}

static int64_t civil_to_epoch(int64_t y, int mo, int d, int h, int mi, int s)
{
	return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

/* QEMU's two -rtc base=DATE forms: "2006-06-17T16:01:21" and "2006-06-17". */
static bool parse_date(const char *v, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, s = 0;

	if (sscanf(v, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6) {
		h = mi = s = 0;
		if (sscanf(v, "%d-%d-%d", &y, &mo, &d) != 3)
			return false;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    s < 0 || s > 60)
		return false;
	*out = civil_to_epoch(y, mo, d, h, mi, s);
	return true;
}

/*
 * The RTC's time at t = 0.  base=utc (the default): the host's UTC time, read
 * once here; base=localtime: that plus the host's UTC offset at start-up
 * (localtime_r's fields read as a UTC date); base=DATE: DATE as UTC.
 * clock= and driftfix= are accepted: the RTC always follows the simulated
 * clock, which is what QEMU's clock=vm means.
 */
static int rtc_base(const struct options *o, int64_t *base_s)
{
	char base[64] = "utc", v[64];
	const char *p;
	time_t now;
	struct tm tm;

	if (o->rtc) {
		for (p = o->rtc; *p;) {
			size_t n = strcspn(p, ",");
			size_t k = strcspn(p, "=");

			if (k > n || (!(k == 4 && strncmp(p, "base", 4) == 0) &&
				      !(k == 5 && strncmp(p, "clock", 5) == 0) &&
				      !(k == 8 && strncmp(p, "driftfix", 8) == 0)))
				return usage("-rtc %s: unknown parameter '%.*s'", o->rtc, (int)n, p);
			p += n;
			if (*p == ',')
				p++;
		}
		opt_get(o->rtc, "base", base, sizeof(base));
		if (opt_get(o->rtc, "clock", v, sizeof(v)) && strcmp(v, "host") != 0 &&
		    strcmp(v, "rt") != 0 && strcmp(v, "vm") != 0)
			return usage("-rtc %s: clock must be host, rt or vm", o->rtc);
	}
	if (strcmp(base, "utc") != 0 && strcmp(base, "localtime") != 0) {
		if (!parse_date(base, base_s))
			return usage("-rtc base=%s: invalid datetime format; valid formats: "
				     "'2006-06-17T16:01:21' or '2006-06-17'", base);
		return EXIT_OK;
	}
	now = time(NULL);   /* the one wall-clock read of sim */
	*base_s = (int64_t)now;
	if (strcmp(base, "localtime") == 0) {
		if (!localtime_r(&now, &tm))
			return usage("-rtc base=localtime: cannot read the local time zone");
		*base_s = civil_to_epoch((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
					 tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	return EXIT_OK;
}

/* ---- connections ---- */

struct conn {
	int fd;                   /* -1 when closed */
	char *buf;
	size_t len, cap;
	bool overflow;            /* discarding an over-long line */
};

struct qmp {
	struct conn c;
	bool negotiated;
};

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

static int unix_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EINTR) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
	}
	return fd;
}

static bool write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static void conn_init(struct conn *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
}

static void conn_close(struct conn *c)
{
	if (c->fd > 2)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

/* Reads what is there; false at end of input or on error. */
static bool conn_fill(struct conn *c, int fd)
{
	char tmp[4096];
	ssize_t n;

	do
		n = read(fd, tmp, sizeof(tmp));
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return false;
	if (c->len + (size_t)n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		char *b;

		while (cap < c->len + (size_t)n + 1)
			cap *= 2;
		b = realloc(c->buf, cap);
		if (!b)
			return false;
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, tmp, (size_t)n);
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	return true;
}

static void conn_consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	if (c->buf)
		c->buf[c->len] = '\0';
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

static void qtest_out(void *ctx, const char *buf, size_t len)
{
	struct server *srv = ctx;

	if (srv->log) {
		log_stamp(srv, "S", true);
		fprintf(srv->log, " %.*s", (int)len, buf);
		fflush(srv->log);
	}
	if (srv->qt_out >= 0 && !write_all(srv->qt_out, buf, len)) {
		/* the client went away: end as at end of input */
		srv->qt_out = -1;
		srv->done = true;
	}
}

static void qtest_request(struct server *srv, const char *line)
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
	if (!qtest_session_line(&srv->qs, line)) {
		/* the event queue failed: nothing can be simulated any more */
		srv->done = true;
		srv->status = EXIT_RUNTIME;
	}
}

static void qtest_input(struct server *srv)
{
	struct conn *c = &srv->qt;
	bool eof = !conn_fill(c, srv->qt_in);
	char *nl;

	while (!srv->done && c->len && (nl = memchr(c->buf, '\n', c->len))) {
		size_t n = (size_t)(nl - c->buf) + 1;

		*nl = '\0';
		if (c->overflow)
			c->overflow = false;
		else
			qtest_request(srv, c->buf);
		conn_consume(c, n);
	}
	if (!eof && c->len > INPUT_MAX) {
		if (!c->overflow)
			qtest_request(srv, c->buf);   /* answers "FAIL line too long" */
		c->overflow = true;
		conn_consume(c, c->len);
	}
	if (eof) {
		/* A last line without "\n" still counts (QEMU would wait for one). */
		if (!srv->done && c->len && !c->overflow)
			qtest_request(srv, c->buf);
		conn_consume(c, c->len);
		srv->done = true;
	}
}

/* ---- QMP ---- */

static void qmp_send(struct qmp *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One QMP line; QEMU ends every line it sends with CRLF. */
static void qmp_send(struct qmp *m, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || m->c.fd < 0)
		return;
	if ((size_t)n > sizeof(buf) - 3)
		n = (int)sizeof(buf) - 3;
	buf[n++] = '\r';
	buf[n++] = '\n';
	if (!write_all(m->c.fd, buf, (size_t)n))
		conn_close(&m->c);
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/*
 * A JSON string at p ("..." or QMP's '...'), decoded into out (\u escapes
 * become '?').  Returns the position after it, or NULL when unterminated.
 */
static const char *scan_string(const char *p, const char *end, char *out, size_t outlen)
{
	char quote = *p++;
	size_t n = 0;

	while (p < end) {
		char c = *p++;

		if (c == quote) {
			if (out && outlen)
				out[n < outlen ? n : outlen - 1] = '\0';
			return p;
		}
		if (c == '\\') {
			if (p >= end)
				return NULL;
			c = *p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				p += end - p < 4 ? end - p : 4;
				c = '?';
				break;
			default: break;   /* \" \' \\ \/ */
			}
		}
		if (out && n + 1 < outlen)
			out[n++] = c;
	}
	return NULL;
}

/* The end of the JSON value at p, or NULL when it is incomplete or malformed. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p >= end)
		return NULL;
	if (*p != '{' && *p != '[') {
		if (*p == '"' || *p == '\'')
			return scan_string(p, end, NULL, 0);
		while (p < end && !strchr(",}] \t\r\n", *p))
			p++;
		return p;
	}
	while (p < end) {
		if (*p == '"' || *p == '\'') {
			p = scan_string(p, end, NULL, 0);
			if (!p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		p++;
		if (depth == 0)
			return p;
	}
	return NULL;
}

/* Writes a JSON string literal of s into out. */
static void json_quote(char *out, size_t outlen, const char *s)
{
	size_t n = 0;

	if (outlen < 3)
		return;
	out[n++] = '"';
	for (; *s && n + 7 < outlen; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, outlen - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n++] = '"';
	out[n] = '\0';
}

static void version_json(char *buf, size_t len)
{
	snprintf(buf, len, "{\"qemu\": {\"micro\": %d, \"minor\": %d, \"major\": %d}, "
		 "\"package\": \"%s\"}", QTEST_SIM_MICRO, QTEST_SIM_MINOR, QTEST_SIM_MAJOR,
		 QTEST_SIM_PACKAGE);
}

static void qmp_greet(struct qmp *m)
{
	char ver[256];

	version_json(ver, sizeof(ver));
	qmp_send(m, "{\"QMP\": {\"version\": %s, \"capabilities\": []}}", ver);
}

static void qmp_error(struct qmp *m, const char *id, const char *cls, const char *desc)
{
	char d[512];

	json_quote(d, sizeof(d), desc);
	qmp_send(m, "{\"error\": {\"class\": \"%s\", \"desc\": %s}%s%s}", cls, d,
		 id[0] ? ", \"id\": " : "", id);
}

static void qmp_return(struct qmp *m, const char *id, const char *value)
{
	qmp_send(m, "{\"return\": %s%s%s}", value, id[0] ? ", \"id\": " : "", id);
}

/* QEMU emits SHUTDOWN after quit's reply; the timestamp here is simulated. */
static void qmp_shutdown_event(struct server *srv, struct qmp *m)
{
	uint64_t us = srv->q.now / SIM_PS_PER_US;

	qmp_send(m, "{\"timestamp\": {\"seconds\": %" PRId64 ", \"microseconds\": %" PRIu64 "}, "
		 "\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}",
		 srv->rtc_base_s + (int64_t)(us / 1000000), us % 1000000);
}

/* One complete JSON text [p, end) from a QMP client. */
static void qmp_object(struct server *srv, struct qmp *m, const char *p, const char *end)
{
	char cmd[128] = "", id[256] = "", key[64], desc[256];
	bool has_cmd = false;

	if (*p != '{') {
		qmp_error(m, "", "GenericError", "QMP input must be a JSON object");
		return;
	}
	p = skip_ws(p + 1, end);
	while (p < end && *p != '}') {
		const char *v, *vend;

		if (*p != '"' && *p != '\'')
			goto bad;
		p = scan_string(p, end, key, sizeof(key));
		if (!p)
			goto bad;
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			goto bad;
		v = skip_ws(p + 1, end);
		vend = skip_value(v, end);
		if (!vend)
			goto bad;
		if (strcmp(key, "execute") == 0) {
			if (*v != '"' && *v != '\'') {
				qmp_error(m, id, "GenericError", "QMP input member 'execute' must be a string");
				return;
			}
			scan_string(v, vend, cmd, sizeof(cmd));
			has_cmd = true;
		} else if (strcmp(key, "id") == 0) {
			if (*v == '\'') {
				char s[200];

				scan_string(v, vend, s, sizeof(s));
				json_quote(id, sizeof(id), s);
			} else {
				snprintf(id, sizeof(id), "%.*s", (int)(vend - v), v);
			}
		} else if (strcmp(key, "arguments") != 0) {
			snprintf(desc, sizeof(desc), "QMP input member '%s' is unexpected", key);
			qmp_error(m, id, "GenericError", desc);
			return;
		}
		p = skip_ws(vend, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	if (!has_cmd) {
		qmp_error(m, id, "GenericError", "QMP input lacks member 'execute'");
		return;
	}
	if (!m->negotiated) {
		if (strcmp(cmd, "qmp_capabilities") == 0) {
			m->negotiated = true;
			qmp_return(m, id, "{}");
		} else {
			qmp_error(m, id, "CommandNotFound",
				  "Expecting capabilities negotiation with 'qmp_capabilities'");
		}
		return;
	}
	if (strcmp(cmd, "qmp_capabilities") == 0) {
		qmp_error(m, id, "CommandNotFound",
			  "Capabilities negotiation is already complete, command ignored");
	} else if (strcmp(cmd, "quit") == 0) {
		qmp_return(m, id, "{}");
		qmp_shutdown_event(srv, m);
		srv->done = true;
		srv->status = EXIT_OK;
	} else if (strcmp(cmd, "query-version") == 0) {
		char ver[256];

		version_json(ver, sizeof(ver));
		qmp_return(m, id, ver);
	} else if (strcmp(cmd, "query-status") == 0) {
		qmp_return(m, id, "{\"status\": \"running\", \"running\": true}");
	} else {
		snprintf(desc, sizeof(desc), "The command %s has not been found", cmd);
		qmp_error(m, id, "CommandNotFound", desc);
	}
	return;
bad:
	qmp_error(m, id, "GenericError", "JSON parse error");
}

static void qmp_input(struct server *srv, struct qmp *m)
{
	struct conn *c = &m->c;
	bool eof = !conn_fill(c, c->fd);

	while (!srv->done && c->len) {
		const char *start = skip_ws(c->buf, c->buf + c->len), *end;

		if (start == c->buf + c->len) {
			conn_consume(c, c->len);
			break;
		}
		if (*start != '{' && *start != '[') {
			/* Not a JSON container: report once and drop the line. */
			const char *nl = memchr(start, '\n', (size_t)(c->buf + c->len - start));

			qmp_error(m, "", "GenericError", "JSON parse error");
			conn_consume(c, nl ? (size_t)(nl + 1 - c->buf) : c->len);
			continue;
		}
		end = skip_value(start, c->buf + c->len);
		if (!end)
			break;   /* incomplete: wait for more */
		qmp_object(srv, m, start, end);
		if (m->c.fd < 0)
			return;
		conn_consume(c, (size_t)(end - c->buf));
	}
	if (c->len > INPUT_MAX) {
		qmp_error(m, "", "GenericError", "JSON parse error: input too long");
		conn_consume(c, c->len);
	}
	if (eof)
		conn_close(c);   /* QEMU keeps running when a monitor disconnects */
}

/* ---- set-up ---- */

static int connect_or_fail(const char *what, const char *path)
{
	int fd = unix_connect(path);

	if (fd < 0)
		fprintf(stderr, "sim qtest: %s: cannot connect to %s: %s\n", what, path,
			strerror(errno));
	return fd;
}

static int open_channels(struct server *srv, const struct options *o)
{
	bool used[MAX_CHARDEVS] = { false };

	srv->qt_in = 0;
	srv->qt_out = 1;
	if (o->qtest && strcmp(o->qtest, "stdio") != 0) {
		const char *path = NULL;
		int fd;

		if (strncmp(o->qtest, "unix:", 5) == 0) {
			if (strchr(o->qtest, ','))
				return usage("-qtest %s: only a client unix socket is supported", o->qtest);
			path = o->qtest + 5;
		} else if (strncmp(o->qtest, "chardev:", 8) == 0) {
			const struct chardev_opt *c = find_chardev(o, o->qtest + 8);

			if (!c || strcmp(c->backend, "socket") != 0 || c->server)
				return usage("-qtest %s: needs a client socket chardev", o->qtest);
			used[c - o->chardevs] = true;
			path = c->path;
		} else {
			return usage("-qtest %s: expected unix:PATH, stdio or chardev:ID", o->qtest);
		}
		fd = connect_or_fail("-qtest", path);
		if (fd < 0)
			return EXIT_RUNTIME;
		srv->qt_in = srv->qt_out = fd;
	}
	conn_init(&srv->qt, srv->qt_in);

	for (unsigned i = 0; i < o->nmons; i++) {
		const struct chardev_opt *c = find_chardev(o, o->mon_chardev[i]);
		int fd;

		if (!c)
			return usage("-mon: no -chardev with id '%s'", o->mon_chardev[i]);
		if (strcmp(c->backend, "socket") != 0 || c->server)
			return usage("-mon chardev=%s: QMP needs a client unix socket chardev", c->id);
		used[c - o->chardevs] = true;
		fd = connect_or_fail("-mon", c->path);
		if (fd < 0)
			return EXIT_RUNTIME;
		conn_init(&srv->qmp[srv->nqmp].c, fd);
		qmp_greet(&srv->qmp[srv->nqmp++]);
	}
	for (unsigned i = 0; i < o->nqmp; i++) {
		int fd = connect_or_fail("-qmp", o->qmp[i] + 5);

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
		fd = connect_or_fail("-chardev", c->path);
		if (fd < 0)
			return EXIT_RUNTIME;
		conn_init(&srv->passive[srv->npassive++], fd);
	}
	return EXIT_OK;
}

static int open_log(struct server *srv, const struct options *o)
{
	if (o->qtest_log) {
		if (strcmp(o->qtest_log, "none") == 0)
			return EXIT_OK;
		srv->log = fopen(o->qtest_log, "w+");
		if (!srv->log) {
			fprintf(stderr, "sim qtest: -qtest-log %s: %s\n", o->qtest_log, strerror(errno));
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
			for (unsigned k = 0; k < srv->nqmp; k++)
				if (owner[i] == &srv->qmp[k].c)
					qmp_input(srv, &srv->qmp[k]);
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

int qtest_main(int argc, char **argv)
{
	struct options o;
	struct platform_params pp;
	struct sim_diag err;
	struct server *srv;
	int st;

	st = parse_options(&o, argc, argv);
	if (st != EXIT_OK)
		return st;
	if (o.help) {
		fputs(qtest_help, stdout);
		return EXIT_OK;
	}
	if (o.version) {
		printf("sim qtest %d.%d.%d (QEMU qtest protocol; machine pc)\n", QTEST_SIM_MAJOR,
		       QTEST_SIM_MINOR, QTEST_SIM_MICRO);
		return EXIT_OK;
	}
	if (o.machine_help) {
		printf("Supported machines are:\n"
		       "pc                   PC timer board of sim (PIT, RTC, HPET, PM timer)\n");
		return EXIT_OK;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		fprintf(stderr, "sim qtest: out of memory\n");
		return EXIT_RUNTIME;
	}
	srv->qt_in = srv->qt_out = -1;
	st = rtc_base(&o, &srv->rtc_base_s);
	if (st == EXIT_OK)
		st = open_log(srv, &o);
	if (st != EXIT_OK) {
		free(srv);
		return st;
	}

	sim_eventq_init(&srv->q);
	platform_params_default(&pp);
	pp.rtc_base_utc_s = srv->rtc_base_s;
	sim_diag_clear(&err);
	if (!platform_init(&srv->pf, &srv->q, &pp, &err)) {
		fprintf(stderr, "sim qtest: %s\n", err.msg);
		st = EXIT_RUNTIME;
		goto out;
	}
	qtest_session_init(&srv->qs, &srv->pf, &srv->q, qtest_out, srv);
	if (!install_signals()) {
		fprintf(stderr, "sim qtest: cannot install signal handlers: %s\n", strerror(errno));
		st = EXIT_RUNTIME;
		goto out;
	}
	st = open_channels(srv, &o);
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
