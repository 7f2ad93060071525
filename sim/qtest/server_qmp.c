/* The QMP monitor of `sim qtest`: see server_qmp.h. */
#include "sim/qtest/server_qmp.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/qtest/server_options.h"

static void qmp_send(struct qmp *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One QMP line; QEMU ends every line it sends with CRLF. */
static void qmp_send(struct qmp *m, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || m->c.fd < 0)
		return;
	if ((size_t)n > sizeof(buf) - 3)
		n = (int)sizeof(buf) - 3;
	buf[n++] = '\r';
	buf[n++] = '\n';
	if (!write_all(m->c.fd, buf, (size_t)n))
		conn_close(&m->c);
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/*
 * A JSON string at p ("..." or QMP's '...'), decoded into out (\u escapes
 * become '?').  Returns the position after it, or NULL when unterminated.
 */
static const char *scan_string(const char *p, const char *end, char *out, size_t outlen)
{
	char quote = *p++;
	size_t n = 0;

	while (p < end) {
		char c = *p++;

		if (c == quote) {
			if (out && outlen)
				out[n < outlen ? n : outlen - 1] = '\0';
			return p;
		}
		if (c == '\\') {
			if (p >= end)
				return NULL;
			c = *p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				p += end - p < 4 ? end - p : 4;
				c = '?';
				break;
			default: break;   /* \" \' \\ \/ */
			}
		}
		if (out && n + 1 < outlen)
			out[n++] = c;
	}
	return NULL;
}

/* The end of the JSON value at p, or NULL when it is incomplete or malformed. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p >= end)
		return NULL;
	if (*p != '{' && *p != '[') {
		if (*p == '"' || *p == '\'')
			return scan_string(p, end, NULL, 0);
		while (p < end && !strchr(",}] \t\r\n", *p))
			p++;
		return p;
	}
	while (p < end) {
		if (*p == '"' || *p == '\'') {
			p = scan_string(p, end, NULL, 0);
			if (!p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		p++;
		if (depth == 0)
			return p;
	}
	return NULL;
}

/*
 * QMP requests are shallow objects; QEMU's JSON streamer refuses nesting
 * beyond 1024 (qobject/json-streamer.c, MAX_NESTING).  sim's few commands
 * take no nested arguments, so a far smaller bound costs nothing and stops
 * a run of brackets early.
 */
#define QMP_MAX_DEPTH 32

enum scan { SCAN_MORE, SCAN_DONE, SCAN_DEEP };

/* The top-level value at p (a '{' or '['): complete (*vend set), incomplete, or too deep. */
static enum scan scan_top(const char *p, const char *end, const char **vend)
{
	int depth = 0;

	while (p < end) {
		if (*p == '"' || *p == '\'') {
			p = scan_string(p, end, NULL, 0);
			if (!p)
				return SCAN_MORE;
			continue;
		}
		if (*p == '{' || *p == '[') {
			if (++depth > QMP_MAX_DEPTH)
				return SCAN_DEEP;
		} else if (*p == '}' || *p == ']') {
			depth--;
		}
		p++;
		if (depth == 0) {
			*vend = p;
			return SCAN_DONE;
		}
	}
	return SCAN_MORE;
}

/*
 * Drops input up to and including the next newline (resynchronisation after
 * an error); with no newline yet, drops everything and keeps skipping.
 */
static void skip_line(struct conn *c, const char *from)
{
	const char *nl = memchr(from, '\n', (size_t)(c->buf + c->len - from));

	c->overflow = nl == NULL;
	conn_consume(c, nl ? (size_t)(nl + 1 - c->buf) : c->len);
}

/* Writes a JSON string literal of s into out. */
static void json_quote(char *out, size_t outlen, const char *s)
{
	size_t n = 0;

	if (outlen < 3)
		return;
	out[n++] = '"';
	for (; *s && n + 7 < outlen; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, outlen - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n++] = '"';
	out[n] = '\0';
}

static void version_json(char *buf, size_t len)
{
	snprintf(buf, len, "{\"qemu\": {\"micro\": %d, \"minor\": %d, \"major\": %d}, "
		 "\"package\": \"%s\"}", QTEST_SIM_MICRO, QTEST_SIM_MINOR, QTEST_SIM_MAJOR,
		 QTEST_SIM_PACKAGE);
}

void qmp_greet(struct qmp *m)
{
	char ver[256];

	version_json(ver, sizeof(ver));
	qmp_send(m, "{\"QMP\": {\"version\": %s, \"capabilities\": []}}", ver);
}

static void qmp_error(struct qmp *m, const char *id, const char *cls, const char *desc)
{
	char d[512];

	json_quote(d, sizeof(d), desc);
	qmp_send(m, "{\"error\": {\"class\": \"%s\", \"desc\": %s}%s%s}", cls, d,
		 id[0] ? ", \"id\": " : "", id);
}

static void qmp_return(struct qmp *m, const char *id, const char *value)
{
	qmp_send(m, "{\"return\": %s%s%s}", value, id[0] ? ", \"id\": " : "", id);
}

/* QEMU emits SHUTDOWN after quit's reply; the timestamp here is simulated. */
static void qmp_shutdown_event(struct qmp *m, sim_ps now, int64_t rtc_base_s)
{
	uint64_t us = now / SIM_PS_PER_US;

	qmp_send(m, "{\"timestamp\": {\"seconds\": %" PRId64 ", \"microseconds\": %" PRIu64 "}, "
		 "\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}}",
		 rtc_base_s + (int64_t)(us / 1000000), us % 1000000);
}

