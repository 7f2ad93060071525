/* `sim diff`: one qtest script on two device models, every difference explained or failed. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/cli/json_out.h"
#include "sim/core/units.h"
#include "sim/diff/diff.h"
#include "sim/diff/peer.h"

#define MAX_REQUEST 4095              /* as sim qtest: longer lines are refused */

static const char diff_help[] =
	"usage: sim diff SCRIPT --a SPEC --b SPEC [--tolerance-ns N] [--known FILE]\n"
	"                [--json FILE|-] [--timeout-ms N]\n"
	"\n"
	"Feeds the qtest requests of SCRIPT (one a line; blank lines and lines starting\n"
	"with # are skipped) to two qtest-speaking device models and compares their\n"
	"answers (IRQ lines and reply) request by request.  Each difference is printed\n"
	"with its request number, the request, both answers and both clocks; one that\n"
	"matches an entry of the known-deviation FILE is labelled with its id and\n"
	"citation, any other fails the run.\n"
	"\n"
	"  SPEC               sim            this sim's `qtest`\n"
	"                     sim:OPTIONS    this sim's `qtest OPTIONS` (sim:--compat qemu-7.2)\n"
	"                     cmd:COMMAND    any qtest peer on stdin/stdout, run by /bin/sh, e.g.\n"
	"                                    cmd:qemu-system-x86_64 -machine pc -accel qtest\n"
	"                                        -qtest stdio -display none -nodefaults\n"
	"  --tolerance-ns N   clock replies within N ns count as equal (default 0)\n"
	"  --known FILE       known deviations (sim/devices/known/qemu-7.2.json)\n"
	"  --json FILE|-      also write the differences as JSON (- : stdout, instead of text)\n"
	"  --timeout-ms N     how long a side may take to answer one request (default 10000)\n"
	"\n"
	"Exit status: 0 every difference known, 1 a new difference, 2 bad usage or input,\n"
	"or a side that exits, hangs or floods.  See docs/qtest.md, \"sim diff\".\n";

struct difference {
	unsigned no;                  /* request number, 1-based */
	unsigned line;                /* line in SCRIPT */
	char *cmd, *a, *b;
	uint64_t clock_a, clock_b;    /* each side's clock when the request was made, ns */
	const struct known_entry *known;
};

struct run {
	const char *script, *spec_a, *spec_b, *known_path, *json_path;
	uint64_t tolerance_ns;
	unsigned timeout_ms;
	struct difference *d;
	unsigned nd, cap, requests, unknown;
	FILE *text;                   /* the human report; NULL with --json - */
};

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

static bool record(struct run *r, const struct difference *d)
{
	if (r->nd == r->cap) {
		unsigned cap = r->cap ? 2 * r->cap : 64;
		struct difference *n = realloc(r->d, cap * sizeof(*n));

		if (!n)
			return false;
		r->d = n;
		r->cap = cap;
	}
	r->d[r->nd++] = *d;
	return true;
}

static void print_difference(FILE *f, const struct difference *d)
{
	fprintf(f, "#%u (line %u) %s   [clock a %" PRIu64 " ns, b %" PRIu64 " ns]\n", d->no,
		d->line, d->cmd, d->clock_a, d->clock_b);
	fprintf(f, "  a: %s\n  b: %s\n", d->a, d->b);
	if (d->known)
		fprintf(f, "  known %s (%s): %s; %s\n", d->known->id, d->known->kind,
			d->known->summary, d->known->citation);
	else
		fprintf(f, "  NEW: no known deviation matches\n");
}

static void write_json(FILE *f, const struct run *r)
{
	struct json_out j;

	json_out_init(&j, f);
	json_out_begin_object(&j);
	json_out_key(&j, "script");
	json_out_str(&j, r->script);
	json_out_key(&j, "a");
	json_out_str(&j, r->spec_a);
	json_out_key(&j, "b");
	json_out_str(&j, r->spec_b);
	json_out_key(&j, "known_file");
	if (r->known_path)
		json_out_str(&j, r->known_path);
	else
		json_out_null(&j);
	json_out_key_u64(&j, "tolerance_ns", r->tolerance_ns);
	json_out_key_u64(&j, "requests", r->requests);
	json_out_key_u64(&j, "differences", r->nd);
	json_out_key_u64(&j, "known", r->nd - r->unknown);
	json_out_key_u64(&j, "new", r->unknown);
	json_out_key(&j, "items");
	json_out_begin_array(&j);
	for (unsigned i = 0; i < r->nd; i++) {
		const struct difference *d = &r->d[i];

		json_out_begin_object(&j);
		json_out_key_u64(&j, "request", d->no);
		json_out_key_u64(&j, "line", d->line);
		json_out_key(&j, "command");
		json_out_str(&j, d->cmd);
		json_out_key(&j, "answer_a");
		json_out_str(&j, d->a);
		json_out_key(&j, "answer_b");
		json_out_str(&j, d->b);
		json_out_key_u64(&j, "clock_a_ns", d->clock_a);
		json_out_key_u64(&j, "clock_b_ns", d->clock_b);
		json_out_key(&j, "known");
		if (d->known) {
			json_out_begin_object(&j);
			json_out_key(&j, "id");
			json_out_str(&j, d->known->id);
			json_out_key(&j, "kind");
			json_out_str(&j, d->known->kind);
			json_out_key(&j, "summary");
			json_out_str(&j, d->known->summary);
			json_out_key(&j, "citation");
			json_out_str(&j, d->known->citation);
			json_out_end_object(&j);
		} else {
			json_out_null(&j);
		}
		json_out_end_object(&j);
	}
	json_out_end_array(&j);
	json_out_end_object(&j);
	fputc('\n', f);
}

