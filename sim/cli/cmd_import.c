/* `sim import FORMAT FILE [-o OUT]`: Linux's own text to a sim-trace v1 file (docs/importers.md). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/import/import.h"

static const char import_help[] =
	"usage: sim import FORMAT FILE [-o OUT]\n"
	"\n"
	"Turns text that Linux already produces into a sim-trace v1 file (JSON Lines,\n"
	"docs/trace-format.md) for `sim judge`.  FORMAT is one of:\n"
	"  trace-cmd  `trace-cmd report` text (or the tracefs `trace` file) of the\n"
	"             kvm events kvm_pvclock_update, kvm_write_tsc_offset,\n"
	"             kvm_update_master_clock and kvm_track_tsc\n"
	"  perf       `perf script` text of the same kvm:* events\n"
	"  dmesg      a guest's kernel log: the clocksource watchdog's reports\n"
	"\n"
	"FILE - reads standard input.  Timestamps (SECONDS.FRACTION) become each\n"
	"record's \"ref\" in ns.  Lines of other events and other text are skipped and\n"
	"counted on standard error; a malformed line of an event read here stops the\n"
	"import with exit status 2, naming FILE:LINE:COLUMN and what was expected.\n"
	"Details and examples: docs/importers.md.\n"
	"\n"
	"  -o OUT   write the trace to OUT (default: standard output); OUT is removed\n"
	"           again when the import fails\n";

struct sink {
	FILE *f;
};

static void emit_line(void *ctx, const char *json, size_t len)
{
	struct sink *s = ctx;

	fwrite(json, 1, len, s->f);
	fputc('\n', s->f);
}

/*
 * Reads one line into buf (at most IMPORT_LINE_MAX bytes kept, the rest of a
 * longer line dropped and *cut set).  False at end of input.
 */
static bool read_line(FILE *in, char *buf, size_t *len, bool *cut)
{
	int c;

	*len = 0;
	*cut = false;
	while ((c = getc(in)) != EOF) {
		if (c == '\n')
			return true;
		if (*len < IMPORT_LINE_MAX)
			buf[(*len)++] = (char)c;
		else
			*cut = true;
	}
	return *len > 0 || *cut;
}

static void print_summary(const struct importer *im)
{
	const struct import_stats *st = &im->stats;
	uint64_t total = 0;
	const char *sep = "";

	for (unsigned r = 0; r < IMPORT_RECORD_COUNT; r++)
		total += st->records[r];
	fprintf(stderr, "sim import: %s: %llu records (", im->file, (unsigned long long)total);
	for (unsigned r = 0; r < IMPORT_RECORD_COUNT; r++) {
		if (st->records[r] == 0)
			continue;
		fprintf(stderr, "%s%s %llu", sep, import_record_type((enum import_record)r),
			(unsigned long long)st->records[r]);
		sep = ", ";
	}
	fprintf(stderr, "%s) from %llu lines; skipped %llu lines of other events and %llu "
		"other lines\n", total ? "" : "none", (unsigned long long)st->lines,
		(unsigned long long)st->other_events, (unsigned long long)st->other_lines);
	if (st->lost_lines)
		fprintf(stderr, "sim import: %s: warning: the trace lost events (%llu '[LOST ... "
			"EVENTS]' lines, the first at line %llu): records are missing from there\n",
			im->file, (unsigned long long)st->lost_lines,
			(unsigned long long)st->first_lost_line);
	if (st->unconverted)
		fprintf(stderr, "sim import: %s: warning: %llu watchdog reports of the older form "
			"(counters, no ns) left out, the first at line %llu: a clocksource's counter "
			"rate is not known (docs/importers.md)\n", im->file,
			(unsigned long long)st->unconverted, (unsigned long long)st->first_unconverted);
	if (total == 0)
		fprintf(stderr, "sim import: %s: warning: no %s lines this importer reads "
			"(docs/importers.md)\n", im->file, import_format_name(im->format));
}

int cmd_import(int argc, char **argv)
{
	const char *format_arg = NULL, *file = NULL, *out_path = NULL;
	enum import_format format;
	char producer[64], header[512], *line;
	struct importer im;
	struct sim_diag err;
	struct sink sink;
	FILE *in;
	size_t len;
	bool cut, ok = true;
	static char buf[IMPORT_LINE_MAX];

	for (int i = 0; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			fputs(import_help, stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "-o") == 0) {
			if (++i >= argc)
				return cli_usage_error("import", "%s", "-o needs a file name");
			out_path = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return cli_usage_error("import", "unknown option %s", argv[i]);
		} else if (!format_arg) {
			format_arg = argv[i];
		} else if (!file) {
			file = argv[i];
		} else {
			return cli_usage_error("import", "unexpected argument %s", argv[i]);
		}
	}
	if (!format_arg || !file)
		return cli_usage_error("import", "%s", "expected FORMAT and FILE");
	if (!import_format_parse(format_arg, &format))
		return cli_usage_error("import", "unknown format '%s' (expected trace-cmd, perf or "
				       "dmesg)", format_arg);
	in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	if (!in) {
		fprintf(stderr, "%s: error: cannot read: %s\n", file, strerror(errno));
		return EXIT_USAGE;
	}
	sink.f = out_path ? fopen(out_path, "w") : stdout;
	if (!sink.f) {
		fprintf(stderr, "%s: error: cannot write: %s\n", out_path, strerror(errno));
		if (in != stdin)
			fclose(in);
		return EXIT_USAGE;
	}
	import_init(&im, format, strcmp(file, "-") == 0 ? "<stdin>" : file, emit_line, &sink);
	snprintf(producer, sizeof(producer), "sim %s import %s", SIM_VERSION, format_arg);
	len = import_header(&im, producer, header, sizeof(header));
	emit_line(&sink, header, len);
	line = buf;
	while (ok && read_line(in, line, &len, &cut))
		ok = import_line(&im, line, len, cut, &err);
	if (ok && ferror(in)) {
		sim_diag_clear(&err);
		sim_diag_set_file(&err, im.file);
		sim_diag_fail(&err, "read error: %s", strerror(errno));
		ok = false;
	}
	if (ok)
		ok = import_finish(&im, &err);
	if (in != stdin)
		fclose(in);
	if (fflush(sink.f) != 0 || ferror(sink.f)) {
		fprintf(stderr, "%s: error: cannot write: %s\n", out_path ? out_path : "<stdout>",
			strerror(errno));
		if (ok)
			sim_diag_clear(&err);
		ok = false;
		err.msg[0] = '\0';
	}
	if (out_path)
		fclose(sink.f);
	if (!ok) {
		if (err.msg[0])
			cli_print_diag(&err);
		if (out_path)
			remove(out_path);
		return EXIT_USAGE;
	}
	print_summary(&im);
	return EXIT_OK;
}
