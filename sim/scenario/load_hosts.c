/* "hosts": sockets, crystals, TSC features; CPU sets and host references. */
#include "sim/scenario/loader_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/units.h"

#define H(m) offsetof(struct scn_host, m)
#define K(m) offsetof(struct scn_socket, m)
#define TF(m) offsetof(struct scn_tsc_features, m)

/* Enumerations, in the order of their C enums. */
static const char *const clocksource_names[] = { "auto", "tsc", "hpet", NULL };
_Static_assert(sizeof(clocksource_names) / sizeof(clocksource_names[0]) == SCN_CLOCKSOURCE_COUNT + 1,
	       "one name per enumerator");
static const char *const vendor_names[] = { "intel", "amd", NULL };   /* amd: svm */
static const char *const ssc_mode_names[] = { "down", "center", NULL };
_Static_assert(sizeof(ssc_mode_names) / sizeof(ssc_mode_names[0]) == SCN_SSC_MODE_COUNT + 1,
	       "one name per enumerator");

static const struct field host_rows[] = {
	{ ROW("name", F_NAME, H(name)), .required = true },
	{ ROW("tsc", F_FREQ, H(tsc)), .required = true, .min = 1000000, .max = 100000000000ULL },
	{ ROW("uptime", F_DURATION_NS, H(uptime_ns)), .required = true },
	{ ROW("realtime_error", F_SIGNED_NS, H(realtime_error_ns)), .dflt = "0s" },
	{ ROW("tsc_khz", F_U64, H(tsc_khz)), .dflt = "0", .max = UINT32_MAX,
	  .what = "a TSC frequency in kHz" },
	{ ROW("clocksource", F_ENUM, H(clocksource)), .dflt = "auto", .names = clocksource_names },
	/* the PC's HPET rate, SIM_HPET_FREQ_HZ */
	{ ROW("hpet", F_FREQ, H(hpet)), .dflt = "14.31818MHz", .min = 1000000, .max = 1000000000 },
	{ ROW("hpet_crystal", F_PPB, H(hpet_crystal_ppb)), .dflt = "0ppm",
	  .max = CRYSTAL_LIMIT_PPB },
	{ ROW("vendor", F_ENUM_BOOL, H(svm)), .dflt = "intel", .names = vendor_names },
	{ ROW("sockets", F_CUSTOM, 0), .required = true, .sub = &socket_table,
	  .nest = NEST_ARRAY, .min = 1, .max = SCN_MAX_SOCKETS },
	{ ROW("tsc_features", F_CUSTOM, 0), .sub = &tsc_features_table },
};

static const struct field socket_rows[] = {
	{ ROW("cpus", F_UINT, K(ncpus)), .required = true, .min = 1, .max = SCN_MAX_CPUS_PER_SOCKET,
	  .what = "a CPU count" },
	{ ROW("crystal", F_PPB, K(crystal_ppb)), .dflt = "0ppm", .max = CRYSTAL_LIMIT_PPB },
	{ ROW("tsc_offset", F_SIGNED_PS, K(tsc_offset_ps)), .dflt = "0s" },
	{ ROW("cpu_tsc_offsets", F_CUSTOM, 0), .like = F_SIGNED_PS, .list = true, .min = 1,
	  .max = SCN_MAX_CPUS_PER_SOCKET },      /* exactly "cpus" */
	{ ROW("crystal_wander", F_PPB, K(wander_ppb)), .dflt = "0ppb", .max = WANDER_LIMIT_PPB },
	{ ROW("wander_bound", F_PPB, K(wander_bound_ppb)), .dflt = "1ppm",
	  .max = CRYSTAL_LIMIT_PPB },
	{ ROW("wander_step", F_DURATION_PS, K(wander_step_ps)), .dflt = "1s", .min = SIM_PS_PER_MS,
	  .what = "step" },
	{ ROW("crystal_aging", F_PPB, K(aging_ppb_per_day)), .dflt = "0ppb",
	  .max = CRYSTAL_LIMIT_PPB },
	{ ROW("ssc", F_CUSTOM, 0), .sub = &ssc_table },
	{ ROW("hotplug_cpus", F_UINT, K(hotplug_cpus)), .dflt = "0", .max = SCN_MAX_CPUS_PER_SOCKET,
	  .what = "a CPU count" },
};

