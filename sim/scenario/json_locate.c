/* placeholder until the module lands */
typedef int placeholder_json_locate_t;
