/*
 * sim/export: the protobuf wire format against the encodings protobuf.dev's
 * "Encoding" page works through (150 -> 96 01, "testing", an embedded
 * message), the VCD writer's text as IEEE 1364 §18 spells it, and the
 * decimator's output for sequences worked through by hand.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/export/decimate.h"
#include "sim/export/pb.h"
#include "sim/export/vcd.h"

static void expect_bytes(const struct pb_buf *p, const uint8_t *want, size_t n)
{
	cr_assert(pb_complete(p));
	cr_assert_eq(p->n, n, "%zu bytes, expected %zu", p->n, n);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(p->b[i], want[i], "byte %zu: %02x, expected %02x", i, p->b[i], want[i]);
}

Test(export, varints)
{
	uint8_t b[10];

	cr_expect_eq(pb_varint(b, 0), 1);
	cr_expect_eq(b[0], 0);
	cr_expect_eq(pb_varint(b, 300), 2);          /* 300 = 0b10_0101100 -> ac 02 */
	cr_expect(b[0] == 0xac && b[1] == 0x02);
	cr_expect_eq(pb_varint(b, UINT64_MAX), 10);  /* 64 bits in 7-bit groups: 9 x ff, 01 */
	for (int i = 0; i < 9; i++)
		cr_expect_eq(b[i], 0xff);
	cr_expect_eq(b[9], 0x01);
}