static const struct field ssc_rows[] = {
	{ ROW("mode", F_ENUM, offsetof(struct scn_ssc, mode)), .required = true,
	  .names = ssc_mode_names },
	{ ROW("spread", F_CUSTOM, 0), .required = true, .shape = "fraction" },
	{ ROW("modulation", F_FREQ, offsetof(struct scn_ssc, modulation)), .dflt = "31.5kHz",
	  .min = 10000, .max = 100000 },
};

static const struct field tsc_features_rows[] = {
	{ ROW("constant", F_BOOL, TF(constant)), .dflt = "true" },
	{ ROW("nonstop", F_BOOL, TF(nonstop)), .dflt = "true" },
	{ ROW("tsc_adjust", F_BOOL, TF(tsc_adjust)), .dflt = "true" },
	{ ROW("arat", F_BOOL, TF(arat)), .dflt = "true" },
	{ ROW("rdtsc_window", F_U32, TF(rdtsc_window_cycles)), .dflt = "0", .max = 1000000,
	  .what = "a number of TSC cycles" },
	{ ROW("bios_sync_residual", F_U32, TF(bios_sync_residual_cycles)), .dflt = "0",
	  .max = 1000000000, .what = "a number of TSC cycles" },
	{ ROW("halted_pstate_erratum", F_BOOL, TF(halted_pstate_erratum)), .dflt = "false" },
	{ ROW("nonstop_s3", F_BOOL, TF(nonstop_s3)), .dflt = "false" },
	{ ROW("apic_timer", F_FREQ, TF(apic_timer)), .dflt = "100MHz", .min = 1000000,
	  .max = 10000000000ULL },
	{ ROW("cpuid_15h", F_TRISTATE, TF(cpuid_15h)) },   /* unset: by vendor */
	{ ROW("advertise", F_CUSTOM, 0), .sub = &advertise_table },
};

/* "advertise": one key per flag, in the order of enum scn_tsc_flag; absent = the model's. */
static const struct field advertise_rows[] = {
	{ ROW("constant_tsc", F_TRISTATE, TF(advertise[SCN_FLAG_CONSTANT_TSC])) },
	{ ROW("nonstop_tsc", F_TRISTATE, TF(advertise[SCN_FLAG_NONSTOP_TSC])) },
	{ ROW("tsc_known_freq", F_TRISTATE, TF(advertise[SCN_FLAG_TSC_KNOWN_FREQ])) },
	{ ROW("tsc_reliable", F_TRISTATE, TF(advertise[SCN_FLAG_TSC_RELIABLE])) },
	{ ROW("invariant_tsc", F_TRISTATE, TF(advertise[SCN_FLAG_INVARIANT_TSC])) },
};
_Static_assert(sizeof(advertise_rows) / sizeof(advertise_rows[0]) == SCN_TSC_FLAG_COUNT,
	       "one advertise key per TSC flag");

const struct field_table host_table = FIELDS("hosts", host_rows);
const struct field_table socket_table = FIELDS("sockets", socket_rows);
const struct field_table ssc_table = FIELDS("ssc", ssc_rows);
const struct field_table tsc_features_table = FIELDS("tsc_features", tsc_features_rows);
const struct field_table advertise_table = FIELDS("advertise", advertise_rows);

const char *tsc_flag_key(enum scn_tsc_flag f)
{
	return advertise_rows[f].key;
}

/* ---- hosts ---- */

void cpu_set_add(struct cpu_set *set, unsigned cpu)
{
	set->w[cpu / 64] |= 1ULL << (cpu % 64);
}

bool cpu_set_has(const struct cpu_set *set, unsigned cpu)
{
	return set->w[cpu / 64] >> (cpu % 64) & 1;
}

