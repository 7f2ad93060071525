/* Linux's TSC calibration against PIT channel 2: see tsc_calibrate.h. */
#include "sim/guest/tsc_calibrate.h"

#define PORT_CH2 0x42
#define PORT_CTRL 0x43
#define PORT_61 0x61
#define P61_OUT2 0x20
#define SMI_TRESHOLD 50000u           /* tsc_read_refs(): cycles, while tsc_khz is 0 */
#define MAX_RETRIES 5
#define PMTMR_TICKS_PER_SEC 3579545u
#define ACPI_PM_OVRRUN (1ULL << 24)

/* Gate high, speaker off; channel 2 mode 0, binary, LSB then MSB. */
static void start_ch2(struct guest_pio *g, unsigned latch)
{
	guest_outb(g, PORT_61, (uint8_t)((guest_inb(g, PORT_61) & ~0x02u) | 0x01u));
	guest_outb(g, PORT_CTRL, 0xb0);
	guest_outb(g, PORT_CH2, (uint8_t)(latch & 0xff));
	guest_outb(g, PORT_CH2, (uint8_t)(latch >> 8));
}

/* pit_verify_msb(): the LSB is read and ignored. */
static bool verify_msb(struct guest_pio *g, uint8_t val)
{
	guest_inb(g, PORT_CH2);
	return guest_inb(g, PORT_CH2) == val;
}

static bool expect_msb(struct guest_pio *g, uint8_t val, uint64_t *tscp, uint64_t *deltap)
{
	uint64_t tsc = 0, prev = 0;
	unsigned count;

	for (count = 0; count < 50000; count++) {
		if (!verify_msb(g, val))
			break;
		prev = tsc;
		tsc = guest_rdtsc(g);
	}
	*deltap = guest_rdtsc(g) - prev;
	*tscp = tsc;
	return count > 5;
}

uint64_t tsc_cal_quick(struct guest_pio *g, struct tsc_cal_result *r)
{
	uint64_t tsc, delta, d1, d2;
	unsigned i;

	start_ch2(g, 0xffff);
	verify_msb(g, 0);                 /* the count starts at the next CLK edge */
	if (!expect_msb(g, 0xff, &tsc, &d1))
		return 0;
	for (i = 1; i <= TSC_CAL_QUICK_ITERATIONS; i++) {
		if (!expect_msb(g, (uint8_t)(0xff - i), &delta, &d2))
			return 0;
		delta -= tsc;
		/* fail fast: the error would never get below 500 ppm */
		if (i == 1 && d1 + d2 >= (delta * TSC_CAL_QUICK_ITERATIONS) >> 11)
			return 0;
		if (d1 + d2 >= delta >> 11)
			continue;
		if (!verify_msb(g, (uint8_t)(0xfe - i)))
			return 0;
		r->quick = true;
		r->quick_steps = i;
		return (uint64_t)((sim_u128)delta * TSC_CAL_PIT_TICK_RATE / ((uint64_t)i * 256 * 1000));
	}
	return 0;
}

uint64_t tsc_cal_pit_run(struct guest_pio *g, unsigned latch, unsigned ms, unsigned loopmin,
			 struct tsc_cal_result *r)
{
	uint64_t tsc, t1, t2, delta, tscmin = UINT64_MAX, tscmax = 0;
	unsigned pitcnt = 0;
	sim_ps start;

	start_ch2(g, latch);
	tsc = t1 = t2 = guest_rdtsc(g);
	start = g->t;
	while ((guest_inb(g, PORT_61) & P61_OUT2) == 0) {
		t2 = guest_rdtsc(g);
		delta = t2 - tsc;
		tsc = t2;
		if (delta < tscmin)
			tscmin = delta;
		if (delta > tscmax)
			tscmax = delta;
		pitcnt++;
		if (g->t - start > TSC_CAL_HANG_PS) {
			r->hang = true;
			return UINT64_MAX;
		}
	}
	r->slow_runs++;
	if (pitcnt < loopmin || tscmax > 10 * tscmin)
		return UINT64_MAX;
	return (t2 - t1) / ms;
}

/* tsc_read_refs(): the reference between two TSC reads, retried when disturbed. */
static uint64_t read_refs(struct guest_pio *g, enum tsc_cal_ref ref, uint64_t *p)
{
	for (int i = 0; i < MAX_RETRIES; i++) {
		uint64_t t1 = guest_rdtsc(g), t2;

		if (ref == TSC_CAL_REF_HPET)
			*p = guest_readl(g, PLATFORM_HPET_BASE + HPET_MAIN_CNT);
		else
			*p = guest_inl(g, g->pf->params.pmtimer_port) & 0xffffff;
		t2 = guest_rdtsc(g);
		if (t2 - t1 < SMI_TRESHOLD)
			return t2;
	}
	return UINT64_MAX;
}

