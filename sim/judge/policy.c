/* The judge's policy: command-line settings and the JSON policy file (see policy.h). */
#include "sim/judge/policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/check.h"
#include "sim/core/units.h"
#include "sim/scenario/jline.h"

#define POLICY_MAX_BYTES (64 * 1024)

static const char *const host_names[] = {
#define JUDGE_HOST_NAME(id, name) [id] = name,
	JUDGE_HOST_CHECKS(JUDGE_HOST_NAME)
#undef JUDGE_HOST_NAME
};

_Static_assert(sizeof(host_names) / sizeof(host_names[0]) == JUDGE_HOST_CHECK_COUNT,
	       "one name per host check");

const char *judge_host_check_name(enum judge_host_check c)
{
	return (unsigned)c < JUDGE_HOST_CHECK_COUNT ? host_names[c] : NULL;
}

static enum judge_host_check host_by_name(const char *name)
{
	for (unsigned c = 0; c < JUDGE_HOST_CHECK_COUNT; c++)
		if (strcmp(name, host_names[c]) == 0)
			return (enum judge_host_check)c;
	return JUDGE_HOST_CHECK_COUNT;
}

void judge_policy_init(struct judge_policy *p)
{
	memset(p, 0, sizeof(*p));
	/* page_step: any step back; forward steps are jumps, judged only with a threshold */
	p->host[JUDGE_PAGE_STEP].threshold_ps = INT64_MAX;
	p->host[JUDGE_CROSS_VCPU].threshold_ps = 0;
	p->watchdog_hz = 1000;
	p->watchdog_max_skew_us = 125;
}

/* A check turned on with the row's defaults (rate: its 1 s window). */
static void enable(struct oracle_check_config *c, enum oracle_check_id id)
{
	const struct oracle_check_desc *d = oracle_check_desc(id);
	char why[128];

	if (c->enabled)
		return;
	memset(c, 0, sizeof(*c));
	c->enabled = true;
	if (d->window_default)
		sim_parse_duration_ps(d->window_default, &c->window_ps, why, sizeof(why));
}

void judge_policy_checks(const struct judge_policy *p, const char *name,
			 struct oracle_check_config out[ORACLE_CHECK_COUNT])
{
	const struct judge_checks *src = &p->all;

	for (unsigned i = 0; i < p->nclocks; i++)
		if (strcmp(p->clocks[i].name, name) == 0)
			src = &p->clocks[i].checks;
	if (src->named) {
		memcpy(out, src->c, sizeof(src->c));
		return;
	}
	memset(out, 0, sizeof(src->c));
	enable(&out[ORACLE_MONO_VCPU], ORACLE_MONO_VCPU);
	enable(&out[ORACLE_MONO_CAUSAL], ORACLE_MONO_CAUSAL);
}

bool judge_policy_check(struct judge_policy *p, const char *name, struct sim_diag *d)
{
	enum oracle_check_id id = oracle_check_by_name(name);

	if (id == ORACLE_CHECK_COUNT)
		return sim_diag_fail(d, "--check: no check called \"%s\" (mono_vcpu, mono_causal, "
				     "step_back, step_fwd, max_error, rate, consumer_abort)", name);
	enable(&p->all.c[id], id);
	p->all.named = true;
	for (unsigned i = 0; i < p->nclocks; i++) {
		enable(&p->clocks[i].checks.c[id], id);
		p->clocks[i].checks.named = true;
	}
	return true;
}

/* A value in the check's unit: a duration in ps, or a rate in ppb; >= 0 unless is_signed. */
static bool parse_in_unit(enum oracle_check_id id, const char *text, bool is_signed, int64_t *out,
			  char *why, size_t len)
{
	sim_ps ps;

	if (oracle_check_desc(id)->unit == ORACLE_UNIT_PPB) {
		if (!sim_parse_ppb(text, out, why, len))
			return false;
		if (!is_signed && *out < 0) {
			snprintf(why, len, "expected a rate >= 0, got \"%s\"", text);
			return false;
		}
		return true;
	}
	if (is_signed)
		return sim_parse_signed_duration_ps(text, out, why, len);
	if (!sim_parse_duration_ps(text, &ps, why, len))
		return false;
	if (ps > INT64_MAX) {
		snprintf(why, len, "a duration above 2^63 ps");
		return false;
	}
	*out = (int64_t)ps;
	return true;
}

