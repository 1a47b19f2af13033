# apprentissage — `make run` sets up and runs the main job, `make test` runs every check.
# Each stage prints "==> name" and "<== name: N s" (scripts/stage.sh).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

STAGE := scripts/stage.sh
SETUP := scripts/setup.sh
DATA_DIR := $(or $(APPRENTISSAGE_DATA),$(CURDIR)/data)
DATASETS := mnist cifar-10-batches-bin
# Jupyter's venv and the kernel spec live outside the clone (scripts/setup.sh jupyter evcxr).
CACHE := $(or $(APPRENTISSAGE_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/apprentissage)
NB ?= notebooks/demo.ipynb

# Start of this make run (seconds since the epoch), for the totals.
export STAGE_T0 := $(shell date +%s)
total = echo "==== $(1): total $$(( $$(date +%s) - $(STAGE_T0) )) s"

.PHONY: help run test bench setup data clean-data lab check

help:
	@echo "make run         set up (system packages, datasets) and run the main job"
	@echo "make test        fmt, clippy, tests, JupyterLab end to end (screenshots in target/e2e/), docs and set-up tests (what CI runs)"
	@echo "make bench       the performance table (MNIST MLP and LeNet-5 epochs, Conv2d, spiral, sgemm)"
	@echo "make setup       scripts/setup.sh all"
	@echo "make lab         JupyterLab on notebooks/ with the Rust kernel (after the set-up); LAB_ARGS=--no-browser…"
	@echo "make check NB=notebooks/ch1.ipynb   grade a notebook (the student's report)"
	@echo "make data        MNIST into $(DATA_DIR)/mnist, Fashion-MNIST (apt), CIFAR-10 when online"
	@echo "make clean-data  remove the downloaded datasets ($(addprefix $(DATA_DIR)/,$(DATASETS)))"

run:
	@$(STAGE) setup $(SETUP) all
	@$(STAGE) demo cargo run --release --example demo
	@$(STAGE) replay cargo run -q -p grader -- replay
	@$(call total,make run)

test:
	@$(STAGE) setup-system $(SETUP) system
	@$(STAGE) setup-kernel $(SETUP) jupyter evcxr
	@$(STAGE) setup-data $(SETUP) mnist fashion
	@$(STAGE) setup-e2e $(SETUP) e2e
	@$(STAGE) fmt cargo fmt --all -- --check
	@$(STAGE) clippy cargo clippy --workspace --all-targets -- -D warnings
	@$(STAGE) test env APPRENTISSAGE_REQUIRE_JUPYTER=1 cargo test --workspace
	@$(STAGE) e2e scripts/e2e.sh
	@$(STAGE) e2e-pages scripts/e2e-pages.sh
	@$(STAGE) replay cargo run -q -p grader -- replay
	@$(STAGE) doc env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
	@$(STAGE) test-setup scripts/test-setup.sh
	@$(call total,make test: all stages passed)

bench:
	@$(STAGE) data $(SETUP) mnist
	@$(STAGE) bench cargo run --release --example bench -- $(BENCH_ARGS)

setup:
	@$(STAGE) setup $(SETUP) all

lab:
	@$(STAGE) setup $(SETUP) all
	@scripts/lab.sh $(LAB_ARGS)

check:
	@cargo run -q -p grader -- check "$(NB)"

data:
	@$(STAGE) data $(SETUP) mnist fashion cifar

clean-data:
	rm -rf -- $(addprefix "$(DATA_DIR)"/,$(DATASETS))
	@rmdir -- "$(DATA_DIR)" 2>/dev/null || true
