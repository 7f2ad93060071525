/* placeholder until the module lands */
typedef int placeholder_report_t;