/* calc_hpet_ref() and calc_pmtimer_ref(): kHz from (tsc2 - tsc1) * 10^6 and the reference. */
static uint64_t ref_khz(struct guest_pio *g, enum tsc_cal_ref ref, uint64_t dtsc, uint64_t r1,
			uint64_t r2)
{
	uint64_t tmp;

	if (ref == TSC_CAL_REF_HPET) {
		uint64_t period_fs = guest_readl(g, PLATFORM_HPET_BASE + HPET_GCAP_ID + 4);

		if (r2 < r1)
			r2 += UINT64_C(0x100000000);
		tmp = (r2 - r1) * period_fs / 1000000;   /* ns */
	} else {
		if (r1 == 0 && r2 == 0)
			return UINT64_MAX;
		if (r2 < r1)
			r2 += ACPI_PM_OVRRUN;
		tmp = (r2 - r1) * 1000000000ULL / PMTMR_TICKS_PER_SEC;
	}
	return tmp ? dtsc / tmp : UINT64_MAX;
}

void tsc_calibrate_pit(struct guest_pio *g, bool skip_quick, enum tsc_cal_ref ref,
		       struct tsc_cal_result *r)
{
	uint64_t pit_min = UINT64_MAX, ref_min = UINT64_MAX;
	unsigned latch = TSC_CAL_LATCH, ms = TSC_CAL_MS, loopmin = TSC_CAL_LOOPS;

	*r = (struct tsc_cal_result){ .ref = ref, .start_ps = g->t };
	if (ref == TSC_CAL_REF_HPET) {
		/* hpet_enable() started the main counter before tsc_init() (x86_late_time_init) */
		uint32_t conf = guest_readl(g, PLATFORM_HPET_BASE + HPET_GEN_CONF);

		guest_writel(g, PLATFORM_HPET_BASE + HPET_GEN_CONF, conf | (uint32_t)HPET_ENABLE_CNF);
	}
	if (!skip_quick && (r->khz = tsc_cal_quick(g, r)) != 0)
		goto done;
	for (int i = 0; i < 3; i++) {
		uint64_t ref1 = 0, ref2 = 0, tsc1 = 0, tsc2 = 0, pit;

		if (ref != TSC_CAL_REF_NONE)
			tsc1 = read_refs(g, ref, &ref1);
		pit = tsc_cal_pit_run(g, latch, ms, loopmin, r);
		if (r->hang)
			goto done;
		if (ref != TSC_CAL_REF_NONE)
			tsc2 = read_refs(g, ref, &ref2);
		if (pit < pit_min)
			pit_min = pit;
		if (ref1 == ref2 || tsc1 == UINT64_MAX || tsc2 == UINT64_MAX)
			continue;
		tsc2 = ref_khz(g, ref, (tsc2 - tsc1) * 1000000, ref1, ref2);
		if (tsc2 < ref_min)
			ref_min = tsc2;
		/* within 10%: the reference is the more precise of the two */
		if (ref_min != UINT64_MAX && pit_min != UINT64_MAX &&
		    pit_min * 100 / ref_min >= 90 && pit_min * 100 / ref_min <= 110) {
			r->slow_pit_khz = pit_min;
			r->ref_used = true;
			r->khz = ref_min;
			goto done;
		}
		/* the PIT failed twice: a virtual PC gets a longer window (CAL2_*) */
		if (i == 1 && pit_min == UINT64_MAX) {
			latch = TSC_CAL2_LATCH;
			ms = TSC_CAL2_MS;
			loopmin = TSC_CAL2_LOOPS;
		}
	}
	/* No agreement: Linux takes the PIT's value (or the reference's alone) or gives up. */
	r->slow_pit_khz = pit_min == UINT64_MAX ? 0 : pit_min;
	if (pit_min != UINT64_MAX)
		r->khz = pit_min;
	else if (ref_min != UINT64_MAX)
		r->khz = ref_min, r->ref_used = true;
done:
	r->end_ps = g->t;
}

void tsc_calibrate_refine(struct guest_pio *g, enum tsc_cal_ref ref, struct tsc_cal_result *r)
{
	uint64_t ref_start = 0, ref_stop = 0, tsc_start = UINT64_MAX, tsc_stop = UINT64_MAX, freq;

	if (ref == TSC_CAL_REF_NONE || !r->khz)
		goto done;
	/* a disturbed read restarts the work (bounded here: Linux retries forever) */
	for (int i = 0; i < MAX_RETRIES && (tsc_start == UINT64_MAX || tsc_stop == UINT64_MAX); i++) {
		tsc_start = read_refs(g, ref, &ref_start);
		guest_delay(g, SIM_PS_PER_S);            /* schedule_delayed_work(.., HZ) */
		tsc_stop = read_refs(g, ref, &ref_stop);
		if (ref_start == ref_stop)
			goto done;                       /* no running reference */
	}
	if (tsc_start == UINT64_MAX || tsc_stop == UINT64_MAX)
		goto done;
	freq = ref_khz(g, ref, (tsc_stop - tsc_start) * 1000000, ref_start, ref_stop);
	/* within 1% of the calibration, or Linux keeps what it had */
	if (freq == UINT64_MAX || (freq > r->khz ? freq - r->khz : r->khz - freq) > r->khz / 100)
		goto done;
	r->refined = true;
	r->refine_khz = freq;
	r->khz = freq;
done:
	r->end_ps = g->t;
}
