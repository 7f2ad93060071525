/* placeholder until the module lands */
typedef int placeholder_simtime_t;
