/*
 * PVCLK-DES v1 (shared/docs/perf-workload.md) on ns-3's own event engine:
 * every event is an ns3::Simulator::Schedule of a member (vCPU events) or
 * static (PIT) handler, ordered by ns-3's scheduler on (time, uid), where the
 * uid grows with every schedule call: the spec's (t, seq), FIFO among equal
 * times.  It prints the spec's checksum line; tools/bench/bench times it
 * against sim and the roofline (docs/performance.md, "ns-3").
 *
 *   ns3_pvclk [--scheduler=NAME] H C P_ns S_ms [SEED]
 *
 * NAME: priority (ns3::PriorityQueueScheduler, the default here), map
 * (ns3::MapScheduler, ns-3's own default), heap, calendar or list.
 *
 * Written from the spec text alone.  Time is ns-3's Time at its default
 * resolution, 1 ns (checked at start), so NanoSeconds() and
 * GetNanoSeconds() neither round nor scale.  Run until the queue is empty
 * (Simulator::Run, never Stop): the horizon rule ends the run.
 */
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <ns3/nstime.h>
#include <ns3/object-factory.h>
#include <ns3/simulator.h>

#include "pvclk.h"

namespace {

__extension__ typedef unsigned __int128 u128;

/* --scheduler names and ns-3's TypeIds for them. */
const struct {
	const char *name, *type_id;
} schedulers[] = {
	{ "priority", "ns3::PriorityQueueScheduler" },
	{ "map", "ns3::MapScheduler" },
	{ "heap", "ns3::HeapScheduler" },
	{ "calendar", "ns3::CalendarScheduler" },
	{ "list", "ns3::ListScheduler" },
};

struct Vcpu {
	uint64_t f_fp, tsc_off, rng;      /* TSC rate in cycles/ns, Q32.32; offset; jitter stream */
	uint64_t tsc_timestamp, system_time, vcpu_last;
	uint32_t version, mul;
	int32_t shift;
	uint32_t host;
};

struct Stats {
	uint64_t events, reads, irq_reads, retries, vcpu_viol, vm_viol, err_viol;
	uint64_t max_backstep, max_abs_err, sum, hash;
};

uint64_t now_ns()
{
	return (uint64_t)ns3::Simulator::Now().GetNanoSeconds();
}

uint64_t pit_tick_ns(uint64_t k)
{
	return (uint64_t)((u128)k * PVCLK_PIT_RELOAD * 1000000000u / PVCLK_PIT_HZ);
}

class Pvclk {
public:
	Pvclk(uint64_t H, uint64_t C, uint64_t P, uint64_t S_ms, uint64_t seed);
	void Start();
	void Print() const;
	uint64_t Events() const { return st_.events; }

private:
	/* A schedule call at absolute time t, skipped at or after the horizon. */
	template <typename F, typename... A> void At(uint64_t now, uint64_t t, F f, A... a)
	{
		if (t >= t_end_)
			return;
		ns3::Simulator::Schedule(ns3::NanoSeconds(t - now), f, a...);
	}
	uint64_t Tsc(const Vcpu &c, uint64_t t) const
	{
		return c.tsc_off + (uint64_t)(((u128)t * c.f_fp) >> 32);
	}
	bool GuestRead(Vcpu &c, uint64_t t);
	void Read(uint32_t v);
	void Irq(uint32_t v);
	void Begin(uint32_t v);
	void Commit(uint32_t v);
	static void Pit(Pvclk *w, uint64_t k);

