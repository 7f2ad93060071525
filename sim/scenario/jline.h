/*
 * A small JSON reader that allocates nothing: it walks an object's members
 * (or an array's elements) in a caller's buffer and hands out spans.  Made
 * for JSON Lines (`sim judge` reads 10^7 lines a run: cJSON's tree per line
 * would be most of the cost) and for small files such as a judge policy.
 * Every value it steps over is checked against RFC 8259's grammar, nested
 * values to at most JL_MAX_DEPTH levels; errors say what was expected and
 * the byte offset where.
 */
#ifndef SIM_SCENARIO_JLINE_H
#define SIM_SCENARIO_JLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JL_MAX_DEPTH 16

enum jl_type { JL_STRING, JL_NUMBER, JL_TRUE, JL_FALSE, JL_NULL, JL_OBJECT, JL_ARRAY };

/*
 * A value: for a string the bytes between the quotes, still escaped
 * (escaped = true when it holds a backslash); for the others the whole
 * value's text, brackets included.
 */
struct jl_value {
	enum jl_type type;
	const char *p;
	size_t n;
	bool escaped;
};

struct jl_error {
	size_t off;               /* byte offset in the buffer begun with */
	char msg[128];
};

/* Walks one object or array; base is where offsets count from. */
struct jl_iter {
	const char *base, *p, *end;
	bool array, first;
	bool top;                 /* begun on a buffer, not entered */
};

/*
 * Starts on the object (or array) that is the whole of p[0..n), surrounding
 * white space allowed: false with e set when it is something else.  Only its
 * opening is checked here; each step checks what it walks over, and the
 * last step checks that nothing follows the closing bracket.
 */
bool jl_begin(struct jl_iter *it, const char *p, size_t n, bool array, struct jl_error *e);

/* The same inside a value of type JL_OBJECT or JL_ARRAY that `parent` handed out. */
bool jl_enter(struct jl_iter *it, const struct jl_iter *parent, const struct jl_value *v,
	      struct jl_error *e);

/* Next member (an object's: key and value) or element: 1, or 0 at the end, or -1 on e. */
int jl_next(struct jl_iter *it, struct jl_value *key, struct jl_value *val, struct jl_error *e);

/* Byte offset of v (or of a key) from the iterator's base. */
size_t jl_offset(const struct jl_iter *it, const struct jl_value *v);

/* True when the string value s is exactly `lit` (compares unescaped text). */
bool jl_is(const struct jl_value *s, const char *lit);

/* A string value unescaped into dst (cap > 0): false when it does not fit or holds U+0000. */
bool jl_string(const struct jl_value *s, char *dst, size_t cap);

/*
 * An integer in any of the three forms sim-trace allows: a JSON number
 * without fraction or exponent, a decimal string ("18446744070000000000"),
 * or a hex string ("0x2c4a1b20").  Signed: a leading '-' (numbers and
 * decimal strings).  False with a reason in why.
 */
bool jl_u64(const struct jl_value *v, uint64_t *out, char *why, size_t why_len);
bool jl_i64(const struct jl_value *v, int64_t *out, char *why, size_t why_len);

/* 1-based line and column of byte `off` in buf. */
void jl_line_col(const char *buf, size_t off, unsigned *line, unsigned *col);

#endif
