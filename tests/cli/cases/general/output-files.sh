# --out: a regular file is replaced whole (through a symlink: its target, keeping its
# mode); a device or FIFO is written in place, never replaced, and a write error is an
# error; an output that is an input, or two outputs that are one file, are usage errors
. "$CASES/lib.sh"
bc_model
P="predict --model bc.limn --data te.csv"
if [ -c /dev/full ]; then
  run $P --out /dev/full 2>&1 | sed 's/No space left on device/ENOSPC/'
  [ -c /dev/full ] && echo "/dev/full is still a device"
else
  printf 'limn: error: /dev/full: write error: ENOSPC\nexit 1\n/dev/full is still a device\n'
fi
echo old >target.csv
ln -s target.csv link.csv
"$LIMN" $P --out link.csv && [ -L link.csv ] && echo "link.csv is still a link: $(head -1 target.csv)"
echo old >private.csv
chmod 600 private.csv
"$LIMN" $P --out private.csv && echo "private.csv mode $(stat -c %a private.csv)"
mkfifo pipe
cat pipe >got.csv &
"$LIMN" $P --out pipe
wait
[ -p pipe ] && echo "pipe is still a FIFO, $(wc -l <got.csv) lines came through"
ls ./*.tmp.* 2>/dev/null | wc -l | tr -d ' '
run split --data te.csv --train same.csv --test same.csv
cp te.csv copy.csv
run train --data copy.csv --target diagnosis --out copy.csv
cmp -s te.csv copy.csv && echo "copy.csv kept"