/* A request line: trailing blanks and "\r" cut; NULL for a blank or comment line. */
static char *request_of(char *line)
{
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
			 line[n - 1] == '\t'))
		line[--n] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	return *line == '\0' || *line == '#' ? NULL : line;
}

static int fail2(const struct sim_diag *err)
{
	cli_print_diag(err);
	return EXIT_USAGE;
}

static int run_script(struct run *r, FILE *in, struct diff_known_set *ks, struct peer p[2])
{
	char line[MAX_REQUEST + 2], prev[MAX_REQUEST + 2] = "";
	unsigned lineno = 0;
	uint64_t clock[2] = { 0, 0 };
	struct sim_diag err;

	sim_diag_clear(&err);
	while (fgets(line, sizeof(line), in)) {
		struct peer_answer ans[2];
		char *cmd;

		lineno++;
		if (!strchr(line, '\n') && !feof(in)) {
			sim_diag_set_file(&err, r->script);
			sim_diag_set_pos(&err, lineno, 1);
			sim_diag_fail(&err, "a request longer than %d bytes", MAX_REQUEST);
			return fail2(&err);
		}
		cmd = request_of(line);
		if (!cmd)
			continue;
		r->requests++;
		for (int s = 0; s < 2; s++)
			if (!peer_ask(&p[s], cmd, r->requests, r->timeout_ms, &ans[s], &err)) {
				peer_answer_free(&ans[0]);
				if (s == 1)
					peer_answer_free(&ans[1]);
				return fail2(&err);
			}
		if (diff_answers_differ(cmd, &ans[0], &ans[1], r->tolerance_ns)) {
			struct difference d = { r->requests, lineno, dup_str(cmd), dup_str(ans[0].text),
						dup_str(ans[1].text), clock[0], clock[1], NULL };
			bool b_is_sim = false;

			d.known = diff_explain(ks, prev, cmd, ans[0].text, ans[1].text, &b_is_sim);
			if (!d.cmd || !d.a || !d.b || !record(r, &d)) {
				sim_diag_fail(&err, "out of memory");
				return fail2(&err);
			}
			r->unknown += d.known == NULL;
			if (r->text)
				print_difference(r->text, &d);
		}
		if (ks)
			diff_known_note(ks, prev, cmd);
		snprintf(prev, sizeof(prev), "%s", cmd);
		for (int s = 0; s < 2; s++) {
			uint64_t ns;

			if (diff_reply_clock(cmd, ans[s].reply, &ns))
				clock[s] = ns;
			peer_answer_free(&ans[s]);
		}
	}
	if (ferror(in)) {
		sim_diag_set_file(&err, r->script);
		sim_diag_fail(&err, "read error: %s", strerror(errno));
		return fail2(&err);
	}
	return EXIT_OK;
}

static bool parse_u64_opt(const char *opt, const char *v, uint64_t max, uint64_t *out, int *st)
{
	char why[160];

	if (!sim_parse_u64(v, out, why, sizeof(why))) {
		*st = cli_usage_error("diff", "%s '%s': %s", opt, v, why);
		return false;
	}
	if (*out > max) {
		*st = cli_usage_error("diff", "%s '%s': at most %" PRIu64, opt, v, max);
		return false;
	}
	return true;
}