/* The lowest CPU in both a and b, or SCN_MAX_HOST_CPUS when none. */
unsigned cpu_set_common(const struct cpu_set *a, const struct cpu_set *b)
{
	for (unsigned i = 0; i < SCN_MAX_HOST_CPUS / 64; i++) {
		uint64_t w = a->w[i] & b->w[i];

		for (unsigned bit = 0; w; bit++, w >>= 1)
			if (w & 1)
				return i * 64 + bit;
	}
	return SCN_MAX_HOST_CPUS;
}

unsigned host_cpus(const struct scn_host *h)
{
	return h->ncpus;
}

/* The socket of CPU cpu (< h->ncpus), and whether it is one of the socket's hotplug CPUs. */
unsigned cpu_socket(const struct scn_host *h, unsigned cpu, bool *hotplug)
{
	unsigned j = h->nsockets - 1;

	while (j > 0 && cpu < h->sockets[j].first_cpu)
		j--;
	*hotplug = cpu - h->sockets[j].first_cpu >= h->sockets[j].ncpus;
	return j;
}

/* The n-th CPU (from 0) among those online at t = 0. */
unsigned nth_online_cpu(const struct scn_host *h, unsigned n)
{
	for (unsigned j = 0; j < h->nsockets; j++) {
		if (n < h->sockets[j].ncpus)
			return h->sockets[j].first_cpu + n;
		n -= h->sockets[j].ncpus;
	}
	return 0;
}

/* "4-5, 12" : the hotplug CPUs of h, or "none". */
const char *hotplug_list(const struct scn_host *h, char *dst, size_t len)
{
	size_t n = 0;

	snprintf(dst, len, "none");
	for (unsigned j = 0; j < h->nsockets; j++) {
		const struct scn_socket *sk = &h->sockets[j];
		unsigned a = sk->first_cpu + sk->ncpus, b = a + sk->hotplug_cpus - 1;
		int w;

		if (!sk->hotplug_cpus || n >= len)
			continue;
		w = a == b ? snprintf(dst + n, len - n, "%s%u", n ? ", " : "", a)
			   : snprintf(dst + n, len - n, "%s%u-%u", n ? ", " : "", a, b);
		n += w > 0 ? (size_t)w : 0;
	}
	return dst;
}

/* The socket's crystal offset: nominal plus steps, widened by wander, aging over the run, SSC. */
void crystal_envelope(const struct scenario *sc, const struct scn_socket *sk,
			     int64_t steps, int64_t *lo, int64_t *hi)
{
	sim_i128 aging = (sim_i128)sk->aging_ppb_per_day * (sim_i128)sc->duration_ps;
	sim_i128 l, u;

	/* aging over the whole run, rounded away from 0 */
	aging = aging < 0 ? -((-aging + PS_PER_DAY - 1) / PS_PER_DAY)
			  : (aging + PS_PER_DAY - 1) / PS_PER_DAY;
	l = u = (sim_i128)sk->crystal_ppb + steps;
	if (sk->wander_ppb) {
		l -= sk->wander_bound_ppb;
		u += sk->wander_bound_ppb;
	}
	if (aging < 0)
		l += aging;
	else
		u += aging;
	if (sk->ssc.enabled && sk->ssc.mode == SCN_SSC_DOWN) {
		l -= (int64_t)sk->ssc.spread_ppm * 1000;
	} else if (sk->ssc.enabled) {
		l -= (int64_t)sk->ssc.spread_ppm * 500;
		u += (int64_t)sk->ssc.spread_ppm * 500;
	}
	*lo = l < -(sim_i128)INT64_MAX ? -INT64_MAX : (int64_t)l;
	*hi = u > (sim_i128)INT64_MAX ? INT64_MAX : (int64_t)u;
}

/*
 * Where an envelope error about socket o points: at the one of its keys that
 * moves the envelope most (the socket itself when none is given).
 */
