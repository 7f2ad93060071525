/* `sim qtest`'s options: see server_options.h. */
#include "sim/qtest/server_options.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char qtest_help_text[] =
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
	"  --max-events N                      events one command may fire (default 10^7)\n"
	"  --compat PROFILE                    whose behaviour to follow: datasheet (default)\n"
	"                                      or qemu-7.2 (QEMU 7.2's RTC and qtest replies)\n"
	"  --plugin PATH[:PART]                a plugin's chip stands in for a board part\n"
	"                                      (PART: pmtimer; docs/plugins.md); repeatable\n"
	"\n"
	"Other QEMU options are accepted and ignored.  See docs/qtest.md.\n";

#define STR_(x) #x
#define STR(x) STR_(x)
const char qtest_version_text[] =
	"sim qtest " STR(QTEST_SIM_MAJOR) "." STR(QTEST_SIM_MINOR) "." STR(QTEST_SIM_MICRO)
	" (QEMU qtest protocol; machine pc)\n";
const char qtest_machines_text[] =
	"Supported machines are:\n"
	"pc                   PC timer board of sim (PIT, RTC, HPET, PM timer)\n";

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

/* ---- QEMU-style option lists: "a,key=value,flag" ---- */

/* The value of key in list (a bare "key" reads as "on"); false when absent. */
bool qtest_opt_get(const char *list, const char *key, char *out, size_t outlen)
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

int qtest_usage(struct sim_diag *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return QTEST_EXIT_USAGE;
}

static int parse_machine(struct qtest_options *o, const char *arg, struct sim_diag *err)
{
	char type[64];

	if (!opt_first(arg, type, sizeof(type)) && !qtest_opt_get(arg, "type", type, sizeof(type)))
		return QTEST_EXIT_OK;   /* only properties: the default board */
	if (strcmp(type, "help") == 0 || strcmp(type, "?") == 0) {
		o->machine_help = true;
		return QTEST_EXIT_OK;
	}
	if (strcmp(type, "pc") == 0 || strncmp(type, "pc-i440fx-", 10) == 0)
		return QTEST_EXIT_OK;
	return qtest_usage(err, "machine type '%s' is not supported: sim models only 'pc'", type);
}

static int parse_chardev(struct qtest_options *o, const char *arg, struct sim_diag *err)
{
	struct chardev_opt *c;
	char v[16];

	if (o->nchardevs == QTEST_MAX_CHARDEVS)
		return qtest_usage(err, "more than %d -chardev options", QTEST_MAX_CHARDEVS);
	c = &o->chardevs[o->nchardevs];
	memset(c, 0, sizeof(*c));
	if (!opt_first(arg, c->backend, sizeof(c->backend)))
		return qtest_usage(err, "-chardev %s: no backend", arg);
	if (!qtest_opt_get(arg, "id", c->id, sizeof(c->id)))
		return qtest_usage(err, "-chardev %s: no id", arg);
	if (strcmp(c->backend, "socket") == 0) {
		char path[sizeof(c->path) + 1];

		if (!qtest_opt_get(arg, "path", path, sizeof(path)))
			return qtest_usage(err, "-chardev %s: only unix sockets (path=) are supported", arg);
		if (strlen(path) >= sizeof(c->path))
			return qtest_usage(err, "-chardev %s: socket path too long", arg);
		memcpy(c->path, path, strlen(path) + 1);
		c->server = qtest_opt_get(arg, "server", v, sizeof(v)) && is_on(v);
	}
	o->nchardevs++;
	return QTEST_EXIT_OK;
}