bool judge_policy_threshold(struct judge_policy *p, const char *arg, struct sim_diag *d)
{
	const char *eq = strchr(arg, '=');
	char name[40], why[160];
	enum oracle_check_id id;
	enum judge_host_check h;
	int64_t v;
	sim_ps ps;

	if (!eq || (size_t)(eq - arg) >= sizeof(name))
		return sim_diag_fail(d, "--threshold: expected CHECK=VALUE (step_back=1us), got \"%s\"",
				     arg);
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	h = host_by_name(name);
	if (h != JUDGE_HOST_CHECK_COUNT && h != JUDGE_WATCHDOG) {
		if (!sim_parse_duration_ps(eq + 1, &ps, why, sizeof(why)) || ps > INT64_MAX)
			return sim_diag_fail(d, "--threshold %s: %s", name, why);
		p->host[h].threshold_ps = (int64_t)ps;
		return true;
	}
	id = oracle_check_by_name(name);
	if (id == ORACLE_CHECK_COUNT || !(oracle_check_desc(id)->params & ORACLE_PARAM_THRESHOLD))
		return sim_diag_fail(d, "--threshold: \"%s\" takes no threshold (step_back, step_fwd, "
				     "max_error, rate, page_step, cross_vcpu do)", name);
	if (!parse_in_unit(id, eq + 1, false, &v, why, sizeof(why)))
		return sim_diag_fail(d, "--threshold %s: %s", name, why);
	judge_policy_check(p, name, d);
	p->all.c[id].threshold = v;
	for (unsigned i = 0; i < p->nclocks; i++)
		p->clocks[i].checks.c[id].threshold = v;
	return true;
}

/* The policy file being read: its text, and where an error points. */
struct pf {
	const char *path;
	const char *buf;
	struct sim_diag *d;
};

static bool pf_fail(const struct pf *f, const struct jl_iter *it, const struct jl_value *v,
		    size_t off, const char *key, const char *what)
{
	unsigned line, col;

	sim_diag_fail(f->d, "%s", what);
	sim_diag_set_file(f->d, f->path);
	jl_line_col(f->buf, it && v ? jl_offset(it, v) : off, &line, &col);
	sim_diag_set_pos(f->d, line, col);
	if (key)
		sim_diag_set_path(f->d, key);
	return false;
}

/* A string value into buf, or an error at path. */
static bool pf_str(const struct pf *f, const struct jl_iter *it, const struct jl_value *v,
		   const char *path, char *buf, size_t cap)
{
	if (v->type != JL_STRING || !jl_string(v, buf, cap))
		return pf_fail(f, it, v, 0, path, "expected a string (a value with its unit)");
	return true;
}

static bool load_check(const struct pf *f, const struct jl_iter *parent, const struct jl_value *obj,
		       enum oracle_check_id id, struct oracle_check_config *c, const char *path)
{
	const struct oracle_check_desc *desc = oracle_check_desc(id);
	struct jl_iter it;
	struct jl_value k, v;
	struct jl_error e;
	bool have_threshold = false;
	char key[64], sub[200], text[64], why[160];
	int r;

