/*
 * The JSON Lines trace writer (sim/cli/trace_out.c), fed records directly.
 * Every expected line is written out by hand from docs/report-format.md
 * ("Trace"): kind, t_ps, then the record's fields in the order of its struct.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/trace_out.h"

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	cr_assert_not_null(c->f);
}

/* Closes the stream; the text stays in c->buf until capture_free. */
static const char *capture_text(struct capture *c)
{
	fclose(c->f);
	c->f = NULL;
	return c->buf;
}

static void capture_free(struct capture *c)
{
	free(c->buf);
}

Test(trace_out, a_read_is_one_line_with_kind_time_and_fields)
{
	struct capture c;
	struct trace_out t;
	struct sim_trace_record rec = {
		.kind = SIM_TRACE_READ, .t_ps = 1500000,
		.u.read = { .reader = "kvmclock", .group = 0, .vcpu = 3, .start_ps = 1400000,
			    .value_ns = 7204999999998 },
	};

	capture_open(&c);
	trace_out_init(&t, c.f);
	trace_out_record(&t, &rec);
	cr_expect_str_eq(capture_text(&c),
			 "{\"kind\":\"read\",\"t_ps\":1500000,\"reader\":\"kvmclock\",\"group\":0,"
			 "\"vcpu\":3,\"start_ps\":1400000,\"value_ns\":7204999999998}\n");
	cr_expect_eq(t.records, 1);
	capture_free(&c);
}

Test(trace_out, a_guest_timer_interrupt_has_its_fields_in_struct_order)
{
	struct capture c;
	struct trace_out t;
	struct sim_trace_record rec = {
		.kind = SIM_TRACE_GUEST_TIMER, .t_ps = 16050000000000,
		.u.timer = { .vm = 0, .vcpu = 1, .mode = "deadline", .fire = true,
			     .armed_ps = 11050000000000, .period_ps = 100000000000,
			     .deadline_tsc = 10831201000000, .guest_tsc = 10846201000000,
			     .tsc_khz = 3000000, .deadline_skew = 15000000000,
			     .kvmclock_ns = 3616050000000, .page_flags = 3 },
	};

	capture_open(&c);
	trace_out_init(&t, c.f);
	trace_out_record(&t, &rec);
	cr_expect_str_eq(capture_text(&c),
			 "{\"kind\":\"guest_timer\",\"t_ps\":16050000000000,\"vm\":0,\"vcpu\":1,"
			 "\"mode\":\"deadline\",\"fire\":true,\"armed_ps\":11050000000000,"
			 "\"period_ps\":100000000000,\"deadline_tsc\":10831201000000,"
			 "\"guest_tsc\":10846201000000,\"tsc_khz\":3000000,"
			 "\"deadline_skew\":15000000000,\"kvmclock_ns\":3616050000000,"
			 "\"page_flags\":3}\n");
	capture_free(&c);
}

/* An HPET comparator's record adds its counts after the APIC fields. */
Test(trace_out, an_hpet_timer_interrupt_adds_its_counts)
{
	struct capture c;
	struct trace_out t;
	struct sim_trace_record rec = {
		.kind = SIM_TRACE_GUEST_TIMER, .t_ps = 3000000000,
		.u.timer = { .vcpu = 0, .mode = "HPET timer 2 one-shot", .fire = true,
			     .armed_ps = 2000000000, .period_ps = 1000000000,
			     .hpet_timer = 3, .hpet_target = 30000, .hpet_count = 30000,
			     .hpet_comparator = 30000, .hpet_period_fs = 100000000 },
	};

	capture_open(&c);
	trace_out_init(&t, c.f);
	trace_out_record(&t, &rec);
	cr_expect_str_eq(capture_text(&c),
			 "{\"kind\":\"guest_timer\",\"t_ps\":3000000000,\"vm\":0,\"vcpu\":0,"
			 "\"mode\":\"HPET timer 2 one-shot\",\"fire\":true,\"armed_ps\":2000000000,"
			 "\"period_ps\":1000000000,\"deadline_tsc\":0,\"guest_tsc\":0,\"tsc_khz\":0,"
			 "\"deadline_skew\":0,\"kvmclock_ns\":0,\"page_flags\":0,\"hpet_timer\":3,"
			 "\"hpet_target\":30000,\"hpet_count\":30000,\"hpet_comparator\":30000,"
			 "\"hpet_period_fs\":100000000}\n");
	capture_free(&c);
}

