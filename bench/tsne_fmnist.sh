#!/bin/sh
# t-SNE on Fashion-MNIST, limn against scikit-learn (see bench/tsne_fmnist.py).
# Installs Debian's dataset-fashion-mnist when missing. Usage: bench/tsne_fmnist.sh [N ...]
set -eu
cd "$(dirname "$0")/.."
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get install -y dataset-fashion-mnist
fi
[ -x build/limn ] || make build
exec /usr/bin/python3 bench/tsne_fmnist.py "$PWD/build/limn" "${@:-20000}"
