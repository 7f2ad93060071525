/*
 * The guest kernel's clock IDs, as Linux's timekeeping derives them
 * (kernel/time/timekeeping.c) from the clocksource it runs on:
 *
 * - "kvm-clock": pvclock_clocksource_read() on the reader's vCPU, with the
 *   guest-wide last_value guard unless the stable bit is trusted (the vDSO
 *   reads the page without a guard only then; otherwise clock_gettime falls
 *   back to the syscall, which guards);
 * - "tsc": the guest's tsc clocksource, its kHz taken from kvmclock at boot,
 *   anchored once on the boot CPU's (vCPU 0's) TSC and kvmclock: one
 *   timekeeper for every vCPU, so a vCPU whose TSC is behind vCPU 0's reads
 *   time behind.  A TSC below the anchor reads as the anchor, as
 *   clocksource_delta() turns a negative delta into 0.  (Model: the anchor
 *   is never advanced by ticks; cycle_last stays the boot value.)
 *
 * From the clocksource's ns (cs):
 *   MONOTONIC_RAW = cs (kvmclock counts from the VM's creation, the guest's boot);
 *   MONOTONIC     = anchor + (cs - anchor) * (1 + ntp_freq), NTP's frequency
 *                   correction applied since t = 0 (adjtimex ADJ_FREQUENCY);
 *   BOOTTIME      = MONOTONIC + the time the guest knows it was suspended:
 *                   0 here (a VM stopped by its VMM never suspended itself);
 *   REALTIME      = MONOTONIC + the offset set from the wall clock.
 *
 * The wall clock: at boot Linux reads MSR_KVM_WALL_CLOCK_NEW's page through
 * kvm_get_wallclock() -> pvclock_read_wallclock(): the page's wall time at
 * kvmclock 0 plus kvmclock now.  Linux never reads it again while running
 * (only on the guest's own resume from suspend), and KVM fills the page only
 * when the MSR is written (sim/kvm/wall_clock.h): a restored guest's
 * REALTIME is off by whatever kvmclock did not advance.  With
 * wall_clock_every_ps the guest writes and reads the MSR again at that
 * period (OSv's fix for osv #1015; a guest agent's resync behaves alike):
 * the first read at or after each instant steps REALTIME to host realtime.
 * Model: the boot read happens at t = 0 (the scenario's start), not at the
 * VM's creation; host realtime and kvmclock run alike before t = 0.
 */
#include "sim/guest/kinds/kind.h"

#include "sim/kvm/wall_clock.h"

/* kvmclock as KVM computes it at `now` (get_kvmclock_ns()). */
static uint64_t kvmclock_ns(const struct guest_reader *r, sim_ps now)
{
	struct kvm_clock_data d;

	kvm_get_clock(r->vm, now, &d);
	return d.clock;
}

/*
 * pvclock_read_wallclock(): the MSR is written (KVM fills the page), then
 * the guest adds its vCPU's kvmclock.  The wall time in ns.
 */
static uint64_t read_wall_clock(struct guest_reader *r, sim_ps now, uint64_t kvmclock)
{
	struct pvclock_wall_clock wc = { 0 };

	kvm_write_wall_clock(r->vm, now, &wc);
	r->wall_reads++;
	return pvclock_wall_clock_ns(&wc) + kvmclock;
}

/* MONOTONIC from the clocksource's ns: NTP's frequency correction applied since the anchor. */
static uint64_t mono_of(const struct guest_reader *r, uint64_t cs_ns)
{
	sim_i128 d = (sim_i128)cs_ns - (sim_i128)r->cs_anchor_ns;
	sim_i128 v = (sim_i128)r->cs_anchor_ns + d + d * r->p.ntp_freq_ppb / (sim_i128)SIM_NS_PER_S;

	return v < 0 ? 0 : (uint64_t)v;
}

static bool clock_id_init(struct guest_reader *r, sim_ps now, struct sim_diag *err)
{
	struct kvm_vcpu *boot_cpu;
	uint64_t boot_kvmclock;

	if (!r->vm)
		return sim_diag_fail(err, "reader %s: a clock ID is read in a VM", r->name);
	boot_cpu = &r->vm->vcpus[0];
	boot_kvmclock = kvmclock_ns(r, now);
	if (r->p.clocksource_tsc) {
		if (!guest_tsc_khz(r, err))
			return false;
		clocksource_init_freq(&r->cs, UINT64_MAX, 1000, (uint32_t)r->tsc_khz);
		/* the timekeeper switched to tsc on the boot CPU, at kvmclock's reading then */
		r->boot_tsc = kvm_vcpu_guest_tsc(boot_cpu, now);
		r->boot_ns = boot_kvmclock;
	}
	r->cs_anchor_ns = boot_kvmclock;
	r->realtime_off_ns = (int64_t)(read_wall_clock(r, now, boot_kvmclock) - boot_kvmclock);
	r->wall_next_ps = r->p.wall_clock_every_ps ? now + r->p.wall_clock_every_ps : SIM_NEVER;
	return true;
}

static void clock_id_begin(struct guest_reader *r, sim_ps now)
{
	if (!r->p.clocksource_tsc)
		guest_pvclock_begin(r, now);
}

/* The clocksource's ns at `now`; false: the pvclock version changed, retry. */
static bool cs_read(struct guest_reader *r, sim_ps now, uint64_t *ns)
{
	uint64_t tsc;

	if (!r->p.clocksource_tsc)
		return guest_pvclock_finish(r, now, ns);
	tsc = guest_reader_rdtsc(r, now);
	*ns = tsc < r->boot_tsc ? r->boot_ns :
	      r->boot_ns + clocksource_cyc2ns(&r->cs, tsc - r->boot_tsc);
	return true;
}

static bool monotonic_raw_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	return cs_read(r, now, value_ns);
}

static bool monotonic_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	uint64_t cs;

	if (!cs_read(r, now, &cs))
		return false;
	*value_ns = mono_of(r, cs);
	return true;
}

static bool realtime_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	uint64_t cs, mono;
	sim_i128 v;

	if (!cs_read(r, now, &cs))
		return false;
	mono = mono_of(r, cs);
	if (now >= r->wall_next_ps) {
		/* the guest's periodic refresh: REALTIME := wall page + this vCPU's kvmclock */
		uint64_t kvmclock = guest_kvmclock_now(r, now);

		r->realtime_off_ns = (int64_t)(read_wall_clock(r, now, kvmclock) - mono);
		r->wall_next_ps += ((now - r->wall_next_ps) / r->p.wall_clock_every_ps + 1) *
				   r->p.wall_clock_every_ps;
	}
	v = (sim_i128)mono + r->realtime_off_ns;
	*value_ns = v < 0 ? 0 : (uint64_t)v;
	return true;
}

const struct reader_kind_ops reader_kind_monotonic = {
	.init = clock_id_init,
	.begin = clock_id_begin,
	.finish = monotonic_finish,
};

const struct reader_kind_ops reader_kind_monotonic_raw = {
	.init = clock_id_init,
	.begin = clock_id_begin,
	.finish = monotonic_raw_finish,
};

const struct reader_kind_ops reader_kind_realtime = {
	.init = clock_id_init,
	.begin = clock_id_begin,
	.finish = realtime_finish,
};

/* No suspend the guest knows of: BOOTTIME reads as MONOTONIC. */
const struct reader_kind_ops reader_kind_boottime = {
	.init = clock_id_init,
	.begin = clock_id_begin,
	.finish = monotonic_finish,
};
