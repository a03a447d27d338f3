# Thin wrappers around scripts/; every target sets up what it needs (scripts/bootstrap.sh).
#   make test                 everything: lint, sanity, unit, docs, molecule (what CI runs)
#   make molecule S=default   one molecule scenario (S="default worker" for several)
SHELL := /bin/bash
.DEFAULT_GOAL := help
S ?=

.PHONY: help venv bootstrap test lint sanity unit docs molecule demo demo-clean bench bench-noop bench-speed build

help:
	@echo "make venv|bootstrap       set up .venv (bootstrap: also Docker and the test images)"
	@echo "make test                 lint, sanity, unit, docs, molecule; summary + exit status"
	@echo "make lint|sanity|unit     one stage (logs in .cache/logs/)"
	@echo "make molecule [S=name]    all molecule scenarios, or the named ones"
	@echo "make docs                 check the docs (scripts/check-docs.sh)"
	@echo "make demo | demo-clean    run / remove the demo (scripts/demo.sh)"
	@echo "make bench                benchmarks (scripts/bench.sh)"
	@echo "make bench-noop           no-op at 50 sites, before vs after a refactor (args: MODWSGI_BENCH_NOOP_ARGS)"
	@echo "make bench-speed          deploy speed, before vs after (args: MODWSGI_BENCH_SPEED_ARGS)"
	@echo "make build                build the collection tarball and prove it installs"

venv:
	scripts/bootstrap.sh --no-docker

bootstrap:
	scripts/bootstrap.sh

test:
	scripts/test.sh

lint sanity unit:
	scripts/test.sh $@

molecule:
	scripts/test.sh $(if $(strip $(S)),$(addprefix molecule:,$(S)),molecule)

docs: venv
	source scripts/env.sh && scripts/check-docs.sh

demo:
	scripts/demo.sh

demo-clean:
	scripts/demo.sh clean

bench:
	scripts/bench.sh

bench-noop:
	scripts/bench.sh noop

bench-speed:
	scripts/bench.sh speed

build: venv
	rm -rf .cache/build && mkdir -p .cache/build
	source scripts/env.sh && ansible-galaxy collection build --force --output-path .cache/build .
	source scripts/env.sh && tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  export ANSIBLE_COLLECTIONS_PATH="$$tmp" && \
	  ansible-galaxy collection install --offline --force -p "$$tmp" .cache/build/modwsgi-django-*.tar.gz && \
	  test -f "$$tmp/ansible_collections/modwsgi/django/MANIFEST.json" && \
	  ansible-doc -t module modwsgi.django.apache_config 2>&1 | grep -q 'MODULE modwsgi.django.apache_config' && \
	  ansible-doc -t role modwsgi.django.apache 2>&1 | grep -q 'ROLE.*modwsgi.django.apache' && \
	  echo "installs cleanly: $$(ls .cache/build/modwsgi-django-*.tar.gz)"
