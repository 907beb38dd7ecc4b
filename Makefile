# Salur — two commands do everything on a fresh Debian machine with Swift:
#   make demo   seed Kota Kupang's recipients, open accounts, pay them through the bank simulator
#   make test   the whole test suite
SWIFT ?= swift
DEMO  ?= .demo

.PHONY: demo test deps build clean

# Installs the system libraries Salur builds against, only when they are missing.
deps:
	@if [ ! -e /usr/include/curl/curl.h ] && [ ! -e /usr/include/x86_64-linux-gnu/curl/curl.h ] && [ ! -e /usr/include/aarch64-linux-gnu/curl/curl.h ]; then \
	  echo "installing libcurl4-openssl-dev"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libcurl4-openssl-dev; \
	fi
	@if ! command -v sqlite3 >/dev/null; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq sqlite3; fi

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: deps
	$(SWIFT) build
	scripts/demo.sh $(DEMO)

clean:
	rm -rf .build $(DEMO)