	uint64_t H_, C_, P_, S_ms_, seed_, N_, J_, JH_, t_end_;
	std::vector<Vcpu> cpu_;
	std::vector<uint64_t> vm_last_;
	std::vector<uint32_t> host_mul_;
	std::vector<int32_t> host_shift_;
	Stats st_;
};

Pvclk::Pvclk(uint64_t H, uint64_t C, uint64_t P, uint64_t S_ms, uint64_t seed)
	: H_(H), C_(C), P_(P), S_ms_(S_ms), seed_(seed), N_(H * C), J_(P / 4), JH_(P / 4 / 2),
	  t_end_(S_ms * 1000000u), cpu_(H * C), vm_last_(H), host_mul_(H), host_shift_(H), st_()
{
	std::vector<int64_t> cal_ppm(H), ppm(N_);
	std::vector<uint64_t> skew(N_);

	pvclk_config(seed, H, N_, cal_ppm.data(), ppm.data(), skew.data());
	for (uint64_t h = 0; h < H; h++)
		pvclk_time_scale(1000000000u, PVCLK_F0_HZ + (uint64_t)(2500 * cal_ppm[h]),
				 &host_shift_[h], &host_mul_[h]);
	for (uint64_t v = 0; v < N_; v++) {
		Vcpu &c = cpu_[v];

		c.host = (uint32_t)(v / C);
		c.f_fp = (uint64_t)(((u128)(PVCLK_F0_HZ + (uint64_t)(2500 * ppm[v])) << 32) /
				    1000000000u);
		c.tsc_off = (c.host + 1) * 1000000000000ull + skew[v];
		c.rng = pvclk_splitmix64(seed + v);
		c.tsc_timestamp = c.tsc_off;
		c.mul = host_mul_[c.host];
		c.shift = host_shift_[c.host];
	}
	st_.hash = PVCLK_FNV_OFFSET;
}

/* The spec's initial schedule calls, in its order, at t = 0. */
void Pvclk::Start()
{
	At(0, pit_tick_ns(1), &Pvclk::Pit, this, (uint64_t)1);
	for (uint64_t v = 0; v < N_; v++) {
		At(0, 500000 + v * PVCLK_U_NS / N_, &Pvclk::Begin, this, (uint32_t)v);
		At(0, 100 + v * P_ / N_, &Pvclk::Read, this, (uint32_t)v);
	}
}

/* The pvclock reader with its checks; false: the version was odd, retry. */
bool Pvclk::GuestRead(Vcpu &c, uint64_t t)
{
	uint64_t delta, raw, e, &vm_last = vm_last_[c.host];
	int64_t d;

	if (c.version & 1) {
		st_.retries++;
		return false;
	}
	delta = Tsc(c, t) - c.tsc_timestamp;
	delta = c.shift < 0 ? delta >> -c.shift : delta << c.shift;
	raw = c.system_time + (uint64_t)(((u128)delta * c.mul) >> 32);
	d = (int64_t)(raw - t);
	e = d < 0 ? -(uint64_t)d : (uint64_t)d;
	if (e > PVCLK_ERR_BOUND_NS)
		st_.err_viol++;
	if (e > st_.max_abs_err)
		st_.max_abs_err = e;
	if (raw < c.vcpu_last)
		st_.vcpu_viol++;
	c.vcpu_last = raw;
	if (raw < vm_last) {
		st_.vm_viol++;
		if (vm_last - raw > st_.max_backstep)
			st_.max_backstep = vm_last - raw;
	} else {
		vm_last = raw;
	}
	st_.sum += raw;
	st_.hash = (st_.hash ^ raw) * PVCLK_FNV_PRIME;
	return true;
}

void Pvclk::Read(uint32_t v)
{
	uint64_t t = now_ns();
	Vcpu &c = cpu_[v];

	st_.events++;
	if (!GuestRead(c, t)) {
		At(t, t + PVCLK_RETRY_NS, &Pvclk::Read, this, v);
		return;
	}
	st_.reads++;
	c.rng = pvclk_xorshift64(c.rng);
	At(t, t + P_ - JH_ + c.rng % (J_ + 1), &Pvclk::Read, this, v);
}

void Pvclk::Irq(uint32_t v)
{
	uint64_t t = now_ns();

	st_.events++;
	if (!GuestRead(cpu_[v], t))
		At(t, t + PVCLK_RETRY_NS, &Pvclk::Irq, this, v);
	else
		st_.irq_reads++;
}

void Pvclk::Begin(uint32_t v)
{
	uint64_t t = now_ns();

	st_.events++;
	cpu_[v].version++;
	At(t, t + PVCLK_W_NS, &Pvclk::Commit, this, v);
}

void Pvclk::Commit(uint32_t v)
{
	uint64_t t = now_ns();
	Vcpu &c = cpu_[v];

	st_.events++;
	c.tsc_timestamp = Tsc(c, t);
	c.system_time = t;
	c.mul = host_mul_[c.host];
	c.shift = host_shift_[c.host];
	c.version++;
	At(t, t - PVCLK_W_NS + PVCLK_U_NS, &Pvclk::Begin, this, v);
}

void Pvclk::Pit(Pvclk *w, uint64_t k)
{
	uint64_t t = now_ns();

	w->st_.events++;
	w->At(t, t + PVCLK_IRQ_LAT_NS, &Pvclk::Irq, w, (uint32_t)((k - 1) % w->N_));
	w->At(t, pit_tick_ns(k + 1), &Pvclk::Pit, w, k + 1);
}

void Pvclk::Print() const
{
	std::printf("PVCLK1 H=%" PRIu64 " C=%" PRIu64 " P=%" PRIu64 " S_ms=%" PRIu64
		    " seed=%" PRIu64 " events=%" PRIu64 " reads=%" PRIu64 " irq_reads=%" PRIu64
		    " retries=%" PRIu64 " vcpu_viol=%" PRIu64 " vm_viol=%" PRIu64
		    " err_viol=%" PRIu64 " max_backstep=%" PRIu64 " max_abs_err=%" PRIu64
		    " sum=%016" PRIx64 " hash=%016" PRIx64 " vmlast0=%" PRIu64 " vlastN=%" PRIu64
		    "\n",
		    H_, C_, P_, S_ms_, seed_, st_.events, st_.reads, st_.irq_reads, st_.retries,
		    st_.vcpu_viol, st_.vm_viol, st_.err_viol, st_.max_backstep, st_.max_abs_err,
		    st_.sum, st_.hash, vm_last_[0], cpu_[N_ - 1].vcpu_last);
}

int usage()
{
	std::fprintf(stderr, "usage: ns3_pvclk [--scheduler=priority|map|heap|calendar|list] "
			     "H C P_ns S_ms [SEED]  (H, C >= 1; H*C <= 10^7; P >= 4 ns; "
			     "S_ms <= 10^9)\n");
	return 2;
}

} // namespace

