/* placeholder until the module lands */
typedef int placeholder_oracle_t;
