/* placeholder until the module lands */
typedef int placeholder_pvclock_t;