static int parse_args(struct run *r, int argc, char **argv, bool *help)
{
	int st = EXIT_OK;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		uint64_t v;

		if (cli_is_help(a)) {
			*help = true;
			return EXIT_OK;
		}
		if (strcmp(a, "--a") == 0)
			slot = &r->spec_a;
		else if (strcmp(a, "--b") == 0)
			slot = &r->spec_b;
		else if (strcmp(a, "--known") == 0)
			slot = &r->known_path;
		else if (strcmp(a, "--json") == 0)
			slot = &r->json_path;
		if (slot || strcmp(a, "--tolerance-ns") == 0 || strcmp(a, "--timeout-ms") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("diff", "%s needs an argument", a);
			if (slot) {
				*slot = argv[++i];
			} else if (strcmp(a, "--tolerance-ns") == 0) {
				if (!parse_u64_opt(a, argv[++i], UINT64_MAX, &r->tolerance_ns, &st))
					return st;
			} else {
				if (!parse_u64_opt(a, argv[++i], 3600000, &v, &st))
					return st;
				if (v == 0)
					return cli_usage_error("diff", "--timeout-ms must be positive");
				r->timeout_ms = (unsigned)v;
			}
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("diff", "unknown option %s", a);
		} else if (r->script) {
			return cli_usage_error("diff", "unexpected argument %s (one SCRIPT)", a);
		} else {
			r->script = a;
		}
	}
	if (!r->script)
		return cli_usage_error("diff", "a SCRIPT of qtest requests is needed");
	if (!r->spec_a || !r->spec_b)
		return cli_usage_error("diff", "both --a SPEC and --b SPEC are needed");
	for (int s = 0; s < 2; s++) {
		char why[128];

		if (!peer_spec_ok(s ? r->spec_b : r->spec_a, why, sizeof(why)))
			return cli_usage_error("diff", "--%c %s", s ? 'b' : 'a', why);
	}
	return EXIT_OK;
}

int cmd_diff(int argc, char **argv)
{
	struct run r = { .timeout_ms = 10000 };
	struct diff_known_set ks;
	struct peer p[2];
	char self[PATH_MAX];
	struct sim_diag err;
	bool help = false, have_known = false;
	FILE *in = NULL, *json = NULL;
	ssize_t n;
	int st;

	st = parse_args(&r, argc, argv, &help);
	if (help) {
		fputs(diff_help, stdout);
		return EXIT_OK;
	}
	if (st != EXIT_OK)
		return st;
	sim_diag_clear(&err);
	memset(p, 0, sizeof(p));
	p[0].to_child = p[0].from_child = p[1].to_child = p[1].from_child = -1;
	r.text = r.json_path && strcmp(r.json_path, "-") == 0 ? NULL : stdout;
	in = fopen(r.script, "r");
	if (!in) {
		sim_diag_set_file(&err, r.script);
		sim_diag_fail(&err, "cannot open: %s", strerror(errno));
		return fail2(&err);
	}
	if (r.known_path) {
		if (!diff_known_load(r.known_path, &ks, &err)) {
			fclose(in);
			return fail2(&err);
		}
		have_known = true;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		sim_diag_fail(&err, "cannot find the sim binary (/proc/self/exe): %s", strerror(errno));
		st = fail2(&err);
		goto out;
	}
	self[n] = '\0';
	signal(SIGPIPE, SIG_IGN);     /* a side that dies is reported, not fatal */
	if (!peer_start(&p[0], "a", r.spec_a, self, &err) ||
	    !peer_start(&p[1], "b", r.spec_b, self, &err)) {
		st = fail2(&err);
		goto out;
	}
	if (r.text)
		fprintf(r.text, "sim diff %s\n  a: %s\n  b: %s\n", r.script, r.spec_a, r.spec_b);
	st = run_script(&r, in, have_known ? &ks : NULL, p);
	if (st == EXIT_OK) {
		if (r.text)
			fprintf(r.text, "%u requests, %u differences: %u known, %u new\n", r.requests,
				r.nd, r.nd - r.unknown, r.unknown);
		if (r.json_path) {
			json = strcmp(r.json_path, "-") == 0 ? stdout : fopen(r.json_path, "w");
			if (!json) {
				sim_diag_set_file(&err, r.json_path);
				sim_diag_fail(&err, "cannot write: %s", strerror(errno));
				st = fail2(&err);
				goto out;
			}
			write_json(json, &r);
			if (json != stdout)
				fclose(json);
		}
		st = r.unknown ? EXIT_EXPECTATION : EXIT_OK;
	}
out:
	peer_stop(&p[0], 2000);
	peer_stop(&p[1], 2000);
	for (unsigned i = 0; i < r.nd; i++) {
		free(r.d[i].cmd);
		free(r.d[i].a);
		free(r.d[i].b);
	}
	free(r.d);
	if (have_known)
		diff_known_free(&ks);
	fclose(in);
	return st;
}