static void envelope_key(const struct scenario *sc, const struct scn_socket *sk,
			 const struct node *o, char path[PATH_LEN])
{
	static const char *const keys[] = { "crystal", "wander_bound", "crystal_aging", "ssc" };
	sim_i128 aging = (sim_i128)sk->aging_ppb_per_day * (sim_i128)sc->duration_ps / PS_PER_DAY;
	sim_i128 moves[] = {
		sk->crystal_ppb < 0 ? -(sim_i128)sk->crystal_ppb : sk->crystal_ppb,
		sk->wander_ppb ? sk->wander_bound_ppb : 0,
		aging < 0 ? -aging : aging,
		sk->ssc.enabled ? (sim_i128)sk->ssc.spread_ppm * 1000 : 0,
	};
	sim_i128 most = -1;

	snprintf(path, PATH_LEN, "%s", o->path);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (cJSON_GetObjectItemCaseSensitive(o->json, keys[i]) && moves[i] > most) {
			most = moves[i];
			join_key(path, o->path, keys[i]);
		}
}

/*
 * The offsets a socket's crystal can reach (lo, hi, from crystal_envelope)
 * stay within +-10% and give representable TSC rates; the error is at path.
 */
bool check_envelope(struct loader *ld, const char *path, const struct scn_host *h,
			   int64_t lo, int64_t hi, const char *what)
{
	char a[32], b[32], c[32];
	struct sim_freq f;

	if (lo < -CRYSTAL_LIMIT_PPB || hi > CRYSTAL_LIMIT_PPB)
		return fail(ld, path, "%s: the crystal's offset could reach %s to %s; expected it to "
			    "stay within +-%s", what, fmt_ppb(a, sizeof(a), lo),
			    fmt_ppb(b, sizeof(b), hi), fmt_ppb(c, sizeof(c), CRYSTAL_LIMIT_PPB));
	if (!sim_freq_scale_ppb(h->tsc, lo, &f) || !sim_freq_scale_ppb(h->tsc, hi, &f))
		return fail(ld, path, "%s: the TSC frequency with a crystal offset of %s to %s is not "
			    "representable", what, fmt_ppb(a, sizeof(a), lo), fmt_ppb(b, sizeof(b), hi));
	return true;
}

static bool load_ssc(struct loader *ld, const struct node *o, struct scn_ssc *ssc)
{
	struct node v;
	int64_t spread = 0;

	if (!load_fields(ld, o, &ssc_table, 0, NULL, ssc, NULL))
		return false;
	ssc->enabled = true;
	if (!node_get(ld, o, "spread", true, &v))
		return false;
	if (!read_fraction(ld, &v, 1, SSC_SPREAD_MAX_PPB, "a spread above 0% and at most 2%",
			   &spread))
		return false;
	if (spread % 1000)
		return fail(ld, v.path, "spread \"%s\" is not a whole number of ppm",
			    v.json->valuestring);
	ssc->spread_ppm = (uint32_t)(spread / 1000);
	return true;
}

static bool load_socket(struct loader *ld, const struct scn_host *h, const struct node *o,
			struct scn_socket *sk)
{
	struct node v;
	struct sim_freq f;
	char q[80];
	int64_t lo, hi;