static int parse_mon(struct qtest_options *o, const char *arg, struct sim_diag *err)
{
	char id[64], mode[32] = "readline";

	if (!qtest_opt_get(arg, "chardev", id, sizeof(id)) && !opt_first(arg, id, sizeof(id)))
		return qtest_usage(err, "-mon %s: no chardev", arg);
	qtest_opt_get(arg, "mode", mode, sizeof(mode));
	if (strcmp(mode, "control") != 0)
		return QTEST_EXIT_OK;   /* an HMP monitor: its socket is only drained */
	if (o->nmons == QTEST_MAX_MONS)
		return qtest_usage(err, "more than %d QMP monitors", QTEST_MAX_MONS);
	snprintf(o->mon_chardev[o->nmons++], sizeof(o->mon_chardev[0]), "%s", id);
	return QTEST_EXIT_OK;
}

/*
 * --compat PROFILE (sim's; env SIM_COMPAT in tools/qemu-system-x86_64).
 * QEMU's own -compat takes KEY=VALUE lists (deprecated-input=...): those
 * are accepted and ignored like every other QEMU option.
 */
static int parse_compat(struct qtest_options *o, const char *arg, struct sim_diag *err)
{
	if (strchr(arg, '='))
		return QTEST_EXIT_OK;
	o->compat = compat_find(arg);
	if (!o->compat)
		return qtest_usage(err, "--compat '%.40s': expected one of %s", arg, compat_names());
	return QTEST_EXIT_OK;
}

/* --max-events N: a whole decimal number of events, at least 1. */
static int parse_max_events(struct qtest_options *o, const char *arg, struct sim_diag *err)
{
	uint64_t v = 0;
	const char *p = arg;

	if (!*p)
		return qtest_usage(err, "--max-events '': expected a positive whole number of events");
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return qtest_usage(err, "--max-events '%.40s': expected a positive whole number "
					   "of events (at most 2^64 - 1)", arg);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v == 0)
		return qtest_usage(err, "--max-events 0: expected a positive whole number of events");
	o->max_events = v;
	return QTEST_EXIT_OK;
}

int qtest_options_parse(struct qtest_options *o, int argc, char **argv, struct sim_diag *err)
{
	memset(o, 0, sizeof(*o));
	o->compat = compat_default();
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *name, *arg;
		int st = QTEST_EXIT_OK;

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
		    strcmp(name, "max-events") != 0 && strcmp(name, "compat") != 0 &&
		    !in_list(opts_with_arg, name)) {
			/* Unknown: a flag, unless a non-option word follows. */
			if (i + 1 < argc && argv[i + 1][0] != '-')
				i++;
			continue;
		}
		if (i + 1 >= argc)
			return qtest_usage(err, "-%s needs an argument", name);
		arg = argv[++i];
		if (strcmp(name, "qtest") == 0)
			o->qtest = arg;
		else if (strcmp(name, "qtest-log") == 0)
			o->qtest_log = arg;
		else if (strcmp(name, "machine") == 0 || strcmp(name, "M") == 0)
			st = parse_machine(o, arg, err);
		else if (strcmp(name, "chardev") == 0)
			st = parse_chardev(o, arg, err);
		else if (strcmp(name, "mon") == 0)
			st = parse_mon(o, arg, err);
		else if (strcmp(name, "qmp") == 0) {
			if (strncmp(arg, "unix:", 5) != 0 || strstr(arg, ",server"))
				return qtest_usage(err, "-qmp %s: only unix:PATH (client) is supported", arg);
			if (o->nqmp == QTEST_MAX_MONS)
				return qtest_usage(err, "more than %d QMP monitors", QTEST_MAX_MONS);
			o->qmp[o->nqmp++] = arg;
		} else if (strcmp(name, "rtc") == 0)
			o->rtc = arg;
		else if (strcmp(name, "max-events") == 0)
			st = parse_max_events(o, arg, err);
		else if (strcmp(name, "compat") == 0)
			st = parse_compat(o, arg, err);
		if (st != QTEST_EXIT_OK)
			return st;
	}
	return QTEST_EXIT_OK;
}

const struct chardev_opt *qtest_find_chardev(const struct qtest_options *o, const char *id)
{
	for (unsigned i = 0; i < o->nchardevs; i++)
		if (strcmp(o->chardevs[i].id, id) == 0)
			return &o->chardevs[i];
	return NULL;
}

