/* placeholder until the module lands */
typedef int placeholder_machine_t;
