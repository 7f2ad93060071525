/* placeholder until the module lands */
typedef int placeholder_loader_t;
