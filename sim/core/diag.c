/* Errors as values: filled below main, printed only by main. */
#include "sim/core/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void copy_str(char *dst, size_t len, const char *src)
{
	if (!src)
		src = "";
	snprintf(dst, len, "%s", src);
}

void sim_diag_clear(struct sim_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void sim_diag_list_clear(struct sim_diag_list *l)
{
	l->n = 0;
	l->suppressed = false;
}

bool sim_diag_list_add(struct sim_diag_list *l, const struct sim_diag *e)
{
	if (l->n == SIM_DIAG_LIST_MAX) {
		l->suppressed = true;
		return false;
	}
	l->items[l->n++] = *e;
	return true;
}

bool sim_diag_fail(struct sim_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return false;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	return false;
}

void sim_diag_set_file(struct sim_diag *d, const char *file)
{
	if (d)
		copy_str(d->file, sizeof(d->file), file);
}

void sim_diag_set_path(struct sim_diag *d, const char *path)
{
	if (d)
		copy_str(d->path, sizeof(d->path), path);
}

void sim_diag_set_pos(struct sim_diag *d, unsigned line, unsigned col)
{
	if (d) {
		d->line = line;
		d->col = col;
	}
}

void sim_diag_format(const struct sim_diag *d, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	/* Appends with snprintf, clamping n so a truncated message stays NUL-terminated. */
#define APPEND(...) do { \
		if (n < len) { \
			int w = snprintf(buf + n, len - n, __VA_ARGS__); \
			n += w > 0 ? (size_t)w : 0; \
		} \
	} while (0)
	if (d->file[0]) {
		APPEND("%s", d->file);
		if (d->line)
			APPEND(":%u:%u", d->line, d->col);
		APPEND(": ");
	}
	APPEND("error: ");
	if (d->path[0])
		APPEND("%s: ", d->path);
	APPEND("%s", d->msg[0] ? d->msg : "unknown error");
#undef APPEND
}