Test(export, fields)
{
	struct pb_buf p;
	static const uint8_t uint150[] = { 0x08, 0x96, 0x01 };
	static const uint8_t testing[] = { 0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g' };
	static const uint8_t minus1[] = { 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0x01 };
	/* field 47, wire type 1: key 47 << 3 | 1 = 377 = f9 02; then 8 bytes little-endian */
	static const uint8_t flow[] = { 0xf9, 0x02, 0x02, 0x01, 0, 0, 0, 0, 0, 0 };

	pb_reset(&p);
	pb_uint(&p, 1, 150);
	expect_bytes(&p, uint150, sizeof(uint150));
	pb_reset(&p);
	pb_string(&p, 2, "testing");
	expect_bytes(&p, testing, sizeof(testing));
	pb_reset(&p);
	pb_int(&p, 1, -1);                           /* int64: two's complement, 10 bytes */
	expect_bytes(&p, minus1, sizeof(minus1));
	pb_reset(&p);
	pb_fixed64(&p, 47, 0x0102);
	expect_bytes(&p, flow, sizeof(flow));
}

Test(export, nested_messages)
{
	struct pb_buf p;
	static const uint8_t test3[] = { 0x1a, 0x03, 0x08, 0x96, 0x01 };
	uint8_t big[200];

	pb_reset(&p);
	pb_begin(&p, 3);
	pb_uint(&p, 1, 150);
	pb_end(&p);
	expect_bytes(&p, test3, sizeof(test3));

	/* a body of 1 + 2 + 200 = 203 bytes: its length takes two bytes, cb 01 */
	memset(big, 0x5a, sizeof(big));
	pb_reset(&p);
	pb_begin(&p, 1);
	pb_bytes(&p, 2, big, sizeof(big));
	pb_end(&p);
	cr_assert(pb_complete(&p));
	cr_expect_eq(p.n, 1 + 2 + 203);
	cr_expect(p.b[0] == 0x0a && p.b[1] == 0xcb && p.b[2] == 0x01);
	cr_expect(p.b[3] == 0x12 && p.b[4] == 0xc8 && p.b[5] == 0x01 && p.b[6] == 0x5a);
	cr_expect_eq(p.b[p.n - 1], 0x5a);
}

Test(export, overflow_and_unbalanced)
{
	static struct pb_buf p;
	static uint8_t big[PB_BUF_MAX];

	pb_reset(&p);
	pb_bytes(&p, 1, big, sizeof(big));           /* key and length do not leave room */
	cr_expect(!pb_complete(&p));
	pb_reset(&p);
	pb_begin(&p, 1);
	cr_expect(!pb_complete(&p));                 /* still open */
	pb_end(&p);
	pb_end(&p);                                  /* one end too many */
	cr_expect(!pb_complete(&p));
}

static char *vcd_text(struct vcd *v, FILE *f, char **buf)
{
	(void)v;
	fclose(f);
	return *buf;
}

Test(export, vcd_text)
{
	static struct vcd v;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int a, b;
	static const char want[] =
		"$timescale 1ps $end\n"
		"$scope module sim $end\n"
		"$scope module irq $end\n"
		"$var wire 1 ! irq0 $end\n"
		"$upscope $end\n"
		"$scope module dev $end\n"
		"$var reg 8 \" r $end\n"
		"$upscope $end\n"
		"$upscope $end\n"
		"$enddefinitions $end\n"
		"#0\n"
		"$dumpvars\n"
		"x!\n"
		"bx \"\n"
		"$end\n"
		"#5\n"
		"1!\n"
		"b101 \"\n"
		"#9\n"
		"b11111111 \"\n"
		"b0 \"\n"
		"#10000000000000\n";

	cr_assert_not_null(f);
	vcd_begin(&v, f, NULL);
	a = vcd_add(&v, "irq", "irq0", 1);
	b = vcd_add(&v, "dev", "r", 8);
	vcd_end_header(&v, "sim");
	vcd_change(&v, 5, a, 1);
	vcd_change(&v, 5, b, 5);
	vcd_change(&v, 7, b, 5);                     /* no change: nothing written, no #7 */
	vcd_change(&v, 9, b, 0x1ff);                 /* 8 bits wide: 0xff */
	vcd_change(&v, 9, b, 0);
	vcd_change(&v, 9, -1, 1);                    /* no such variable */
	vcd_finish(&v, UINT64_C(10000000000000));    /* 10 s: a 64-bit time */
	cr_expect_eq(v.changes, 4);
	cr_expect_str_eq(vcd_text(&v, f, &buf), want);
	free(buf);
}

Test(export, vcd_identifiers)
{
	static struct vcd v;
	FILE *f = fopen("/dev/null", "w");

	cr_assert_not_null(f);
	vcd_begin(&v, f, NULL);
	for (unsigned i = 0; i < 96; i++)
		cr_assert_eq(vcd_add(&v, "s", "x", 1), (int)i);
	/* base 94 from '!', least significant digit first: 93 '~', 94 "!\"", 95 "\"\"" */
	cr_expect_str_eq(v.vars[0].id, "!");
	cr_expect_str_eq(v.vars[93].id, "~");
	cr_expect_str_eq(v.vars[94].id, "!\"");
	cr_expect_str_eq(v.vars[95].id, "\"\"");
	for (unsigned i = 96; i < VCD_MAX_VARS; i++)
		vcd_add(&v, "s", "x", 1);
	cr_expect_eq(vcd_add(&v, "s", "x", 1), -1);
	cr_expect(v.overflow);
	fclose(f);
}

struct kept {
	unsigned n;
	sim_ps t[64];
	int64_t v[64];
	enum dec_why why[64];
};

static void keep(void *ctx, const struct dec_sample *s, enum dec_why why)
{
	struct kept *k = ctx;

	if (k->n < 64) {
		k->t[k->n] = s->t_ps;
		k->v[k->n] = s->value;
		k->why[k->n] = why;
	}
	k->n++;
}

static void push_all(struct decimator *d, const sim_ps *t, const int64_t *v, unsigned n,
		     int mark_after)
{
	for (unsigned i = 0; i < n; i++) {
		struct dec_sample s = { .t_ps = t[i], .value = v[i] };

		dec_push(d, &s);
		if ((int)i == mark_after)
			dec_mark(d);
	}
	dec_flush(d);
}

static const sim_ps dt[] = { 1, 2, 3, 4, 11, 12, 13, 14, 15 };
static const int64_t dv[] = { 5, 3, 8, 4, 1, 9, 2, 2, 7 };

Test(export, decimate_min_max_per_bucket)
{
	struct decimator d;
	struct kept k = { 0 };
	/* buckets of 10 ps: [1..4] min 3 at 2, max 8 at 3; [11..15] min 1 at 11, max 9 at 12 */
	static const sim_ps wt[] = { 2, 3, 11, 12 };
	static const enum dec_why ww[] = { DEC_MIN, DEC_MAX, DEC_MIN, DEC_MAX };

	dec_init(&d, 2, 10, keep, &k);
	push_all(&d, dt, dv, 9, -1);
	cr_assert_eq(k.n, 4);
	for (unsigned i = 0; i < 4; i++)
		cr_expect(k.t[i] == wt[i] && k.why[i] == ww[i], "kept %u: t %llu why %d", i,
			  (unsigned long long)k.t[i], k.why[i]);
}

Test(export, decimate_window_around_a_mark)
{
	struct decimator d;
	struct kept k = { 0 };
	/*
	 * Window 2, the read at 11 marked: the bucket so far ({1, 2}: max 5 at 1,
	 * then min 3 at 2), the 2 reads before (3, 4), the mark, the 2 after (12,
	 * 13), then the rest of bucket 1 ({14, 15}: min 2 at 14, max 7 at 15).
	 */
	static const sim_ps wt[] = { 1, 2, 3, 4, 11, 12, 13, 14, 15 };
	static const enum dec_why ww[] = { DEC_MAX, DEC_MIN, DEC_WINDOW, DEC_WINDOW, DEC_MARK,
					   DEC_WINDOW, DEC_WINDOW, DEC_MIN, DEC_MAX };

	dec_init(&d, 2, 10, keep, &k);
	push_all(&d, dt, dv, 9, 4);
	cr_assert_eq(k.n, 9);
	for (unsigned i = 0; i < 9; i++)
		cr_expect(k.t[i] == wt[i] && k.why[i] == ww[i], "kept %u: t %llu why %d", i,
			  (unsigned long long)k.t[i], k.why[i]);
	/* a second mark of the same read only restarts the window */
	dec_mark(&d);
	cr_expect_eq(k.n, 9);
}

Test(export, decimate_bound)
{
	struct decimator d;
	struct kept k = { 0 };
	struct dec_sample s = { 0 };

	/* 100 000 samples over 100 buckets of 1000 ps: at most 2 * (100 + 1) kept */
	dec_init(&d, 8, 1000, keep, &k);
	for (unsigned i = 0; i < 100000; i++) {
		s.t_ps = i;
		s.value = (int64_t)((i * 7919u) % 1000u);
		dec_push(&d, &s);
	}
	dec_flush(&d);
	cr_expect_eq(d.pushed, 100000);
	cr_expect_leq(k.n, 2 * (100 + 1));
	cr_expect_geq(k.n, 100);

	/* one sample alone in its bucket: once, as both min and max */
	k.n = 0;
	dec_init(&d, 8, 1000, keep, &k);
	s.t_ps = 5;
	dec_push(&d, &s);
	dec_flush(&d);
	cr_expect(k.n == 1 && k.why[0] == DEC_MINMAX);
}

Test(export, vcd_pulses_show_1ps_wide)
{
	static struct vcd v;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int a, b;
	/*
	 * irq0 raised and lowered at 5 (an edge-triggered pulse): the fall is
	 * written at 6.  At 8, raised, lowered and raised again: the lowering is
	 * cancelled.  A reg may change twice at one instant.
	 */
	static const char want[] =
		"#5\n"
		"1!\n"
		"#6\n"
		"0!\n"
		"#8\n"
		"1!\n"
		"#9\n"
		"b1 \"\n"
		"b10 \"\n"
		"#20\n";

	cr_assert_not_null(f);
	vcd_begin(&v, f, NULL);
	a = vcd_add(&v, "irq", "irq0", 1);
	b = vcd_add(&v, "dev", "r", 8);
	vcd_end_header(&v, "sim");
	vcd_change(&v, 5, a, 1);
	vcd_change(&v, 5, a, 0);
	vcd_change(&v, 8, a, 1);
	vcd_change(&v, 8, a, 0);
	vcd_change(&v, 8, a, 1);
	vcd_change(&v, 9, b, 1);
	vcd_change(&v, 9, b, 2);
	vcd_finish(&v, 20);
	fclose(f);
	cr_expect_str_eq(buf + strlen("$timescale 1ps $end\n$scope module sim $end\n$scope module irq $end\n"
				       "$var wire 1 ! irq0 $end\n$upscope $end\n$scope module dev $end\n"
				       "$var reg 8 \" r $end\n$upscope $end\n$upscope $end\n"
				       "$enddefinitions $end\n#0\n$dumpvars\nx!\nbx \"\n$end\n"), want);
	free(buf);
}
