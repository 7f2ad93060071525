/* placeholder until the module lands */
typedef int placeholder_kvm_t;
