/*
 * Parsing of quantities with units, exactly (integer decimal arithmetic, no
 * floating point): durations ("300ms", "1.5us", "10d"), frequencies ("3GHz",
 * "14.31818MHz"), fractional offsets ("12.5ppm", "-50ppb") and fractions that
 * may also be percentages ("0.5%").  Each parser
 * returns false and writes a one-line reason into `why` (e.g. "expected a
 * duration with a unit (ps, ns, us, ms, s, min, h, d), got \"300\"").
 */
#ifndef SIM_CORE_UNITS_H
#define SIM_CORE_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/simtime.h"

/* Non-negative duration in ps; fails on overflow (> about 213 days) or sub-ps precision. */
bool sim_parse_duration_ps(const char *s, sim_ps *out, char *why, size_t why_len);

/* Signed duration in ps ("-20us" allowed); |value| < 2^63 ps. */
bool sim_parse_signed_duration_ps(const char *s, int64_t *out, char *why, size_t why_len);

/* Non-negative duration in ns (up to about 584 years); fails on sub-ns precision. */
bool sim_parse_duration_ns(const char *s, uint64_t *out, char *why, size_t why_len);

/* Frequency ("Hz", "kHz", "MHz", "GHz"), exact, > 0. */
bool sim_parse_freq(const char *s, struct sim_freq *out, char *why, size_t why_len);

/* Signed fractional offset in parts per billion ("ppm", "ppb"); fails on sub-ppb precision. */
bool sim_parse_ppb(const char *s, int64_t *out, char *why, size_t why_len);

/*
 * Signed fraction in ppb, also written as a percentage: "%" (10^7 ppb), "ppm"
 * or "ppb" ("0.5%" is 5000000); fails on sub-ppb precision.
 */
bool sim_parse_fraction_ppb(const char *s, int64_t *out, char *why, size_t why_len);

/* Decimal or 0x-hex unsigned integer, whole string, no sign; fails on overflow. */
bool sim_parse_u64(const char *s, uint64_t *out, char *why, size_t why_len);

/*
 * s in quotation marks for a message, into dst (len >= 16 bytes): at most 48
 * bytes of s, control bytes as \xNN, quotes and backslashes escaped, "..."
 * when s is longer or dst is too short.  Returns dst.
 */
const char *sim_quote(char *dst, size_t len, const char *s);

/* The value of one hex digit (0-9, a-f, A-F), or -1. */
int sim_hex_digit(char c);

#endif