/* One complete JSON text [p, end) from a QMP client; true on quit. */
static bool qmp_object(struct qmp *m, const char *p, const char *end, sim_ps now,
		       int64_t rtc_base_s)
{
	char cmd[128] = "", id[256] = "", key[64], desc[256];
	bool has_cmd = false;

	if (*p != '{') {
		qmp_error(m, "", "GenericError", "QMP input must be a JSON object");
		return false;
	}
	p = skip_ws(p + 1, end);
	while (p < end && *p != '}') {
		const char *v, *vend;

		if (*p != '"' && *p != '\'')
			goto bad;
		p = scan_string(p, end, key, sizeof(key));
		if (!p)
			goto bad;
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			goto bad;
		v = skip_ws(p + 1, end);
		vend = skip_value(v, end);
		if (!vend)
			goto bad;
		if (strcmp(key, "execute") == 0) {
			if (*v != '"' && *v != '\'') {
				qmp_error(m, id, "GenericError", "QMP input member 'execute' must be a string");
				return false;
			}
			scan_string(v, vend, cmd, sizeof(cmd));
			has_cmd = true;
		} else if (strcmp(key, "id") == 0) {
			if (*v == '\'') {
				char s[200];

				scan_string(v, vend, s, sizeof(s));
				json_quote(id, sizeof(id), s);
			} else {
				snprintf(id, sizeof(id), "%.*s", (int)(vend - v), v);
			}
		} else if (strcmp(key, "arguments") != 0) {
			snprintf(desc, sizeof(desc), "QMP input member '%s' is unexpected", key);
			qmp_error(m, id, "GenericError", desc);
			return false;
		}
		p = skip_ws(vend, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
	}
	if (!has_cmd) {
		qmp_error(m, id, "GenericError", "QMP input lacks member 'execute'");
		return false;
	}
	if (!m->negotiated) {
		if (strcmp(cmd, "qmp_capabilities") == 0) {
			m->negotiated = true;
			qmp_return(m, id, "{}");
		} else {
			qmp_error(m, id, "CommandNotFound",
				  "Expecting capabilities negotiation with 'qmp_capabilities'");
		}
		return false;
	}
	if (strcmp(cmd, "qmp_capabilities") == 0) {
		qmp_error(m, id, "CommandNotFound",
			  "Capabilities negotiation is already complete, command ignored");
	} else if (strcmp(cmd, "quit") == 0) {
		qmp_return(m, id, "{}");
		qmp_shutdown_event(m, now, rtc_base_s);
		return true;
	} else if (strcmp(cmd, "query-version") == 0) {
		char ver[256];

		version_json(ver, sizeof(ver));
		qmp_return(m, id, ver);
	} else if (strcmp(cmd, "query-status") == 0) {
		qmp_return(m, id, "{\"status\": \"running\", \"running\": true}");
	} else {
		snprintf(desc, sizeof(desc), "The command %s has not been found", cmd);
		qmp_error(m, id, "CommandNotFound", desc);
	}
	return false;
bad:
	qmp_error(m, id, "GenericError", "JSON parse error");
	return false;
}

bool qmp_input(struct qmp *m, sim_ps now, int64_t rtc_base_s)
{
	struct conn *c = &m->c;
	bool eof = !conn_fill(c, c->fd), quit = false;

	while (!quit && c->len) {
		const char *start, *end = NULL;
		enum scan sc;

		if (c->overflow) {
			/* Still skipping the line of an earlier error. */
			skip_line(c, c->buf);
			continue;
		}
		start = skip_ws(c->buf, c->buf + c->len);
		if (start == c->buf + c->len) {
			conn_consume(c, c->len);
			break;
		}
		if (*start != '{' && *start != '[') {
			/* Not a JSON container: report once and drop the line. */
			qmp_error(m, "", "GenericError", "JSON parse error");
			skip_line(c, start);
			continue;
		}
		sc = scan_top(start, c->buf + c->len, &end);
		if (sc == SCAN_DEEP) {
			qmp_error(m, "", "GenericError", "JSON nesting depth limit exceeded");
			skip_line(c, start);
			continue;
		}
		if (sc == SCAN_MORE) {
			/*
			 * Only an object may go on over a newline (a pretty-printed
			 * request); an array is never a request: refuse it at the
			 * newline instead of reading every later line into it.
			 */
			if (*start == '[' && memchr(start, '\n', (size_t)(c->buf + c->len - start))) {
				qmp_error(m, "", "GenericError", "QMP input must be a JSON object");
				skip_line(c, start);
				continue;
			}
			break;   /* incomplete: wait for more */
		}
		quit = qmp_object(m, start, end, now, rtc_base_s);
		if (m->c.fd < 0)
			return quit;
		conn_consume(c, (size_t)(end - c->buf));
	}
	if (c->len > QTEST_INPUT_MAX) {
		/* Drop it and the rest of its line: the next line starts afresh. */
		qmp_error(m, "", "GenericError", "JSON parse error: input too long");
		skip_line(c, c->buf + c->len);
	}
	if (eof)
		conn_close(c);   /* QEMU keeps running when a monitor disconnects */
	return quit;
}
