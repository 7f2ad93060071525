/* placeholder until the module lands */
typedef int placeholder_units_t;