	if (!load_fields(ld, o, &socket_table, 0, NULL, sk, NULL))
		return false;
	if (!node_get(ld, o, "crystal", false, &v))
		return false;
	if (v.json && !sim_freq_scale_ppb(h->tsc, sk->crystal_ppb, &f))
		return fail(ld, v.path, "the TSC frequency with crystal %s is not representable",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	if (!node_get(ld, o, "cpu_tsc_offsets", false, &v) ||
	    !read_array(ld, &v, sk->ncpus, sk->ncpus, "signed durations (one per CPU)",
			&(unsigned){ 0 }))
		return false;
	if (v.json) {
		sk->has_cpu_tsc_offsets = true;
		for (unsigned i = 0; i < sk->ncpus; i++) {
			struct node el;

			node_element(&v, i, &el);
			if (!read_signed_ps(ld, &el, &sk->cpu_tsc_offset_ps[i]))
				return false;
		}
	}
	if (!node_get(ld, o, "crystal_wander", false, &v))
		return false;
	if (sk->wander_ppb < 0)
		return fail(ld, v.path, "expected a wander of at least 0ppb (per sqrt(s)), got %s",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	if (!node_get(ld, o, "wander_bound", false, &v))
		return false;
	if (sk->wander_bound_ppb <= 0)
		return fail(ld, v.path, "expected a bound above 0ppb, got %s",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	if (!node_get(ld, o, "ssc", false, &v) || (v.json && !load_ssc(ld, &v, &sk->ssc)))
		return false;
	if (!node_get(ld, o, "hotplug_cpus", false, &v))
		return false;
	if (sk->ncpus + sk->hotplug_cpus > SCN_MAX_CPUS_PER_SOCKET)
		return fail(ld, v.path, "expected at most %u hotplug CPUs (\"cpus\" is %u, and a "
			    "socket has at most %u CPUs), got %u", SCN_MAX_CPUS_PER_SOCKET - sk->ncpus,
			    sk->ncpus, SCN_MAX_CPUS_PER_SOCKET, sk->hotplug_cpus);
	crystal_envelope(ld->sc, sk, 0, &lo, &hi);
	envelope_key(ld->sc, sk, o, v.path);
	return check_envelope(ld, v.path, h, lo, hi, "crystal, wander bound, aging over the run "
			      "and spread together");
}

static bool load_tsc_features(struct loader *ld, const struct node *o,
			      struct scn_tsc_features *tf)
{
	struct node adv = { NULL, "" };

	if (!load_fields(ld, o, &tsc_features_table, 0, NULL, tf, NULL))
		return false;
	if (o->json && !node_get(ld, o, "advertise", false, &adv))
		return false;
	return !adv.json || load_fields(ld, &adv, &advertise_table, 0, NULL, tf, NULL);
}

bool load_host(struct loader *ld, const struct node *o, unsigned idx)
{
	struct scenario *sc = ld->sc;
	struct scn_host *h = &sc->hosts[idx];
	struct node v, arr;
	struct sim_freq f;
	char q[80];
	bool ok = true;

	if (!load_fields(ld, o, &host_table, 0, NULL, h, NULL))
		return false;
	keep_path(h->path, o->path);
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(sc->hosts[i].name, h->name) == 0) {
			join_key(v.path, o->path, "name");
			return fail(ld, v.path, "duplicate host name %s (also /hosts/%u/name)",
				    sim_quote(q, sizeof(q), h->name), i);
		}
	if (!node_get(ld, o, "realtime_error", false, &v))
		return false;
	if (h->realtime_error_ns < 0 &&
	    (uint64_t)-h->realtime_error_ns > sc->utc_start_ns)
		return fail(ld, v.path, "the host's clock would start before 1970");
	if (!node_get(ld, o, "hpet_crystal", false, &v))
		return false;
	if (v.json && !sim_freq_scale_ppb(h->hpet, h->hpet_crystal_ppb, &f))
		return fail(ld, v.path, "the HPET frequency with crystal %s is not representable",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	if (!node_get(ld, o, "sockets", true, &arr) ||
	    !read_array(ld, &arr, 1, SCN_MAX_SOCKETS, "sockets", &h->nsockets))
		return false;
	/* a bad socket leaves the host bad, but the rest of it is still checked */
	for (unsigned i = 0; i < h->nsockets && !ld->stop; i++) {
		struct scn_socket *sk = &h->sockets[i];
		struct node el;

		node_element(&arr, i, &el);
		ok &= load_socket(ld, h, &el, sk);
		sk->first_cpu = h->ncpus;
		h->ncpus += sk->ncpus + sk->hotplug_cpus;
		h->ncpus_online += sk->ncpus;
	}
	return node_get(ld, o, "tsc_features", false, &v) &&
	       load_tsc_features(ld, &v, &h->features) && ok;
}

/* Index of the host named by v (a string), listing the names on error. */
bool read_host_ref(struct loader *ld, const struct node *v, unsigned *out)
{
	const struct scenario *sc = ld->sc;
	char q[80], names[8 * (SCN_NAME_MAX + 2)];      /* the first few: append_name() cuts */
	const char *s = "";
	size_t n = 0;

	if (!read_str(ld, v, "a host name", &s))
		return false;
	for (unsigned i = 0; i < sc->nhosts; i++) {
		if (strcmp(sc->hosts[i].name, s) == 0) {
			*out = i;
			return true;
		}
		append_name(names, sizeof(names), &n, sc->hosts[i].name);
	}
	return fail(ld, v->path, "unknown host %s; expected one of: %s", sim_quote(q, sizeof(q), s),
		    names);
}

/* The "host" key of o: a host name; absent, the only host (an error when there are several). */
bool read_host_or_only(struct loader *ld, const struct node *o, unsigned *out)
{
	const struct scenario *sc = ld->sc;
	char names[8 * (SCN_NAME_MAX + 2)];
	struct node v;
	size_t n = 0;

	if (!node_get(ld, o, "host", false, &v))
		return false;
	if (v.json)
		return read_host_ref(ld, &v, out);
	if (sc->nhosts == 1) {
		*out = 0;
		return true;
	}
	for (unsigned i = 0; i < sc->nhosts; i++)
		append_name(names, sizeof(names), &n, sc->hosts[i].name);
	return fail_at(ld, v.path, AT_PARENT, 0,
		       "missing required key \"host\": there are %u hosts (%s)", sc->nhosts, names);
}

/* A CPU a vCPU runs on must be online at t = 0: not one of the hotplug CPUs. */
bool check_vcpu_cpu(struct loader *ld, const char *path, const struct scn_host *h,
			   unsigned cpu)
{
	bool hotplug;
	unsigned sk = cpu_socket(h, cpu, &hotplug);

	if (hotplug)
		return fail(ld, path, "CPU %u of host \"%s\" is one of socket %u's \"hotplug_cpus\", "
			    "offline at t = 0; vCPUs run on CPUs online at t = 0", cpu, h->name, sk);
	return true;
}



/*
 * A list of CPUs of host h: "all" (every CPU in online, in index order) or an
 * array of distinct indices, each in online.  when says when online holds in
 * errors ("at t = 0"); by_events, that earlier events could have changed it.
 */
bool read_cpu_list(struct loader *ld, const struct node *v, const struct scn_host *h,
			  const struct cpu_set *online, const char *when, bool by_events,
			  unsigned *n, unsigned cpus[])
{
	char q[80], what[80];
	unsigned count = 0;

	if (cJSON_IsString(v->json)) {
		if (strcmp(v->json->valuestring, "all") != 0)
			return fail(ld, v->path, "expected %s, got %s", EXPECT_CPUS,
				    sim_quote(q, sizeof(q), v->json->valuestring));
		for (unsigned c = 0; c < h->ncpus; c++)
			if (cpu_set_has(online, c))
				cpus[count++] = c;
		*n = count;
		return true;
	}
	if (!cJSON_IsArray(v->json))
		return type_error(ld, v, EXPECT_CPUS);
	if (!read_array(ld, v, 1, h->ncpus, "CPU indices", n))
		return false;
	snprintf(what, sizeof(what), "a CPU index of host \"%s\"", h->name);
	for (unsigned i = 0; i < *n; i++) {
		struct node el;
		bool hotplug;

		node_element(v, i, &el);
		if (!read_uint(ld, &el, 0, h->ncpus - 1, what, &cpus[i]))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (cpus[j] == cpus[i])
				return fail(ld, el.path, "duplicate CPU %u (also %s/%u)", cpus[i],
					    v->path, j);
		if (!cpu_set_has(online, cpus[i]))
			return fail(ld, el.path, "CPU %u of host \"%s\" is offline %s: it is one of "
				    "socket %u's \"hotplug_cpus\"%s", cpus[i], h->name, when,
				    cpu_socket(h, cpus[i], &hotplug),
				    by_events ? ", not brought online by an earlier \"hotplug\" event"
				    : "");
	}
	return true;
}

/* The CPUs of h online at t = 0. */
void initial_online(const struct scn_host *h, struct cpu_set *set)
{
	memset(set, 0, sizeof(*set));
	for (unsigned c = 0; c < h->ncpus_online; c++)
		cpu_set_add(set, nth_online_cpu(h, c));
}