	enable(c, id);
	if (!jl_enter(&it, parent, obj, &e))
		return pf_fail(f, parent, obj, 0, path, "expected an object of the check's keys");
	while ((r = jl_next(&it, &k, &v, &e)) == 1) {
		if (!jl_string(&k, key, sizeof(key)))
			return pf_fail(f, &it, &k, 0, path, "a key too long");
		snprintf(sub, sizeof(sub), "%.120s/%.60s", path, key);
		if (strcmp(key, "expect") == 0) {
			if (jl_is(&v, "pass"))
				c->expect = ORACLE_EXPECT_PASS;
			else if (jl_is(&v, "fail"))
				c->expect = ORACLE_EXPECT_FAIL;
			else
				return pf_fail(f, &it, &v, 0, sub, "expected \"pass\" or \"fail\"");
		} else if (strcmp(key, "threshold") == 0 && (desc->params & ORACLE_PARAM_THRESHOLD)) {
			if (!pf_str(f, &it, &v, sub, text, sizeof(text)))
				return false;
			if (!parse_in_unit(id, text, false, &c->threshold, why, sizeof(why)))
				return pf_fail(f, &it, &v, 0, sub, why);
			have_threshold = true;
		} else if (strcmp(key, "window") == 0 && (desc->params & ORACLE_PARAM_WINDOW)) {
			if (!pf_str(f, &it, &v, sub, text, sizeof(text)))
				return false;
			if (!sim_parse_duration_ps(text, &c->window_ps, why, sizeof(why)) ||
			    c->window_ps == 0)
				return pf_fail(f, &it, &v, 0, sub, c->window_ps ? why : "expected a window above 0");
		} else if (strcmp(key, "pause") == 0 && (desc->params & ORACLE_PARAM_PAUSE)) {
			if (jl_is(&v, "include"))
				c->pause = ORACLE_PAUSE_INCLUDE;
			else if (jl_is(&v, "exclude"))
				c->pause = ORACLE_PAUSE_EXCLUDE;
			else
				return pf_fail(f, &it, &v, 0, sub, "expected \"include\" or \"exclude\"");
		} else if (strcmp(key, "worst") == 0) {
			struct jl_iter w;
			struct jl_value wk, wv;
			int wr;

			if (!jl_enter(&w, &it, &v, &e) || v.type != JL_OBJECT)
				return pf_fail(f, &it, &v, 0, sub, "expected {\"min\": ..., \"max\": ...}");
			while ((wr = jl_next(&w, &wk, &wv, &e)) == 1) {
				bool is_min = jl_is(&wk, "min");
				char wpath[220];

				snprintf(wpath, sizeof(wpath), "%.180s/%s", sub, is_min ? "min" : "max");
				if (!is_min && !jl_is(&wk, "max"))
					return pf_fail(f, &w, &wk, 0, sub, "\"worst\" takes \"min\" and \"max\" only");
				if (!pf_str(f, &w, &wv, wpath, text, sizeof(text)))
					return false;
				if (!parse_in_unit(id, text, true, is_min ? &c->worst_min : &c->worst_max,
						   why, sizeof(why)))
					return pf_fail(f, &w, &wv, 0, wpath, why);
				*(is_min ? &c->has_worst_min : &c->has_worst_max) = true;
			}
			if (wr < 0)
				return pf_fail(f, NULL, NULL, e.off, sub, e.msg);
		} else {
			snprintf(why, sizeof(why), "%s takes %s\"expect\" and \"worst\"; not \"%.40s\"",
				 desc->name, (desc->params & ORACLE_PARAM_THRESHOLD) ?
				 (desc->params & ORACLE_PARAM_WINDOW ? "\"threshold\", \"window\", " :
				  desc->params & ORACLE_PARAM_PAUSE ? "\"threshold\", \"pause\", " :
				  "\"threshold\", ") : "", key);
			return pf_fail(f, &it, &k, 0, sub, why);
		}
	}
	if (r < 0)
		return pf_fail(f, NULL, NULL, e.off, path, e.msg);
	if ((desc->params & ORACLE_PARAM_THRESHOLD) && !have_threshold)
		return pf_fail(f, parent, obj, 0, path, "this check needs \"threshold\"");
	return true;
}

/* {"<check>": {...}, ...} into cs. */
static bool load_checks(const struct pf *f, const struct jl_iter *parent, const struct jl_value *obj,
			struct judge_checks *cs, const char *path)
{
	struct jl_iter it;
	struct jl_value k, v;
	struct jl_error e;
	char key[64], sub[200];
	int r;

