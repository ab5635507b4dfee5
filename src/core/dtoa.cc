// Shortest round-trip digits of a double or a float, by Google's double-conversion
// (Debian's libdouble-conversion-dev): the one C++ file of the library, behind a C
// function. ctx.c spells the digits as printf's %g would.
#include <double-conversion/double-to-string.h>

extern "C" int limn__shortest_digits(double v, int single, char *digits, int cap, int *len, int *point);

// The shortest digits d1..dn (no sign, no trailing zeros) with v = 0.d1..dn x 10^point,
// the closest to v of that length; 1 on success.
int limn__shortest_digits(double v, int single, char *digits, int cap, int *len, int *point) {
  bool sign = false;
  double_conversion::DoubleToStringConverter::DoubleToAscii(
      v, single ? double_conversion::DoubleToStringConverter::SHORTEST_SINGLE
                : double_conversion::DoubleToStringConverter::SHORTEST,
      0, digits, cap, &sign, len, point);
  return *len > 0;
}
