# limn: the two commands of the README are `make demo` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# -Werror in CI (CI=true), warnings only otherwise
WERROR     ?= $(if $(CI),ON,OFF)
CMAKE_ARGS ?=

.PHONY: all setup build test test-release test-asan demo bench bench-tsne fuzz install clean

all: build

setup:
	@scripts/setup

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DLIMN_WERROR=$(WERROR) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The whole suite, then the whole suite again under AddressSanitizer + UBSan.
test: test-release test-asan

test-release: build
	ctest --test-dir $(BUILD) --output-on-failure

test-asan: setup
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIMN_SANITIZE=ON \
	  -DLIMN_WERROR=$(WERROR) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure

# The main job. Until the report lands: split the bundled breast-cancer data,
# train the MLP, evaluate it on the held-out rows.
DEMO_OUT ?= $(BUILD)/demo
demo: build
	@mkdir -p $(DEMO_OUT)
	$(BUILD)/limn split --data data/breast_cancer.csv --stratify diagnosis --seed 0 \
	  --train $(DEMO_OUT)/train.csv --test $(DEMO_OUT)/test.csv
	$(BUILD)/limn train --data $(DEMO_OUT)/train.csv --target diagnosis --seed 0 \
	  --out $(DEMO_OUT)/breast_cancer.limn
	$(BUILD)/limn info --model $(DEMO_OUT)/breast_cancer.limn
	$(BUILD)/limn evaluate --model $(DEMO_OUT)/breast_cancer.limn --data $(DEMO_OUT)/test.csv

bench: build
	$(BUILD)/bench_mlp data 9
	$(BUILD)/bench_explain 5
	$(BUILD)/bench_lime data 100
	$(BUILD)/bench_embed data 3

# t-SNE on Fashion-MNIST (20 000 and 70 000 images) against scikit-learn: minutes
bench-tsne: build
	bench/tsne_fmnist.sh 20000 70000

# libFuzzer targets (clang); run one with e.g. build-fuzz/tests/fuzz_csv tests/fuzz/corpus/csv
fuzz:
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIMN_FUZZ=ON \
	  -DLIMN_SANITIZE=ON -DLIMN_USE_OPENMP=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_csv fuzz_arff fuzz_model fuzz_map

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz
