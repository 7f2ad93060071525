/* The qtest executor: see exec.h. */
#include "sim/qtest/exec.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static uint64_t mask_of(unsigned size)
{
	return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

/* Both return true, so that a caller can end with `return set_...;`. */
static bool set_fail(struct qtest_result *r, const char *why)
{
	r->reply = QTEST_REPLY_FAIL;
	r->ok = false;
	snprintf(r->why, sizeof(r->why), "%s", why);
	return true;
}

static bool set_clock(struct qtest_result *r, sim_ps until, bool ok)
{
	r->reply = ok ? QTEST_REPLY_CLOCK : QTEST_REPLY_FAIL_CLOCK;
	r->ok = ok;
	r->until_ps = until;
	r->has_value = true;
	r->value = sim_to_ns(until);
	return true;
}

/* The first whole ns at or after t; SIM_NEVER when that is out of range. */
static sim_ps ceil_ns(sim_ps t)
{
	sim_ps down = t / SIM_PS_PER_NS * SIM_PS_PER_NS;

	if (down == t)
		return t;
	return down > SIM_NEVER - 1 - SIM_PS_PER_NS ? SIM_NEVER : down + SIM_PS_PER_NS;
}

static bool exec_clock_step(struct platform *pf, const struct qtest_command *c, sim_ps now,
			    struct qtest_result *r)
{
	sim_ps target;

	if (c->has_arg) {
		if (c->value > (SIM_NEVER - 1 - now) / SIM_PS_PER_NS)
			return set_fail(r, "time out of range");
		return set_clock(r, now + c->value * SIM_PS_PER_NS, true);
	}
	target = platform_next_deadline(pf);
	/* QEMU 7.2 warps to now when no timer is pending (compat.h, Q2). */
	if (target == SIM_NEVER && pf->params.compat->qtest_idle_step_ok)
		return set_clock(r, now, true);
	if (target == SIM_NEVER)
		return set_fail(r, "cannot advance clock to the next deadline "
				"because there is no pending deadline");
	target = ceil_ns(target);
	if (target == SIM_NEVER)
		return set_fail(r, "time out of range");
	if (target <= now)
		return pf->params.compat->qtest_step_zero_ok ? set_clock(r, now, true) :
		       set_fail(r, "could not advance time");
	return set_clock(r, target, true);
}

/*
 * clock_set NS: to NS; a time before now answers "FAIL <clock>" as QEMU does.
 * A time past the clock's last whole ns (64-bit ps: about 213 days) has its
 * own reason: "FAIL <clock>" would claim it is in the past.
 */
static bool exec_clock_set(const struct platform *pf, const struct qtest_command *c, sim_ps now,
			   struct qtest_result *r)
{
	if (c->value > QTEST_CLOCK_MAX_NS) {
		set_fail(r, "time out of range");
		snprintf(r->why, sizeof(r->why),
			 "time out of range: the clock ends at %" PRIu64 " ns (about 213 days)",
			 (uint64_t)QTEST_CLOCK_MAX_NS);
		return true;
	}
	if (c->value * SIM_PS_PER_NS < now)   /* QEMU 7.2 answers OK <now> (compat.h, Q3) */
		return set_clock(r, now, pf->params.compat->qtest_set_past_ok);
	return set_clock(r, c->value * SIM_PS_PER_NS, true);
}

void qtest_exec(struct platform *pf, const struct qtest_command *c, sim_ps now,
		struct qtest_result *r)
{
	memset(r, 0, sizeof(*r));
	r->reply = QTEST_REPLY_OK;
	r->ok = true;
	r->until_ps = now;
	switch (c->op) {
	case QTEST_OP_OUT:
		platform_io_write(pf, (uint16_t)c->addr, (uint32_t)c->value, c->size, &r->cost_ps);
		return;
	case QTEST_OP_WRITE:
		platform_mmio_write(pf, c->addr, c->value, c->size, &r->cost_ps);
		return;
	case QTEST_OP_IN:
		r->value = platform_io_read(pf, (uint16_t)c->addr, c->size, &r->cost_ps) &
			   mask_of(c->size);
		r->has_value = true;
		r->reply = QTEST_REPLY_PORT;
		return;
	case QTEST_OP_READ:
		r->value = platform_mmio_read(pf, c->addr, c->size, &r->cost_ps) & mask_of(c->size);
		r->has_value = true;
		r->reply = QTEST_REPLY_MEM;
		return;
	case QTEST_OP_CLOCK_STEP:
		exec_clock_step(pf, c, now, r);
		return;
	case QTEST_OP_CLOCK_SET:
		exec_clock_set(pf, c, now, r);
		return;
	case QTEST_OP_IRQ_INTERCEPT_IN:
		return;          /* the session keeps the intercept state; scripts see every line */
	case QTEST_OP_ENDIANNESS:
		r->reply = QTEST_REPLY_LITTLE;
		return;
	}
	set_fail(r, "internal error");
}

int qtest_format_reply(const struct qtest_result *r, char *buf, size_t len)
{
	switch (r->reply) {
	case QTEST_REPLY_OK:
		return snprintf(buf, len, "OK\n");
	case QTEST_REPLY_PORT:
		return snprintf(buf, len, "OK 0x%04" PRIx32 "\n", (uint32_t)r->value);
	case QTEST_REPLY_MEM:
		return snprintf(buf, len, "OK 0x%016" PRIx64 "\n", r->value);
	case QTEST_REPLY_CLOCK:
		return snprintf(buf, len, "OK %" PRIu64 "\n", r->value);
	case QTEST_REPLY_LITTLE:
		return snprintf(buf, len, "OK little\n");
	case QTEST_REPLY_FAIL:
		return snprintf(buf, len, "FAIL %s\n", r->why);
	case QTEST_REPLY_FAIL_CLOCK:
		return snprintf(buf, len, "FAIL %" PRIu64 "\n", r->value);
	}
	return snprintf(buf, len, "FAIL internal error\n");
}
