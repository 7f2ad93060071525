/* "hosts": sockets, crystals, TSC features; CPU sets and host references. */
#include "sim/scenario/loader_internal.h"

#include <stdio.h>
#include <string.h>

#include "sim/core/units.h"

static const char *const host_keys[] = {
	"name", "tsc", "uptime", "realtime_error", "tsc_khz", "clocksource", "hpet",
	"hpet_crystal", "vendor", "sockets", "tsc_features", NULL,
};

static const char *const socket_keys[] = {
	"cpus", "crystal", "tsc_offset", "cpu_tsc_offsets", "crystal_wander", "wander_bound",
	"wander_step", "crystal_aging", "ssc", "hotplug_cpus", NULL,
};

static const char *const ssc_keys[] = { "mode", "spread", "modulation", NULL };

static const char *const tsc_features_keys[] = {
	"constant", "nonstop", "tsc_adjust", "arat", "rdtsc_window", "bios_sync_residual",
	"halted_pstate_erratum", "nonstop_s3", "apic_timer", "advertise", NULL,
};

/* Enumerations, in the order of their C enums. */
static const char *const clocksource_names[] = { "auto", "tsc", "hpet", NULL };

static const char *const vendor_names[] = { "intel", "amd", NULL };

static const char *const ssc_mode_names[] = { "down", "center", NULL };

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
	unsigned u = 0;

	if (!read_object(ld, o, ssc_keys))
		return false;
	ssc->enabled = true;
	if (!node_get(ld, o, "mode", true, &v) || !read_enum(ld, &v, ssc_mode_names, &u))
		return false;
	ssc->mode = (enum scn_ssc_mode)u;
	if (!node_get(ld, o, "spread", true, &v))
		return false;
	if (!read_fraction(ld, &v, 1, SSC_SPREAD_MAX_PPB, "a spread above 0% and at most 2%",
			   &spread))
		return false;
	if (spread % 1000)
		return fail(ld, v.path, "spread \"%s\" is not a whole number of ppm",
			    v.json->valuestring);
	ssc->spread_ppm = (uint32_t)(spread / 1000);
	ssc->modulation = sim_freq_hz(31500);
	return node_get(ld, o, "modulation", false, &v) &&
	       read_freq(ld, &v, 10000, 100000, "10kHz to 100kHz", &ssc->modulation);
}

static bool load_socket(struct loader *ld, const struct scn_host *h, const struct node *o,
			struct scn_socket *sk)
{
	struct node v;
	struct sim_freq f;
	char q[80], a[32];
	int64_t lo, hi;