/* 2^53 = 9007199254740992 is exact in a double; 2^53 + 1 is not, and goes out as a string. */
Test(trace_out, integers_above_2_pow_53_are_strings)
{
	struct capture c;
	struct trace_out t;
	struct sim_trace_record rec = {
		.kind = SIM_TRACE_TSC_WRITE, .t_ps = 9007199254740993u,
		.u.tsc = { .vm = 0, .vcpu = 1, .offset = INT64_MIN, .ratio = 9007199254740992u,
			   .ratio_frac_bits = 48 },
	};

	capture_open(&c);
	trace_out_init(&t, c.f);
	trace_out_record(&t, &rec);
	cr_expect_str_eq(capture_text(&c),
			 "{\"kind\":\"tsc_write\",\"t_ps\":\"9007199254740993\",\"vm\":0,\"vcpu\":1,"
			 "\"offset\":\"-9223372036854775808\",\"ratio\":9007199254740992,"
			 "\"ratio_frac_bits\":48}\n");
	capture_free(&c);
}

Test(trace_out, subscribed_writer_gets_every_published_record_in_order)
{
	struct capture c;
	struct trace_out t;
	struct sim_trace tr;
	struct sim_trace_record edge = {
		.kind = SIM_TRACE_IRQ_EDGE, .t_ps = 10,
		.u.irq = { .line = "irq0", .pin = 2, .level = true },
	};
	struct sim_trace_record bad = {
		.kind = SIM_TRACE_VIOLATION, .t_ps = 20,
		.u.violation = { .reader = "tsc", .check = "rate", .vcpu = 0, .value_ns = 5,
				 .amount = -333333373 },
	};

	capture_open(&c);
	trace_out_init(&t, c.f);
	sim_trace_init(&tr);
	cr_assert(trace_out_subscribe(&t, &tr));
	trace_out_begin_run(&t, "x.json", "x", 7);
	sim_trace_publish(&tr, &edge);
	sim_trace_publish(&tr, &bad);
	cr_expect_str_eq(capture_text(&c),
			 "{\"kind\":\"run\",\"file\":\"x.json\",\"name\":\"x\",\"seed\":7}\n"
			 "{\"kind\":\"irq_edge\",\"t_ps\":10,\"line\":\"irq0\",\"pin\":2,\"level\":true}\n"
			 "{\"kind\":\"violation\",\"t_ps\":20,\"reader\":\"tsc\",\"check\":\"rate\","
			 "\"vcpu\":0,\"value_ns\":5,\"amount\":-333333373}\n");
	cr_expect_eq(t.records, 2);
	capture_free(&c);
}

/* Every kind has a writer: one line each, starting with its own name. */
Test(trace_out, every_kind_writes_one_line_under_its_name)
{
	for (int k = 0; k < SIM_TRACE_KIND_COUNT; k++) {
		struct capture c;
		struct trace_out t;
		struct sim_trace_record rec;
		char head[64];
		const char *text;

		memset(&rec, 0, sizeof(rec));
		rec.kind = (enum sim_trace_kind)k;
		rec.t_ps = 42;
		capture_open(&c);
		trace_out_init(&t, c.f);
		trace_out_record(&t, &rec);
		text = capture_text(&c);
		snprintf(head, sizeof(head), "{\"kind\":\"%s\",\"t_ps\":42",
			 sim_trace_kind_name(rec.kind));
		cr_expect_eq(strncmp(text, head, strlen(head)), 0, "%s", text);
		cr_expect_eq(strchr(text, '\n'), text + strlen(text) - 1, "%s", text);
		capture_free(&c);
	}
}
