/*
 * diag: errors as values, formatted "file:line:col: error: path: message"
 * with the unknown parts left out, always NUL-terminated.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/core/diag.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

Test(diag, format_leaves_out_unknown_parts)
{
	static const struct {
		const char *file;
		unsigned line, col;
		const char *path;
		const char *msg;
		const char *want;
	} cases[] = {
		{ "f.json", 3, 7, "/a/b", "msg", "f.json:3:7: error: /a/b: msg" },
		{ "f.json", 3, 7, NULL, "msg", "f.json:3:7: error: msg" },
		{ "f.json", 0, 0, "/a/b", "msg", "f.json: error: /a/b: msg" },
		{ "f.json", 0, 0, NULL, "msg", "f.json: error: msg" },
		{ NULL, 0, 0, "/hosts/1/tsc", "msg", "error: /hosts/1/tsc: msg" },
		{ NULL, 0, 0, NULL, "msg", "error: msg" },
		/* A position without a file has nothing to attach to. */
		{ NULL, 3, 7, NULL, "msg", "error: msg" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sim_diag d;
		char buf[256];

		sim_diag_clear(&d);
		if (cases[i].file)
			sim_diag_set_file(&d, cases[i].file);
		sim_diag_set_pos(&d, cases[i].line, cases[i].col);
		if (cases[i].path)
			sim_diag_set_path(&d, cases[i].path);
		cr_expect_not(sim_diag_fail(&d, "%s", cases[i].msg), "sim_diag_fail returns false");
		sim_diag_format(&d, buf, sizeof(buf));
		cr_expect_str_eq(buf, cases[i].want, "case %zu", i);
	}
}

Test(diag, fail_formats_printf_style)
{
	struct sim_diag d;
	char buf[128];

	sim_diag_clear(&d);
	sim_diag_set_file(&d, "s.json");
	sim_diag_set_pos(&d, 12, 1);
	sim_diag_fail(&d, "host %s socket %u: %lld ppb", "h0", 1u, -50LL);
	sim_diag_format(&d, buf, sizeof(buf));
	cr_expect_str_eq(buf, "s.json:12:1: error: host h0 socket 1: -50 ppb");
	/* A second failure replaces the message. */
	sim_diag_fail(&d, "second");
	sim_diag_format(&d, buf, sizeof(buf));
	cr_expect_str_eq(buf, "s.json:12:1: error: second");
}

Test(diag, null_diag_is_accepted)
{
	cr_expect_not(sim_diag_fail(NULL, "ignored %d", 1));
	sim_diag_set_file(NULL, "f");
	sim_diag_set_path(NULL, "/p");
	sim_diag_set_pos(NULL, 1, 2);
}

Test(diag, long_message_is_truncated_and_terminated)
{
	char big[1000];
	struct sim_diag d;

	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sim_diag_clear(&d);
	sim_diag_fail(&d, "%s", big);
	/* The message field keeps sizeof(msg) - 1 characters and its NUL. */
	cr_expect_eq(strlen(d.msg), sizeof(d.msg) - 1);
	cr_expect_eq(strncmp(d.msg, big, sizeof(d.msg) - 1), 0);

	/* Long file and path are clamped the same way. */
	sim_diag_set_file(&d, big);
	sim_diag_set_path(&d, big);
	cr_expect_eq(strlen(d.file), sizeof(d.file) - 1);
	cr_expect_eq(strlen(d.path), sizeof(d.path) - 1);
}

Test(diag, format_truncates_into_small_buffers)
{
	static const char full[] = "f.json:3:7: error: /a/b: msg";
	struct sim_diag d;

	sim_diag_clear(&d);
	sim_diag_set_file(&d, "f.json");
	sim_diag_set_pos(&d, 3, 7);
	sim_diag_set_path(&d, "/a/b");
	sim_diag_fail(&d, "msg");
	/* Every buffer length from 1 to one past the full size: a NUL-terminated prefix, no overrun. */
	for (size_t len = 1; len <= sizeof(full) + 1; len++) {
		char buf[64];
		size_t want = len - 1 < sizeof(full) - 1 ? len - 1 : sizeof(full) - 1;

		memset(buf, 'X', sizeof(buf));
		sim_diag_format(&d, buf, len);
		cr_expect_eq(strlen(buf), want, "len %zu: %zu chars", len, strlen(buf));
		cr_expect_eq(strncmp(buf, full, want), 0, "len %zu: \"%s\"", len, buf);
		for (size_t i = len; i < sizeof(buf); i++)
			cr_assert_eq(buf[i], 'X', "len %zu: wrote byte %zu", len, i);
	}
	/* len 0 writes nothing at all. */
	{
		char buf[4] = { 'X', 'X', 'X', 'X' };

		sim_diag_format(&d, buf, 0);
		cr_expect_eq(buf[0], 'X');
	}
}

Test(diag, full_fields_truncate_when_formatted)
{
	/* Every field at its maximum: the output is clamped to the buffer, still terminated. */
	char big[1000];
	char buf[200];
	struct sim_diag d;

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sim_diag_clear(&d);
	sim_diag_set_file(&d, big);
	sim_diag_set_pos(&d, 4000000000u, 4000000000u);
	sim_diag_set_path(&d, big);
	sim_diag_fail(&d, "%s", big);
	memset(buf, 'X', sizeof(buf));
	sim_diag_format(&d, buf, sizeof(buf));
	cr_expect_eq(strlen(buf), sizeof(buf) - 1);
	cr_expect_eq(strspn(buf, "z"), sizeof(buf) - 1, "the file name comes first");
}
