/* placeholder until the module lands */
typedef int placeholder_reader_t;
