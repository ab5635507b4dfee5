# limn: the two commands of the README are `make demo` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# -Werror in CI (CI=true), warnings only otherwise
WERROR     ?= $(if $(CI),ON,OFF)
CMAKE_ARGS ?=

.PHONY: all setup build test test-release test-asan test-minimal demo bench bench-tsne fuzz fuzz-long python install clean

all: build

# scripts/setup (apt) runs once per build directory and again when the script changes;
# `make setup` runs it now.
SETUP_STAMP = $(BUILD)/.setup-done
setup:
	@scripts/setup
	@mkdir -p $(BUILD) && touch $(SETUP_STAMP)

$(SETUP_STAMP): scripts/setup
	@scripts/setup
	@mkdir -p $(BUILD) && touch $@

build: $(SETUP_STAMP)
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DLIMN_WERROR=$(WERROR) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The whole suite, then the whole suite again under AddressSanitizer + UBSan, then the
# library built without its optional parts (ONNX, BLAS, OpenMP) and its quick tests.
test: test-release test-asan test-minimal

test-release: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: $(SETUP_STAMP)
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIMN_SANITIZE=ON \
	  -DLIMN_WERROR=$(WERROR) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

MINIMAL_BUILD ?= build-minimal
test-minimal: $(SETUP_STAMP)
	@cmake -S . -B $(MINIMAL_BUILD) -DCMAKE_BUILD_TYPE=Release -DLIMN_WITH_ONNX=OFF -DLIMN_WITH_IMAGES=OFF -DLIMN_USE_BLAS=OFF \
	  -DLIMN_USE_OPENMP=OFF -DLIMN_USE_DCONV=OFF -DLIMN_WERROR=$(WERROR) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(MINIMAL_BUILD) -j $(JOBS)
	ctest --test-dir $(MINIMAL_BUILD) --output-on-failure -j $(JOBS) -E '^(unit_lime|unit_train|browser)$$'

# The main job: train the bundled breast-cancer model, explain three interesting
# test rows, write out/report.html. DEMO_DATASET=credit shows reason codes,
# DEMO_DATASET=digits heat maps; those write out/credit/ and out/digits/, beside it.
DEMO_DATASET ?= breast-cancer
DEMO_OUT     ?= $(if $(filter breast-cancer,$(DEMO_DATASET)),out,out/$(DEMO_DATASET))
# Only the command-line tool is built (not the tests, benchmarks or fuzz replayers); the
# compiler's output goes to a log, shown when the build fails.
demo: $(SETUP_STAMP)
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DLIMN_WERROR=$(WERROR) $(CMAKE_ARGS) >/dev/null
	@echo "limn: building the command-line tool ($(BUILD)/demo-build.log)"
	@cmake --build $(BUILD) -j $(JOBS) --target limn_cli >$(BUILD)/demo-build.log 2>&1 || \
	  { tail -n 40 $(BUILD)/demo-build.log; echo "limn: the build failed: $(BUILD)/demo-build.log"; exit 1; }
	@$(BUILD)/limn demo --dataset $(DEMO_DATASET) --out $(DEMO_OUT)

bench: build
	$(BUILD)/bench_mlp data 9
	$(BUILD)/bench_explain 5
	$(BUILD)/bench_lime data 100
	$(BUILD)/bench_embed data 3
	$(BUILD)/bench_onnx . 9
	$(BUILD)/bench_shap . 5
	$(BUILD)/bench_trees . 5
	$(BUILD)/bench_format 5
	$(BUILD)/bench_image . 10 3
	$(BUILD)/bench_gemm 5 200
	$(BUILD)/bench_text . 10 3 3

# t-SNE on Fashion-MNIST (20 000 and 70 000 images) against scikit-learn: minutes
bench-tsne: build
	bench/tsne_fmnist.sh 20000 70000

# libFuzzer targets (clang); run one with e.g. build-fuzz/tests/fuzz_csv tests/fuzz/corpus/csv
fuzz:
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIMN_FUZZ=ON \
	  -DLIMN_SANITIZE=ON -DLIMN_USE_OPENMP=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_csv fuzz_arff fuzz_model fuzz_map fuzz_onnx fuzz_stream fuzz_image fuzz_text

# every fuzz target for FUZZ_SECONDS (600) each, FUZZ_JOBS (2) at a time: a summary of
# executions per target, and a failure if any found something (scripts/fuzz-long)
fuzz-long: fuzz
	scripts/fuzz-long

# The Python package: `import limn` from any directory afterwards, with Debian's
# /usr/bin/python3 (python3-numpy; scripts/setup installs it). The shared library goes
# next to the package and a limn.pth into the interpreter's site directory (the user's
# when not root). docs/python.md.
python: build
	cp $(BUILD)/liblimn.so.0 python/limn/liblimn.so
	@/usr/bin/python3 -c 'import os, site; \
	d = site.getsitepackages()[0] if os.access(site.getsitepackages()[0], os.W_OK) else site.getusersitepackages(); \
	os.makedirs(d, exist_ok=True); open(os.path.join(d, "limn.pth"), "w").write(os.path.abspath("python") + "\n"); \
	print("make python: " + os.path.join(d, "limn.pth") + " -> " + os.path.abspath("python"))'
	@cd / && /usr/bin/python3 -c 'import limn; print("import limn: " + limn.version() + " from " + limn.__file__)'

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz $(MINIMAL_BUILD) out
