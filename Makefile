# observa — the commands a newcomer needs. `make help` lists them.
CARGO ?= cargo

.PHONY: help run test bench lint doc features

help:
	@echo "make run    run the demo example on the in-memory defaults"
	@echo "make test   run every test (unit, integration, property, doc)"
	@echo "make bench  run the criterion benchmarks (not part of test)"
	@echo "make lint   cargo fmt --check and clippy -D warnings"
	@echo "make doc    build the API docs, warnings are errors"
	@echo "make features  each feature alone and none: the library and examples build, doc tests pass"

# With OTEL_EXPORTER_OTLP_ENDPOINT set, the demo also exports over OTLP (feature otlp).
run:
	$(CARGO) run --example demo $(if $(OTEL_EXPORTER_OTLP_ENDPOINT),--features otlp,)

test:
	$(CARGO) test --all-features

bench:
	$(CARGO) bench -p observa-benches

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --all-features

# Each cargo feature on its own, and none: the library and examples build
# without warnings and the doc tests pass (all features together: make test).
FEATURES ?= "" http system axum log tracing notify otlp otlp-receiver
features:
	@for f in $(FEATURES); do \
	  echo "== features: [$$f]"; \
	  $(CARGO) clippy --no-default-features --features "$$f" --lib --examples -- -D warnings || exit 1; \
	  $(CARGO) test --no-default-features --features "$$f" --doc --quiet || exit 1; \
	done
