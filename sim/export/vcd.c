/* The Value Change Dump writer: see vcd.h. */
#include "sim/export/vcd.h"

#include <inttypes.h>
#include <string.h>

void vcd_begin(struct vcd *v, FILE *f, const char *comment)
{
	memset(v, 0, sizeof(*v));
	v->f = f;
	if (comment)
		fprintf(f, "$comment\n  %s\n$end\n", comment);
	fputs("$timescale 1ps $end\n", f);
}

/* Index i as base-94 digits over '!'..'~', least significant first. */
static void make_id(char *out, unsigned i)
{
	unsigned n = 0;

	do {
		out[n++] = (char)('!' + i % 94u);
		i /= 94u;
	} while (i && n + 1 < VCD_ID_MAX);
	out[n] = '\0';
}

static void copy_name(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n >= VCD_NAME_MAX)
		n = VCD_NAME_MAX - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int vcd_add(struct vcd *v, const char *scope, const char *name, unsigned width)
{
	struct vcd_var *x;

	if (v->header_done || v->nvars >= VCD_MAX_VARS) {
		v->overflow = true;
		return -1;
	}
	x = &v->vars[v->nvars];
	copy_name(x->scope, scope);
	copy_name(x->name, name);
	make_id(x->id, v->nvars);
	x->width = width < 1 ? 1 : width > 64 ? 64 : width;
	return (int)v->nvars++;
}

static void put_value(FILE *f, const struct vcd_var *x, bool known, uint64_t value)
{
	if (x->width == 1) {
		fprintf(f, "%c%s\n", !known ? 'x' : value ? '1' : '0', x->id);
		return;
	}
	if (!known) {
		fprintf(f, "bx %s\n", x->id);
		return;
	}
	/* binary without leading zeros ("b0" for zero), as IEEE 1364 allows */
	{
		char bits[65];
		int hi = 63;

		while (hi > 0 && !((value >> hi) & 1u))
			hi--;
		for (int i = hi; i >= 0; i--)
			bits[hi - i] = (value >> i) & 1u ? '1' : '0';
		bits[hi + 1] = '\0';
		fprintf(f, "b%s %s\n", bits, x->id);
	}
}

void vcd_end_header(struct vcd *v, const char *top)
{
	const char *open = NULL;

	fprintf(v->f, "$scope module %s $end\n", top);
	for (unsigned i = 0; i < v->nvars; i++) {
		const struct vcd_var *x = &v->vars[i];

		if (!open || strcmp(open, x->scope) != 0) {
			if (open)
				fputs("$upscope $end\n", v->f);
			fprintf(v->f, "$scope module %s $end\n", x->scope);
			open = x->scope;
		}
		fprintf(v->f, "$var %s %u %s %s $end\n", x->width == 1 ? "wire" : "reg", x->width,
			x->id, x->name);
	}
	if (open)
		fputs("$upscope $end\n", v->f);
	fputs("$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n", v->f);
	for (unsigned i = 0; i < v->nvars; i++)
		put_value(v->f, &v->vars[i], false, 0);
	fputs("$end\n", v->f);
	v->header_done = true;
	v->now = 0;
	v->time_written = true;
}

static void advance(struct vcd *v, sim_ps t)
{
	if (t > v->now || !v->time_written) {
		v->now = t;
		v->time_written = true;
		fprintf(v->f, "#%" PRIu64 "\n", (uint64_t)t);
	}
}

static void write_change(struct vcd *v, struct vcd_var *x, uint64_t value)
{
	x->known = true;
	x->value = value;
	x->changed_ps = v->now;
	put_value(v->f, x, true, value);
	v->changes++;
}

/* Time moves past `now`: the deferred second changes of pulses go out at now + 1 ps. */
static void flush_deferred(struct vcd *v, sim_ps t)
{
	if (!v->ndeferred || t <= v->now)
		return;
	advance(v, v->now + 1);
	for (unsigned i = 0; i < v->nvars && v->ndeferred; i++) {
		struct vcd_var *x = &v->vars[i];

		if (!x->deferred)
			continue;
		x->deferred = false;
		v->ndeferred--;
		write_change(v, x, x->deferred_value);
	}
}

void vcd_change(struct vcd *v, sim_ps t, int var, uint64_t value)
{
	struct vcd_var *x;

	if (var < 0 || (unsigned)var >= v->nvars || !v->header_done)
		return;
	x = &v->vars[var];
	if (x->width < 64)
		value &= (UINT64_C(1) << x->width) - 1u;
	if (t < v->now)
		t = v->now;
	flush_deferred(v, t);
	if (x->deferred) {
		/* a third change at the same instant: back to the written value cancels it */
		x->deferred_value = value;
		if (value == x->value) {
			x->deferred = false;
			v->ndeferred--;
		}
		return;
	}
	if (x->known && x->value == value)
		return;
	if (x->width == 1 && x->known && x->changed_ps == t && t == v->now) {
		x->deferred = true;
		x->deferred_value = value;
		v->ndeferred++;
		return;
	}
	advance(v, t);
	write_change(v, x, value);
}

void vcd_finish(struct vcd *v, sim_ps end)
{
	if (!v->header_done)
		return;
	flush_deferred(v, SIM_NEVER);
	if (end > v->now)
		advance(v, end);
}
