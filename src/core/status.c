/* Status table: names and texts from LIMN_STATUS_MAP. */
#include "internal.h"

const char *limn_status_name(int status) {
  switch (status) {
#define LIMN__NAME(name, val, str)                                                                           \
  case (val):                                                                                                \
    return "LIMN_" #name;
    LIMN_STATUS_MAP(LIMN__NAME)
#undef LIMN__NAME
  default:
    return "LIMN_UNKNOWN";
  }
}

const char *limn_status_str(int status) {
  switch (status) {
#define LIMN__STR(name, val, str)                                                                            \
  case (val):                                                                                                \
    return str;
    LIMN_STATUS_MAP(LIMN__STR)
#undef LIMN__STR
  default:
    return "unknown status";
  }
}

const char *limn_version(void) { return LIMN_VERSION_STRING; }

long limn__name_index(const char *name, const char *const *names, size_t n) {
  for (size_t i = 0; name && i < n; i++)
    if (!strcmp(name, names[i]))
      return (long)i;
  return -1;
}