	if (obj->type != JL_OBJECT || !jl_enter(&it, parent, obj, &e))
		return pf_fail(f, parent, obj, 0, path, "expected an object of checks");
	cs->named = true;
	while ((r = jl_next(&it, &k, &v, &e)) == 1) {
		enum oracle_check_id id;

		if (!jl_string(&k, key, sizeof(key)))
			return pf_fail(f, &it, &k, 0, path, "a key too long");
		snprintf(sub, sizeof(sub), "%.120s/%.60s", path, key);
		id = oracle_check_by_name(key);
		if (id == ORACLE_CHECK_COUNT)
			return pf_fail(f, &it, &k, 0, sub, "no such check (mono_vcpu, mono_causal, "
				       "step_back, step_fwd, max_error, rate, consumer_abort)");
		if (!load_check(f, &it, &v, id, &cs->c[id], sub))
			return false;
	}
	return r == 0 || pf_fail(f, NULL, NULL, e.off, path, e.msg);
}

static bool load_host(const struct pf *f, const struct jl_iter *parent, const struct jl_value *obj,
		      struct judge_policy *p)
{
	struct jl_iter it, c;
	struct jl_value k, v, ck, cv;
	struct jl_error e;
	char key[64], sub[200], ckey[64], cpath[240], text[64], why[160];
	int r, cr;

	if (obj->type != JL_OBJECT || !jl_enter(&it, parent, obj, &e))
		return pf_fail(f, parent, obj, 0, "/host", "expected an object");
	while ((r = jl_next(&it, &k, &v, &e)) == 1) {
		enum judge_host_check h;

		if (!jl_string(&k, key, sizeof(key)))
			return pf_fail(f, &it, &k, 0, "/host", "a key too long");
		snprintf(sub, sizeof(sub), "/host/%.60s", key);
		h = host_by_name(key);
		if (h == JUDGE_HOST_CHECK_COUNT)
			return pf_fail(f, &it, &k, 0, sub, "no such host check (page_step, cross_vcpu, watchdog)");
		if (v.type != JL_OBJECT || !jl_enter(&c, &it, &v, &e))
			return pf_fail(f, &it, &v, 0, sub, "expected an object");
		while ((cr = jl_next(&c, &ck, &cv, &e)) == 1) {
			uint64_t n;

			if (!jl_string(&ck, ckey, sizeof(ckey)))
				return pf_fail(f, &c, &ck, 0, sub, "a key too long");
			snprintf(cpath, sizeof(cpath), "%.120s/%.60s", sub, ckey);
			if (strcmp(ckey, "expect") == 0) {
				if (!jl_is(&cv, "pass") && !jl_is(&cv, "fail"))
					return pf_fail(f, &c, &cv, 0, cpath, "expected \"pass\" or \"fail\"");
				p->host[h].expect = jl_is(&cv, "pass") ? ORACLE_EXPECT_PASS :
					ORACLE_EXPECT_FAIL;
			} else if (strcmp(ckey, "threshold") == 0 && h != JUDGE_WATCHDOG) {
				sim_ps ps;

				if (!pf_str(f, &c, &cv, cpath, text, sizeof(text)))
					return false;
				if (!sim_parse_duration_ps(text, &ps, why, sizeof(why)) || ps > INT64_MAX)
					return pf_fail(f, &c, &cv, 0, cpath, why);
				p->host[h].threshold_ps = (int64_t)ps;
			} else if (strcmp(ckey, "hz") == 0 && h == JUDGE_WATCHDOG) {
				if (!jl_u64(&cv, &n, why, sizeof(why)) || n < 100 || n > 1000)
					return pf_fail(f, &c, &cv, 0, cpath, "expected CONFIG_HZ: an integer in 100..1000");
				p->watchdog_hz = (unsigned)n;
			} else if (strcmp(ckey, "max_skew") == 0 && h == JUDGE_WATCHDOG) {
				sim_ps ps;

				if (!pf_str(f, &c, &cv, cpath, text, sizeof(text)))
					return false;
				if (!sim_parse_duration_ps(text, &ps, why, sizeof(why)) ||
				    ps % SIM_PS_PER_US || ps < 50 * SIM_PS_PER_US || ps > SIM_PS_PER_MS)
					return pf_fail(f, &c, &cv, 0, cpath, "expected whole us in "
						       "50us..1000us (CONFIG_CLOCKSOURCE_WATCHDOG_MAX_SKEW_US)");
				p->watchdog_max_skew_us = (unsigned)(ps / SIM_PS_PER_US);
			} else {
				return pf_fail(f, &c, &ck, 0, cpath, h == JUDGE_WATCHDOG ?
					       "watchdog takes \"expect\", \"hz\" and \"max_skew\"" :
					       "takes \"threshold\" and \"expect\"");
			}
		}
		if (cr < 0)
			return pf_fail(f, NULL, NULL, e.off, sub, e.msg);
	}
	return r == 0 || pf_fail(f, NULL, NULL, e.off, "/host", e.msg);
}

