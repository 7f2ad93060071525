/* placeholder until the module lands */
typedef int placeholder_tsc_t;
