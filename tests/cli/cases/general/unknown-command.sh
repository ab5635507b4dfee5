"$LIMN" frobnicate
