. "$CASES/lib.sh"
bc_model
head -c 200 bc.limn >cut.limn
run info --model cut.limn
