/* placeholder until the module lands */
typedef int placeholder_clocksource_t;
