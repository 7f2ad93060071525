/*
 * The command line's shared parts: the command table, exit codes, usage
 * errors and how diagnostics are printed.  Each command lives in its own
 * cmd_<name>.c with its help text; main.c only dispatches.
 *
 * Adding a command: its row in CLI_COMMANDS below and a cmd_<name>.c that
 * defines cmd_<name>() (docs/HACKING.md).
 */
#ifndef SIM_CLI_CLI_H
#define SIM_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/scenario/scenario.h"

/* SIM_VERSION comes from meson.project_version() (meson.build). */
#ifndef SIM_VERSION
#error "build with meson: SIM_VERSION is defined there"
#endif

enum { EXIT_OK = 0, EXIT_EXPECTATION = 1, EXIT_USAGE = 2 };

/*
 * The commands, in the order `sim --help` lists them: X(name, synopsis,
 * summary).  cmd_<name>(argc, argv) gets the arguments after the command's
 * name and returns the exit status.
 */
#define CLI_COMMANDS(X)                                                                     \
	X(run, "run FILE...", "simulate scenarios and check their expectations")               \
	X(validate, "validate FILE...", "check scenario files without running them")           \
	X(import, "import FORMAT FILE", "trace-cmd, perf or dmesg text to a sim-trace file")   \
	X(schema, "schema", "print the scenario format as a JSON Schema")                      \
	X(pvclock, "pvclock scale HZ",                                                         \
	  "the tsc_shift and tsc_to_system_mul KVM writes for a TSC of HZ")                    \
	X(qtest, "qtest [QEMU OPTIONS]", "serve QEMU's qtest protocol on the pc board (docs/qtest.md)") \
	X(judge, "judge TRACE...",                                                             \
	  "judge clock reads recorded in sim-trace files (docs/trace-format.md)") \
	X(diff, "diff SCRIPT --a --b",                                                          \
	  "one qtest script on two device models (--a SPEC --b SPEC), every difference explained") \
	X(viz, "viz FILE", "show a run on one time axis (docs/visualizer.md)") \
	X(sweep, "sweep SWEEP.json", "run a scenario's variants, or one shard of them (docs/sweeps.md)") \
	X(merge, "merge FILE...", "join a sweep's result rows from its shards, sorted by job id")

#define CLI_DECLARE_COMMAND(name, synopsis, summary) int cmd_##name(int argc, char **argv);
CLI_COMMANDS(CLI_DECLARE_COMMAND)
#undef CLI_DECLARE_COMMAND

bool cli_is_help(const char *a);

/* Prints "sim CMD: <why>" and a pointer to --help; returns EXIT_USAGE.  cmd may be NULL. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Errors raised past the loader (the machine checks script commands, for
 * one) carry a JSON pointer but no position: find it in s's source.
 */
void cli_locate(struct sim_diag *d, const struct scenario *s);

/* One diagnostic on stderr, file-provided text escaped (report_put_text). */
void cli_print_diag(const struct sim_diag *d);

/* Every error the loader found (s NULL), or the one error d of a later stage. */
void cli_print_diags(const struct sim_diag *d, const struct sim_diag_list *l,
		     const struct scenario *s);

/* --max-events N at argv[*i]: true when consumed, *status EXIT_USAGE after printing why. */
bool cli_parse_max_events(const char *cmd, int argc, char **argv, int *i, uint64_t *max,
			  int *status);

#endif
