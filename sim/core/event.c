/* placeholder until the module lands */
typedef int placeholder_event_t;
