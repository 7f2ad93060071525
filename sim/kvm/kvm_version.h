/*
 * The KVM versions whose clock behaviour sim models, as one list: the
 * scenario's "vm.kvm_version" names one, the KVM model branches on it where
 * versions differ (docs/architecture.md lists the differences).  Header-only,
 * so that the plain-data scenario model can name a version.
 *
 * X(ID, "name"), oldest first.  They differ in kvm_track_tsc_matching()
 * (6.7, c52ffadc65e2) and in kvm_synchronize_tsc()'s one-second slop on user
 * space's first TSC write (6.7, bf328e22e472: kvm->arch.user_set_tsc); the
 * global clock update on a vCPU's first load is the same in both.
 */
#ifndef SIM_KVM_KVM_VERSION_H
#define SIM_KVM_KVM_VERSION_H

#define KVM_VERSIONS(X)                                  \
	X(KVM_VERSION_6_1, "6.1")                        \
	X(KVM_VERSION_6_12, "6.12")

enum kvm_version {
#define KVM_VERSION_ENUM(id, name) id,
	KVM_VERSIONS(KVM_VERSION_ENUM)
#undef KVM_VERSION_ENUM
	KVM_VERSION_COUNT
};

/*
 * vCPUs per VM, KVM_MAX_VCPUS, the same in every version modelled: 1024 in
 * 6.1 (arch/x86/include/asm/kvm_host.h); in 6.12 it is
 * CONFIG_KVM_MAX_NR_VCPUS (arch/x86/kvm/Kconfig), whose default is 1024
 * (4096 only with MAXSMP).
 */
#define KVM_MAX_VCPUS_MODELLED 1024

/* What a scenario without "kvm_version" models. */
#define KVM_VERSION_DEFAULT KVM_VERSION_6_12
#define KVM_VERSION_DEFAULT_NAME "6.12"

#define KVM_VERSION_NAME_ITEM(id, name) name,
#define KVM_VERSION_NAMES_INIT { KVM_VERSIONS(KVM_VERSION_NAME_ITEM) NULL }

static inline const char *kvm_version_name(enum kvm_version v)
{
	static const char *const names[] = KVM_VERSION_NAMES_INIT;

	_Static_assert(sizeof(names) / sizeof(names[0]) == KVM_VERSION_COUNT + 1,
		       "one name per KVM version");
	return (unsigned)v < KVM_VERSION_COUNT ? names[v] : "?";
}

#endif
