/* placeholder until the module lands */
typedef int placeholder_rng_t;
