/* The Value Change Dump writer: see vcd.h. */
#include "sim/export/vcd.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void vcd_free(struct vcd *v)
{
	free(v->vars);
	free(v->scopes);
	v->vars = NULL;
	v->scopes = NULL;
	v->nvars = v->cap = v->nscopes = v->scope_cap = 0;
}

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

/* Room for one more variable (and scope); false when full or out of memory. */
static bool grow(struct vcd *v)
{
	if (v->nvars == v->cap) {
		unsigned cap = v->cap ? v->cap * 2 : 64;
		struct vcd_var *a = realloc(v->vars, (size_t)cap * sizeof(*a));

		if (!a)
			return false;
		v->vars = a;
		v->cap = cap;
	}
	if (v->nscopes == v->scope_cap) {
		unsigned cap = v->scope_cap ? v->scope_cap * 2 : 16;
		char (*a)[VCD_SCOPE_MAX] = realloc(v->scopes, (size_t)cap * sizeof(*a));

		if (!a)
			return false;
		v->scopes = a;
		v->scope_cap = cap;
	}
	return true;
}

int vcd_add(struct vcd *v, const char *scope, const char *name, unsigned width)
{
	struct vcd_var *x;

	if (v->header_done || v->nvars >= VCD_MAX_VARS || strlen(scope) >= VCD_SCOPE_MAX ||
	    !grow(v)) {
		v->overflow = true;
		return -1;
	}
	x = &v->vars[v->nvars];
	memset(x, 0, sizeof(*x));
	/* a run of declarations in one scope shares its path */
	if (!v->nscopes || strcmp(v->scopes[v->nscopes - 1], scope) != 0)
		memcpy(v->scopes[v->nscopes++], scope, strlen(scope) + 1);
	x->scope = v->nscopes - 1;
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

/* Path components: "a/b" has 2; the first n of path as its length. */
static unsigned depth(const char *path)
{
	unsigned n = 1;

	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* How many leading components paths a and b share. */
static unsigned shared(const char *a, const char *b)
{
	unsigned n = 0;

	for (;;) {
		size_t la = strcspn(a, "/"), lb = strcspn(b, "/");

		if (la != lb || memcmp(a, b, la) != 0)
			return n;
		n++;
		if (!a[la] || !b[lb])
			return n;
		a += la + 1;
		b += lb + 1;
	}
}

/* From scope path `from` (NULL: the top) to `to`: close what is not shared, open the rest. */
static void move_scope(FILE *f, const char *from, const char *to)
{
	unsigned keep = from && to ? shared(from, to) : 0;
	const char *p = to;

	for (unsigned n = from ? depth(from) : 0; n > keep; n--)
		fputs("$upscope $end\n", f);
	for (unsigned n = 0; to && *p; n++) {
		size_t len = strcspn(p, "/");

		if (n >= keep)
			fprintf(f, "$scope module %.*s $end\n", (int)len, p);
		p += len + (p[len] == '/');
	}
}

void vcd_end_header(struct vcd *v, const char *top)
{
	const char *open = NULL;

	fprintf(v->f, "$scope module %s $end\n", top);
	for (unsigned i = 0; i < v->nvars; i++) {
		const struct vcd_var *x = &v->vars[i];
		const char *scope = v->scopes[x->scope];

		if (!open || strcmp(open, scope) != 0) {
			move_scope(v->f, open, scope);
			open = scope;
		}
		fprintf(v->f, "$var %s %u %s %s $end\n", x->width == 1 ? "wire" : "reg", x->width,
			x->id, x->name);
	}
	move_scope(v->f, open, NULL);
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
