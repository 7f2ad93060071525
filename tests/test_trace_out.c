/*
 * The sim-trace v1 writer (sim/cli/trace_out.c), fed records directly.
 * Every expected line is written out by hand from docs/trace-format.md:
 * "type", then the line type's fields in the order the format lists them.
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
			 "{\"type\":\"read\",\"vcpu\":3,\"seq\":1,\"clock\":\"kvmclock\","
			 "\"value_ns\":7204999999998,\"ref_before\":1400000,\"ref_after\":1500000}\n");
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
			 "{\"type\":\"guest_timer\",\"ref\":16050000000000,\"vm\":0,\"vcpu\":1,"
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
			 "{\"type\":\"guest_timer\",\"ref\":3000000000,\"vm\":0,\"vcpu\":0,"
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
			 "{\"type\":\"tsc_offset\",\"vcpu\":1,\"ref\":\"9007199254740993\","
			 "\"next\":\"9223372036854775808\",\"ratio\":9007199254740992,"
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
	trace_out_begin_run(&t, &(struct trace_out_header){
		.file = "x.json", .scenario = "x", .seed = 7, .cpus = 2, .nclocks = 2,
		.clocks = (const char *const[]){ "tsc", "wall" }, .guest = (const bool[]){ true, false },
	});
	sim_trace_publish(&tr, &edge);
	sim_trace_publish(&tr, &bad);
	cr_expect_str_eq(capture_text(&c),
			 "{\"type\":\"header\",\"format\":\"sim-trace\",\"version\":1,"
			 "\"producer\":\"sim " SIM_VERSION "\",\"ref\":\"true_time\",\"ref_unit\":\"ps\","
			 "\"clocks\":[\"tsc\",\"wall\"],\"guest_clocks\":[\"tsc\"],\"cpus\":2,"
			 "\"scenario\":\"x\",\"seed\":7,\"src\":\"x.json\"}\n"
			 "{\"type\":\"irq_edge\",\"ref\":10,\"line\":\"irq0\",\"pin\":2,\"level\":true}\n"
			 "{\"type\":\"violation\",\"ref\":20,\"reader\":\"tsc\",\"check\":\"rate\","
			 "\"vcpu\":0,\"value_ns\":5,\"amount\":-333333373}\n");
	cr_expect_eq(t.records, 2);
	trace_out_free(&t);
	capture_free(&c);
}

/* Every kind has a writer: one line each, starting with its sim-trace type. */
Test(trace_out, every_kind_writes_one_line_under_its_type)
{
	static const char *const types[] = {
		"read", "pvclock", "tsc_offset", "masterclock", "irq_edge", "device_access",
		"vmm_phase", "violation", "guest_timer", "guest_run",
	};

	cr_assert_eq(sizeof(types) / sizeof(types[0]), SIM_TRACE_KIND_COUNT);
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
		snprintf(head, sizeof(head), "{\"type\":\"%s\",", types[k]);
		cr_expect_eq(strncmp(text, head, strlen(head)), 0, "%s", text);
		cr_expect_neq(strstr(text, "42"), NULL, "%s", text);
		cr_expect_eq(strchr(text, '\n'), text + strlen(text) - 1, "%s", text);
		capture_free(&c);
	}
}

/* "seq" counts each vCPU's reads, over every clock, from 1; a new run starts again. */
Test(trace_out, seq_counts_reads_per_vcpu)
{
	struct capture c;
	struct trace_out t;
	struct sim_trace_record rec = { .kind = SIM_TRACE_READ, .t_ps = 5 };
	const struct trace_out_header h = { .file = "f", .scenario = "s", .cpus = 2 };
	const char *text;

	capture_open(&c);
	trace_out_init(&t, c.f);
	rec.u.read = (struct sim_trace_read){ .reader = "a", .vcpu = 1 };
	trace_out_record(&t, &rec);
	rec.u.read.reader = "b";
	trace_out_record(&t, &rec);
	rec.u.read.vcpu = 0;
	trace_out_record(&t, &rec);
	trace_out_begin_run(&t, &h);
	rec.u.read.vcpu = 1;
	trace_out_record(&t, &rec);
	text = capture_text(&c);
	cr_expect_neq(strstr(text, "\"vcpu\":1,\"seq\":1,\"clock\":\"a\""), NULL, "%s", text);
	cr_expect_neq(strstr(text, "\"vcpu\":1,\"seq\":2,\"clock\":\"b\""), NULL, "%s", text);
	cr_expect_neq(strstr(text, "\"vcpu\":0,\"seq\":1,\"clock\":\"b\""), NULL, "%s", text);
	cr_expect_neq(strstr(strstr(text, "header"), "\"vcpu\":1,\"seq\":1,"), NULL, "%s", text);
	trace_out_free(&t);
	capture_free(&c);
}

/*
 * Several VMs (docs/trace-format.md "Several VMs"): the header lists them,
 * each VM-scoped line carries its VM's index, "seq" counts per (VM, vCPU)
 * and a host's reads count on their own; a process that reader_migrate
 * moved off its home CPU carries "thread".
 */
Test(trace_out, several_vms_and_threads)
{
	struct capture c;
	struct trace_out t;
	struct sim_trace_record rec = { .kind = SIM_TRACE_READ, .t_ps = 5 };
	const char *text;

	capture_open(&c);
	trace_out_init(&t, c.f);
	cr_assert(trace_out_begin_run(&t, &(struct trace_out_header){
		.file = "f", .scenario = "s", .cpus = 3, .nclocks = 3,
		.clocks = (const char *const[]){ "a", "b", "h" },
		.guest = (const bool[]){ true, true, false },
		.nvms = 2, .vms = (const char *const[]){ "x", "y" },
		.clock_vm = (const unsigned[]){ 0, 1, TRACE_OUT_NONE },
		.clock_home = (const unsigned[]){ TRACE_OUT_NONE, TRACE_OUT_NONE, 2 },
	}));
	rec.u.read = (struct sim_trace_read){ .reader = "a", .group = 0, .vcpu = 1 };
	trace_out_record(&t, &rec);
	rec.u.read = (struct sim_trace_read){ .reader = "b", .group = 1, .vcpu = 1 };
	trace_out_record(&t, &rec);
	trace_out_record(&t, &rec);
	rec.u.read = (struct sim_trace_read){ .reader = "h", .group = 2, .vcpu = 1 };
	trace_out_record(&t, &rec);
	rec.kind = SIM_TRACE_PVCLOCK_WRITE;
	rec.u.pvclock = (struct sim_trace_pvclock_write){ .vm = 1, .vcpu = 0, .version = 2 };
	trace_out_record(&t, &rec);
	text = capture_text(&c);
	cr_expect_neq(strstr(text, "\"cpus\":3,\"vms\":[\"x\",\"y\"],"), NULL, "%s", text);
	cr_expect_neq(strstr(text, "{\"type\":\"read\",\"vm\":0,\"vcpu\":1,\"seq\":1,\"clock\":\"a\""),
		      NULL, "%s", text);
	cr_expect_neq(strstr(text, "{\"type\":\"read\",\"vm\":1,\"vcpu\":1,\"seq\":1,\"clock\":\"b\""),
		      NULL, "%s", text);
	cr_expect_neq(strstr(text, "{\"type\":\"read\",\"vm\":1,\"vcpu\":1,\"seq\":2,\"clock\":\"b\""),
		      NULL, "%s", text);
	/* the host's process, home CPU 2, read on CPU 1: no VM, its own count, "thread" */
	cr_expect_neq(strstr(text, "{\"type\":\"read\",\"vcpu\":1,\"seq\":1,\"clock\":\"h\""), NULL,
		      "%s", text);
	cr_expect_neq(strstr(text, "\"ref_after\":5,\"thread\":2}"), NULL, "%s", text);
	cr_expect_neq(strstr(text, "{\"type\":\"pvclock\",\"vm\":1,\"vcpu\":0,"), NULL, "%s", text);
	trace_out_free(&t);
	capture_free(&c);
}