static bool load_top(const struct pf *f, size_t n, struct judge_policy *p)
{
	struct jl_iter it, c;
	struct jl_value k, v, ck, cv;
	struct jl_error e;
	char key[64], name[ORACLE_NAME_MAX + 8], path[120];
	int r, cr;

	if (!jl_begin(&it, f->buf, n, false, &e))
		return pf_fail(f, NULL, NULL, e.off, NULL, "expected a JSON object");
	while ((r = jl_next(&it, &k, &v, &e)) == 1) {
		if (!jl_string(&k, key, sizeof(key)))
			return pf_fail(f, &it, &k, 0, NULL, "a key too long");
		if (strcmp(key, "checks") == 0) {
			if (!load_checks(f, &it, &v, &p->all, "/checks"))
				return false;
		} else if (strcmp(key, "host") == 0) {
			if (!load_host(f, &it, &v, p))
				return false;
		} else if (strcmp(key, "tsc_ns") == 0) {
			if (v.type != JL_TRUE && v.type != JL_FALSE)
				return pf_fail(f, &it, &v, 0, "/tsc_ns", "expected true or false");
			p->tsc_ns = v.type == JL_TRUE;
		} else if (strcmp(key, "clocks") == 0) {
			if (v.type != JL_OBJECT || !jl_enter(&c, &it, &v, &e))
				return pf_fail(f, &it, &v, 0, "/clocks", "expected an object: clock name -> checks");
			while ((cr = jl_next(&c, &ck, &cv, &e)) == 1) {
				if (!jl_string(&ck, name, sizeof(name)) || strlen(name) >= ORACLE_NAME_MAX)
					return pf_fail(f, &c, &ck, 0, "/clocks", "a clock name of at most 31 bytes");
				if (p->nclocks == JUDGE_POLICY_CLOCKS)
					return pf_fail(f, &c, &ck, 0, "/clocks", "more than 32 clocks");
				snprintf(path, sizeof(path), "/clocks/%s", name);
				/* fits: strlen(name) < ORACLE_NAME_MAX was checked above */
				memcpy(p->clocks[p->nclocks].name, name, strlen(name) + 1);
				if (!load_checks(f, &c, &cv, &p->clocks[p->nclocks].checks, path))
					return false;
				p->nclocks++;
			}
			if (cr < 0)
				return pf_fail(f, NULL, NULL, e.off, "/clocks", e.msg);
		} else {
			snprintf(path, sizeof(path), "/%.60s", key);
			return pf_fail(f, &it, &k, 0, path, "unknown key (a policy has \"checks\", "
				       "\"clocks\", \"host\" and \"tsc_ns\")");
		}
	}
	return r == 0 || pf_fail(f, NULL, NULL, e.off, NULL, e.msg);
}

bool judge_policy_load(struct judge_policy *p, const char *path, struct sim_diag *d)
{
	FILE *fp = fopen(path, "rb");
	struct pf f = { .path = path, .d = d };
	char *buf;
	size_t n;
	bool ok;

	if (!fp) {
		sim_diag_fail(d, "cannot read the policy file");
		sim_diag_set_file(d, path);
		return false;
	}
	buf = malloc(POLICY_MAX_BYTES + 1);
	n = buf ? fread(buf, 1, POLICY_MAX_BYTES + 1, fp) : 0;
	fclose(fp);
	if (!buf || n > POLICY_MAX_BYTES) {
		free(buf);
		sim_diag_fail(d, "a policy file is at most 64 KiB");
		sim_diag_set_file(d, path);
		return false;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		free(buf);
		sim_diag_fail(d, "a NUL byte in the policy file");
		sim_diag_set_file(d, path);
		return false;
	}
	f.buf = buf;
	ok = load_top(&f, n, p);
	free(buf);
	return ok;
}
