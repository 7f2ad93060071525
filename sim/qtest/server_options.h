/*
 * `sim qtest`'s command line: the QEMU options it understands (-qtest,
 * -qtest-log, -chardev, -mon, -qmp, -machine, -rtc) and those it accepts and
 * ignores (qemu-options.hx).  Parsing never prints: errors come back in a
 * struct sim_diag and the caller prints them.
 */
#ifndef SIM_QTEST_SERVER_OPTIONS_H
#define SIM_QTEST_SERVER_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "sim/core/diag.h"
#include "sim/devices/compat.h"

enum { QTEST_EXIT_OK = 0, QTEST_EXIT_RUNTIME = 1, QTEST_EXIT_USAGE = 2 };

#define QTEST_MAX_CHARDEVS 8
#define QTEST_MAX_MONS 4

/* What the QMP greeting, query-version and -version report: sim's own version (meson.build). */
#define QTEST_SIM_MAJOR SIM_VERSION_MAJOR
#define QTEST_SIM_MINOR SIM_VERSION_MINOR
#define QTEST_SIM_MICRO SIM_VERSION_MICRO
#define QTEST_SIM_PACKAGE "sim " SIM_VERSION

struct chardev_opt {
	char id[64];
	char backend[16];         /* "socket", "stdio", "null", ... */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool server;
};

struct qtest_options {
	const char *qtest;        /* -qtest; NULL: stdio */
	const char *qtest_log;    /* -qtest-log; NULL: none (stdio) or stderr (-qtest) */
	const char *rtc;          /* -rtc */
	struct chardev_opt chardevs[QTEST_MAX_CHARDEVS];
	unsigned nchardevs;
	char mon_chardev[QTEST_MAX_MONS][64];  /* -mon chardev=ID,mode=control */
	unsigned nmons;
	const char *qmp[QTEST_MAX_MONS];       /* -qmp unix:PATH */
	unsigned nqmp;
	uint64_t max_events;      /* --max-events: the per-command event ceiling; 0: default */
	const struct compat_profile *compat;   /* --compat NAME (compat.h); default: datasheet */
	bool help;
	bool version;
	bool machine_help;
};

/* The texts of --help, -version and -machine help. */
extern const char qtest_help_text[];
extern const char qtest_version_text[];
extern const char qtest_machines_text[];

/* Parses argv (the words after "sim qtest"); QTEST_EXIT_USAGE with err filled on error. */
int qtest_options_parse(struct qtest_options *o, int argc, char **argv, struct sim_diag *err);

/* A usage error: the message (printf format) in err; returns QTEST_EXIT_USAGE. */
int qtest_usage(struct sim_diag *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The -chardev with this id, or NULL. */
const struct chardev_opt *qtest_find_chardev(const struct qtest_options *o, const char *id);

/* QEMU option lists "a,key=value,flag": the value of key (a bare "key" reads "on"). */
bool qtest_opt_get(const char *list, const char *key, char *out, size_t outlen);

#endif
