/*
 * sim's plugin ABI: run someone else's pvclock writer, guest clock reader or
 * device model inside a scenario (docs/plugins.md).
 *
 * A plugin is a shared object that exports one function, SIM_PLUGIN_ENTRY
 * ("sim_plugin_entry"), returning a pointer to a constant descriptor.  The
 * descriptor says which ABI it was built for (abi_version), the oldest ABI
 * it still works with (min_abi_version), its name, and up to three parts;
 * a part it leaves NULL stays sim's own model.  sim accepts a plugin when
 * the two version ranges meet: min_abi_version <= SIM_PLUGIN_ABI_VERSION
 * and abi_version >= SIM_PLUGIN_ABI_MIN_VERSION.
 *
 * Rules for plugin code (docs/plugins.md, "What a plugin may call"):
 *  - it calls nothing of sim's but the callbacks it is handed, and only
 *    during the call that handed them;
 *  - it is called from one thread, never reentered, and must not keep
 *    pointers to the structs it is given past the call;
 *  - it gets no wall clock and no randomness: the same inputs must give
 *    the same outputs, or the run is not reproducible;
 *  - it must return: sim guards against crashes (SIGSEGV, SIGBUS, SIGFPE,
 *    SIGILL) and garbage, not against a call that never returns.
 *
 * Plain C11, no dependency but <stdint.h>: build a plugin with
 *   cc $(pkg-config --cflags sim-plugin) -shared -fPIC -o my.so my.c
 */
#ifndef SIM_PLUGIN_H
#define SIM_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes, and the oldest one this sim still loads. */
#define SIM_PLUGIN_ABI_VERSION 1u
#define SIM_PLUGIN_ABI_MIN_VERSION 1u

/* The one symbol sim looks up. */
#define SIM_PLUGIN_ENTRY "sim_plugin_entry"

/* What a part's call returns. */
enum sim_plugin_status {
	SIM_PLUGIN_OK = 0,
	SIM_PLUGIN_RETRY = 1,     /* guest reader only: the page changed under it, read again */
	SIM_PLUGIN_ERROR = 2,     /* the plugin refuses: sim stops the run and names the event */
};

/*
 * The per-vCPU kvmclock page, with the field order and sizes of Linux's
 * struct pvclock_vcpu_time_info (arch/x86/include/asm/pvclock-abi.h; the
 * guest ABI of MSR_KVM_SYSTEM_TIME_NEW, Documentation/virt/kvm/x86/msr.rst).
 */
struct sim_pvclock_page {
	uint32_t version;           /* odd while the host writes it, even once consistent */
	uint32_t pad0;
	uint64_t tsc_timestamp;     /* guest TSC at the update */
	uint64_t system_time;       /* guest kvmclock ns at the update */
	uint32_t tsc_to_system_mul; /* 32.32 fixed point, after tsc_shift */
	int8_t tsc_shift;           /* in [-32, 32]: delta <<= shift (>> -shift when negative) */
	uint8_t flags;              /* SIM_PVCLOCK_* */
	uint8_t pad[2];
};

#define SIM_PVCLOCK_TSC_STABLE_BIT 0x01u
#define SIM_PVCLOCK_GUEST_STOPPED 0x02u

/* ---- part 1: the pvclock host writer (KVM's kvm_guest_time_update()) ---- */

/*
 * Everything KVM reads when it writes one vCPU's page.  Integers are as
 * KVM holds them: the guest TSC of a host TSC value is
 *   ((host_tsc * tsc_scaling_ratio) >> tsc_scaling_frac_bits) + tsc_offset
 * (mod 2^64; no multiplication when the ratio is 1 << frac_bits).
 */
struct sim_pvclock_writer_in {
	uint32_t size;              /* sizeof(struct sim_pvclock_writer_in) as sim built it */
	uint32_t vcpu;
	uint64_t sim_time_ps;       /* the simulated instant (for messages; not a clock to use) */
	uint64_t host_tsc;          /* host TSC of the vCPU's pCPU, now */
	uint64_t host_clock_ns;     /* the host clock kvmclock is anchored to, now */
	uint64_t host_tsc_khz;      /* the host's TSC rate as KVM knows it */
	int64_t kvmclock_offset;    /* kvmclock = host clock + this (u64 wrap) */
	int64_t tsc_offset;         /* the vCPU's TSC offset (after any catch-up step) */
	uint64_t tsc_scaling_ratio; /* fixed point, tsc_scaling_frac_bits fraction bits */
	uint32_t tsc_scaling_frac_bits; /* 48 (VMX) or 32 (SVM) */
	uint32_t use_master_clock;  /* 1: KVM's master clock is on (ka->use_master_clock) */
	uint64_t master_cycle_now;  /* its host TSC ... */
	uint64_t master_kernel_ns;  /* ... and host clock ns */
	uint64_t virtual_tsc_khz;   /* the rate the guest was told (KVM_SET_TSC_KHZ) */
	uint32_t set_guest_stopped; /* KVM_KVMCLOCK_CTRL asked for PVCLOCK_GUEST_STOPPED */
	/*
	 * The scenario's hypervisor bug knobs (docs/scenario-format.md, "vm"),
	 * which sim's own writer applies: set the stable bit whatever the
	 * master clock says; write this vCPU's system_time this far behind.
	 * A writer that wants sim's verdicts on such scenarios applies them too.
	 */
	uint32_t knob_stable_bit_always;
	uint32_t pad0;
	uint64_t knob_system_time_lag_ns;
	struct sim_pvclock_page prev;   /* the page as the guest has it now */
};