int main(int argc, char **argv)
{
	const char *type_id = schedulers[0].type_id;
	uint64_t num[5] = { 0, 0, 0, 0, 42 };
	int n = 0;

	for (int i = 1; i < argc; i++) {
		if (!std::strncmp(argv[i], "--scheduler=", 12)) {
			type_id = nullptr;
			for (const auto &s : schedulers)
				if (!std::strcmp(argv[i] + 12, s.name))
					type_id = s.type_id;
			if (!type_id) {
				std::fprintf(stderr, "ns3_pvclk: unknown scheduler '%s'\n",
					     argv[i] + 12);
				return usage();
			}
		} else if (n == 5 || !pvclk_parse_u64(argv[i], &num[n++])) {
			return usage();
		}
	}
	uint64_t H = num[0], C = num[1], P = num[2], S_ms = num[3], seed = num[4];
	if (n < 4 || H == 0 || C == 0 || P < 4 || H > 1000000 || C > 1000000 ||
	    H * C > 10000000 || S_ms > 1000000000)
		return usage();

	/* ns-3's Time counts its resolution unit; at 1 ns, no conversion rounds. */
	if (ns3::Time::GetResolution() != ns3::Time::NS ||
	    ns3::NanoSeconds(1).GetTimeStep() != 1) {
		std::fprintf(stderr, "ns3_pvclk: ns-3's Time resolution is not 1 ns\n");
		return 1;
	}
	ns3::ObjectFactory factory;
	factory.SetTypeId(type_id);
	ns3::Simulator::SetScheduler(factory);

	Pvclk w(H, C, P, S_ms, seed);
	w.Start();
	ns3::Simulator::Run();
	/* every handler the workload counted was one ns-3 event, and no other ran */
	if (ns3::Simulator::GetEventCount() != w.Events()) {
		std::fprintf(stderr, "ns3_pvclk: ns-3 ran %" PRIu64 " events, the workload %" PRIu64
				     "\n", ns3::Simulator::GetEventCount(), w.Events());
		return 1;
	}
	w.Print();
	ns3::Simulator::Destroy();
	return 0;
}
