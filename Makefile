# observa — the commands a newcomer needs. `make help` lists them.
CARGO ?= cargo

.PHONY: help run test bench lint doc

help:
	@echo "make run    run the demo example on the in-memory defaults"
	@echo "make test   run every test (unit, integration, property, doc)"
	@echo "make bench  run the criterion benchmarks (not part of test)"
	@echo "make lint   cargo fmt --check and clippy -D warnings"
	@echo "make doc    build the API docs, warnings are errors"

run:
	$(CARGO) run --quiet --example demo

test:
	$(CARGO) test --all-features

bench:
	$(CARGO) bench -p observa-benches

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --all-features