struct sim_plugin_pvclock_writer {
	/*
	 * Fill *page for the vCPU described by *in.  *page starts as a copy of
	 * in->prev; leave its version even and different from prev's, as KVM
	 * does (two increments around the update).  Return SIM_PLUGIN_OK, or
	 * SIM_PLUGIN_ERROR to stop the run.
	 */
	int (*write)(void *state, const struct sim_pvclock_writer_in *in,
		     struct sim_pvclock_page *page);
};

/* ---- part 2: the guest clock reader (Linux's pvclock_clocksource_read()) ---- */

/* CPUID bits the guest sees. */
#define SIM_CPUID_KVM_CLOCKSOURCE_STABLE_BIT 0x01u  /* CPUID 0x40000001 EAX bit 24 */

/*
 * One read attempt.  page is what the guest read from its page, field by
 * field, during the attempt: when the host rewrote the page meanwhile, the
 * fields up to tsc_timestamp are the old page's and the rest the new one's
 * (the version read first is the old one).  Only version_now() tells: it
 * returns the version as the guest reads it again after its RDTSC.
 */
struct sim_plugin_guest_env {
	uint32_t size;              /* sizeof(struct sim_plugin_guest_env) as sim built it */
	uint32_t vcpu;
	uint32_t cpuid;             /* SIM_CPUID_* */
	uint32_t pad0;
	const struct sim_pvclock_page *page;
	uint64_t *last_value;       /* guest-wide word (Linux's last_value), shared by every read */
	void *cb;                   /* pass to the callbacks */
	uint64_t (*rdtsc)(void *cb);        /* the guest's RDTSC at the end of the attempt */
	uint32_t (*version_now)(void *cb);  /* the page's version, read again after RDTSC */
	uint64_t *guard_raises;     /* add 1 for a read the last_value guard raised (the
				       report's "raised by the guard"); may be left alone */
};

struct sim_plugin_guest_reader {
	/*
	 * Store the kvmclock ns in *ns and return SIM_PLUGIN_OK, or return
	 * SIM_PLUGIN_RETRY for another attempt (sim gives up after 1000
	 * attempts of one read: docs/plugins.md), or SIM_PLUGIN_ERROR.
	 */
	int (*read)(void *state, const struct sim_plugin_guest_env *env, uint64_t *ns);
};

/* ---- part 3: a device model, replacing one of the board's devices ---- */

struct sim_plugin_device_env {
	uint32_t size;              /* sizeof(struct sim_plugin_device_env) as sim built it */
	uint32_t pad0;
	uint64_t port_base;         /* where sim maps the region (port or MMIO address) */
	uint64_t len;               /* its length in bytes */
	void *cb;                   /* pass to set_irq */
	/* Drive the device's interrupt line (during read or write only). */
	void (*set_irq)(void *cb, int level, uint64_t now_ps);
};

struct sim_plugin_device {
	const char *replaces;       /* the board device it stands for: "pmtimer" */
	/* The register region: offset < len, size 1, 2 or 4 bytes; now in ps. */
	uint64_t (*read)(void *state, uint64_t offset, unsigned size, uint64_t now_ps);
	void (*write)(void *state, uint64_t offset, uint64_t value, unsigned size, uint64_t now_ps);
	/* When its next own event fires, UINT64_MAX when none (may be NULL). */
	uint64_t (*next_deadline_ps)(void *state);
	/* Called once before any access (may be NULL): keep env's cb and set_irq. */
	int (*attach)(void *state, const struct sim_plugin_device_env *env);
};

/* ---- the descriptor ---- */

struct sim_plugin_descriptor {
	uint32_t abi_version;       /* SIM_PLUGIN_ABI_VERSION of the header it was built with */
	uint32_t min_abi_version;   /* the oldest sim ABI it works with */
	const char *name;           /* shown in reports and errors */
	void *(*create)(void);      /* per-run state handed to every call (NULL: none) */
	void (*destroy)(void *state);
	const struct sim_plugin_pvclock_writer *pvclock_writer;
	const struct sim_plugin_guest_reader *guest_reader;
	const struct sim_plugin_device *device;
};

typedef const struct sim_plugin_descriptor *sim_plugin_entry_fn(void);

#ifdef __cplusplus
}
#endif

#endif
