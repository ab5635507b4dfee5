"$LIMN" --version
