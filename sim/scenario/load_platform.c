/* "platform": the board's timer devices. */
#include "sim/scenario/loader_internal.h"

#include <inttypes.h>
#include <stdio.h>

static const char *const platform_keys[] = { "hpet", "pmtimer", "rtc", "access_cost", NULL };

static const char *const hpet_keys[] = { "frequency", "timers", "counter_bits", NULL };

static const char *const pmtimer_keys[] = { "port", "bits", NULL };

static const char *const rtc_keys[] = { "base", NULL };

/* Ports of the other devices, which the PM timer's 4 ports must not overlap. */
static const struct {
	unsigned first, last;
	const char *what;
} fixed_ports[] = {
	{ 0x40, 0x43, "the PIT's ports 0x40-0x43" },
	{ 0x61, 0x61, "the PIT's port 0x61" },
	{ 0x70, 0x71, "the RTC's ports 0x70-0x71" },
};

/* ---- platform ---- */

/* "port": an integer or a string such as "0x608", in [0, 0xfffc], clear of the other devices. */
static bool read_pmtimer_port(struct loader *ld, const struct node *v, unsigned *out)
{
	uint64_t x = 0;

	if (!v->json)
		return true;
	if (!read_u64(ld, v, "a port (the first of the PM timer's 4)", PORT_MAX, &x))
		return false;
	for (size_t i = 0; i < sizeof(fixed_ports) / sizeof(fixed_ports[0]); i++)
		if (x <= fixed_ports[i].last && x + 3 >= fixed_ports[i].first)
			return fail(ld, v->path,
				    "the PM timer's ports 0x%" PRIx64 "-0x%" PRIx64 " overlap %s",
				    x, x + 3, fixed_ports[i].what);
	*out = (unsigned)x;
	return true;
}

static bool load_hpet(struct loader *ld, const struct node *o, struct scn_hpet *h)
{
	struct node v;

	if (!read_object(ld, o, hpet_keys))
		return false;
	if (!node_get(ld, o, "frequency", false, &v) ||
	    !read_freq(ld, &v, 1000000, 1000000000, "1MHz to 1GHz", &h->frequency))
		return false;
	if (!node_get(ld, o, "timers", false, &v) ||
	    !read_uint(ld, &v, 3, 32, "a number of comparators", &h->timers))
		return false;
	if (!node_get(ld, o, "counter_bits", false, &v) ||
	    !read_either(ld, &v, 32, 64, "a counter width in bits", &h->counter_bits))
		return false;
	return true;
}

bool load_platform(struct loader *ld, const struct node *o)
{
	struct scn_platform *p = &ld->sc->platform;
	struct node v, dev;

	p->hpet.frequency = sim_freq_hz(HPET_FREQ_DEFAULT_HZ);
	p->hpet.timers = 3;
	p->hpet.counter_bits = 64;
	p->pmtimer.port = PMTIMER_PORT_DEFAULT;
	p->pmtimer.bits = 24;
	p->rtc.base_ns = ld->sc->utc_start_ns;
	if (!o->json)
		return true;
	if (!read_object(ld, o, platform_keys))
		return false;

	if (!node_get(ld, o, "hpet", false, &dev))
		return false;
	if (dev.json && !load_hpet(ld, &dev, &p->hpet))
		return false;

	if (!node_get(ld, o, "pmtimer", false, &dev))
		return false;
	if (dev.json) {
		if (!read_object(ld, &dev, pmtimer_keys))
			return false;
		if (!node_get(ld, &dev, "port", false, &v) || !read_pmtimer_port(ld, &v, &p->pmtimer.port))
			return false;
		if (!node_get(ld, &dev, "bits", false, &v) ||
		    !read_either(ld, &v, 24, 32, "a counter width in bits", &p->pmtimer.bits))
			return false;
	}

	if (!node_get(ld, o, "rtc", false, &dev))
		return false;
	if (dev.json) {
		if (!read_object(ld, &dev, rtc_keys))
			return false;
		if (!node_get(ld, &dev, "base", false, &v) || !read_utc_start(ld, &v, &p->rtc.base_ns))
			return false;
	}

	if (!node_get(ld, o, "access_cost", false, &dev))
		return false;
	if (dev.json) {
		if (!read_object(ld, &dev, device_names))
			return false;
		for (unsigned d = 0; d < SCN_DEV_COUNT; d++) {
			if (!node_get(ld, &dev, device_names[d], false, &v) ||
			    !read_duration_ps(ld, &v, &p->cost_ps[d]))
				return false;
			p->has_cost[d] = v.json != NULL;
		}
	}
	return true;
}
