/* placeholder until the module lands */
typedef int placeholder_host_t;