	if (!read_object(ld, o, socket_keys))
		return false;
	if (!node_get(ld, o, "cpus", true, &v) ||
	    !read_uint(ld, &v, 1, SCN_MAX_CPUS_PER_SOCKET, "a CPU count", &sk->ncpus))
		return false;
	if (!node_get(ld, o, "crystal", false, &v) || !read_ppb(ld, &v, CRYSTAL_LIMIT_PPB,
							   &sk->crystal_ppb))
		return false;
	if (v.json && !sim_freq_scale_ppb(h->tsc, sk->crystal_ppb, &f))
		return fail(ld, v.path, "the TSC frequency with crystal %s is not representable",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	if (!node_get(ld, o, "tsc_offset", false, &v) || !read_signed_ps(ld, &v, &sk->tsc_offset_ps))
		return false;
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
	if (!node_get(ld, o, "crystal_wander", false, &v) ||
	    !read_ppb(ld, &v, WANDER_LIMIT_PPB, &sk->wander_ppb))
		return false;
	if (sk->wander_ppb < 0)
		return fail(ld, v.path, "expected a wander of at least 0ppb (per sqrt(s)), got %s",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	sk->wander_bound_ppb = 1000;
	if (!node_get(ld, o, "wander_bound", false, &v) ||
	    !read_ppb(ld, &v, CRYSTAL_LIMIT_PPB, &sk->wander_bound_ppb))
		return false;
	if (sk->wander_bound_ppb <= 0)
		return fail(ld, v.path, "expected a bound above 0ppb, got %s",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	sk->wander_step_ps = SIM_PS_PER_S;
	if (!node_get(ld, o, "wander_step", false, &v) || !read_duration_ps(ld, &v, &sk->wander_step_ps))
		return false;
	if (sk->wander_step_ps < SIM_PS_PER_MS)
		return fail(ld, v.path, "expected a step of at least 1ms, got %s",
			    fmt_ps(a, sizeof(a), 1, sk->wander_step_ps));
	if (!node_get(ld, o, "crystal_aging", false, &v) ||
	    !read_ppb(ld, &v, CRYSTAL_LIMIT_PPB, &sk->aging_ppb_per_day))
		return false;
	if (!node_get(ld, o, "ssc", false, &v) || (v.json && !load_ssc(ld, &v, &sk->ssc)))
		return false;
	if (!node_get(ld, o, "hotplug_cpus", false, &v) ||
	    !read_uint(ld, &v, 0, SCN_MAX_CPUS_PER_SOCKET, "a CPU count", &sk->hotplug_cpus))
		return false;
	if (sk->ncpus + sk->hotplug_cpus > SCN_MAX_CPUS_PER_SOCKET)
		return fail(ld, v.path, "expected at most %u hotplug CPUs (\"cpus\" is %u, and a "
			    "socket has at most %u CPUs), got %u", SCN_MAX_CPUS_PER_SOCKET - sk->ncpus,
			    sk->ncpus, SCN_MAX_CPUS_PER_SOCKET, sk->hotplug_cpus);
	crystal_envelope(ld->sc, sk, 0, &lo, &hi);
	return check_envelope(ld, o->path, h, lo, hi, "crystal, wander bound, aging over the run "
			      "and spread together");
}

static bool load_tsc_features(struct loader *ld, const struct node *o,
			      struct scn_tsc_features *tf)
{
	struct node v, adv;
	uint64_t x;

	tf->constant = tf->nonstop = tf->tsc_adjust = tf->arat = true;
	tf->apic_timer = sim_freq_hz(100000000);
	if (!o->json)
		return true;
	if (!read_object(ld, o, tsc_features_keys))
		return false;
	if (!node_get(ld, o, "constant", false, &v) || !read_bool(ld, &v, &tf->constant) ||
	    !node_get(ld, o, "nonstop", false, &v) || !read_bool(ld, &v, &tf->nonstop) ||
	    !node_get(ld, o, "tsc_adjust", false, &v) || !read_bool(ld, &v, &tf->tsc_adjust) ||
	    !node_get(ld, o, "arat", false, &v) || !read_bool(ld, &v, &tf->arat))
		return false;
	x = 0;
	if (!node_get(ld, o, "rdtsc_window", false, &v) ||
	    !read_int(ld, &v, 0, 1000000, "a number of TSC cycles", &x))
		return false;
	tf->rdtsc_window_cycles = (uint32_t)x;
	x = 0;
	if (!node_get(ld, o, "bios_sync_residual", false, &v) ||
	    !read_int(ld, &v, 0, 1000000000, "a number of TSC cycles", &x))
		return false;
	tf->bios_sync_residual_cycles = (uint32_t)x;
	if (!node_get(ld, o, "nonstop_s3", false, &v) || !read_bool(ld, &v, &tf->nonstop_s3))
		return false;
	if (!node_get(ld, o, "halted_pstate_erratum", false, &v) ||
	    !read_bool(ld, &v, &tf->halted_pstate_erratum))
		return false;
	if (!node_get(ld, o, "apic_timer", false, &v) ||
	    !read_freq(ld, &v, 1000000, 10000000000ULL, "1MHz to 10GHz", &tf->apic_timer))
		return false;
	if (!node_get(ld, o, "advertise", false, &adv))
		return false;
	if (!adv.json)
		return true;
	if (!read_object(ld, &adv, tsc_flag_names))
		return false;
	for (unsigned i = 0; i < SCN_TSC_FLAG_COUNT; i++) {
		bool b = false;

		if (!node_get(ld, &adv, tsc_flag_names[i], false, &v) || !read_bool(ld, &v, &b))
			return false;
		if (v.json)
			tf->advertise[i] = b ? SCN_TRUE : SCN_FALSE;
	}
	return true;
}

bool load_host(struct loader *ld, const struct node *o, unsigned idx)
{
	struct scenario *sc = ld->sc;
	struct scn_host *h = &sc->hosts[idx];
	struct node v, arr;
	struct sim_freq f;
	char q[80];
	unsigned u;

	if (!read_object(ld, o, host_keys))
		return false;
	keep_path(h->path, o->path);
	if (!node_get(ld, o, "name", true, &v) || !read_name(ld, &v, h->name, sizeof(h->name)))
		return false;
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(sc->hosts[i].name, h->name) == 0)
			return fail(ld, v.path, "duplicate host name %s (also /hosts/%u/name)",
				    sim_quote(q, sizeof(q), h->name), i);
	if (!node_get(ld, o, "tsc", true, &v) ||
	    !read_freq(ld, &v, 1000000, 100000000000ULL, "1MHz to 100GHz", &h->tsc))
		return false;
	if (!node_get(ld, o, "uptime", true, &v) || !read_duration_ns(ld, &v, &h->uptime_ns))
		return false;
	if (!node_get(ld, o, "realtime_error", false, &v) ||
	    !read_signed_ns(ld, &v, &h->realtime_error_ns))
		return false;
	if (h->realtime_error_ns < 0 &&
	    (uint64_t)-h->realtime_error_ns > sc->utc_start_ns)
		return fail(ld, v.path, "the host's clock would start before 1970");
	if (!node_get(ld, o, "tsc_khz", false, &v) ||
	    !read_int(ld, &v, 0, UINT32_MAX, "a TSC frequency in kHz", &h->tsc_khz))
		return false;
	u = h->clocksource;
	if (!node_get(ld, o, "clocksource", false, &v) || !read_enum(ld, &v, clocksource_names, &u))
		return false;
	h->clocksource = (enum scn_clocksource)u;
	h->hpet = sim_freq_hz(14318180);
	if (!node_get(ld, o, "hpet", false, &v) ||
	    !read_freq(ld, &v, 1000000, 1000000000, "1MHz to 1GHz", &h->hpet))
		return false;
	if (!node_get(ld, o, "hpet_crystal", false, &v) ||
	    !read_ppb(ld, &v, CRYSTAL_LIMIT_PPB, &h->hpet_crystal_ppb))
		return false;
	if (v.json && !sim_freq_scale_ppb(h->hpet, h->hpet_crystal_ppb, &f))
		return fail(ld, v.path, "the HPET frequency with crystal %s is not representable",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	u = h->svm;
	if (!node_get(ld, o, "vendor", false, &v) || !read_enum(ld, &v, vendor_names, &u))
		return false;
	h->svm = u == 1;
	if (!node_get(ld, o, "sockets", true, &arr) ||
	    !read_array(ld, &arr, 1, SCN_MAX_SOCKETS, "sockets", &h->nsockets))
		return false;
	for (unsigned i = 0; i < h->nsockets; i++) {
		struct scn_socket *sk = &h->sockets[i];
		struct node el;

		node_element(&arr, i, &el);
		if (!load_socket(ld, h, &el, sk))
			return false;
		sk->first_cpu = h->ncpus;
		h->ncpus += sk->ncpus + sk->hotplug_cpus;
		h->ncpus_online += sk->ncpus;
	}
	return node_get(ld, o, "tsc_features", false, &v) && load_tsc_features(ld, &v, &h->features);
}

/* Index of the host named by v (a string), listing the names on error. */
bool read_host_ref(struct loader *ld, const struct node *v, unsigned *out)
{
	const struct scenario *sc = ld->sc;
	char q[80], names[SCN_MAX_HOSTS * (SCN_NAME_MAX + 2)];
	const char *s = "";
	size_t n = 0;

	if (!read_str(ld, v, "a host name", &s))
		return false;
	for (unsigned i = 0; i < sc->nhosts; i++) {
		if (strcmp(sc->hosts[i].name, s) == 0) {
			*out = i;
			return true;
		}
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
				      sc->hosts[i].name);
	}
	return fail(ld, v->path, "unknown host %s; expected one of: %s", sim_quote(q, sizeof(q), s),
		    names);
}

/* The "host" key of o: a host name; absent, the only host (an error when there are several). */
bool read_host_or_only(struct loader *ld, const struct node *o, unsigned *out)
{
	const struct scenario *sc = ld->sc;
	char names[SCN_MAX_HOSTS * (SCN_NAME_MAX + 2)];
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
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
				      sc->hosts[i].name);
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
