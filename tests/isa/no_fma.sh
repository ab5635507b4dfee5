#!/bin/sh
# The library's machine code holds no fused multiply-add (vfmadd, vfmsub, vfnmadd,
# vfnmsub, vfmaddsub, ...) outside knn.c's tile_mask, the one function that asks for
# them (its clone for x86-64-v3): everywhere else the same inputs give the same bits on
# every x86-64 CPU, which a fused multiply-add (one rounding instead of two) would break.
# GCC can emit them despite ISO C's -ffp-contract=off (complex products in an AVX-512
# clone), so the compiled code is what is checked. Usage: no_fma.sh LIBRARY
set -u
lib=$1
case "$(uname -m)" in
x86_64) ;;
*) echo "not x86-64: nothing to check"; exit 77 ;;
esac
command -v objdump >/dev/null 2>&1 || { echo "objdump not found: skipped"; exit 77; }
all=$(objdump -d --no-show-raw-insn "$lib" | awk '/^[0-9a-f]+ <.*>:$/ { fn = $2 } /[ \t]vfn?m(add|sub)/ { print fn }' |
  sort | uniq -c)
bad=$(printf '%s\n' "$all" | grep -v '<tile_mask[.>]' | grep -v '^$')
if [ -n "$bad" ]; then
  printf 'FAIL fused multiply-adds (count, function):\n%s\n' "$bad"
  exit 1
fi
printf 'ok: fused multiply-adds only in tile_mask%s\n' "$(printf '%s' "$all" | grep -q tile_mask && echo ' (found there)')"
