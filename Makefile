# Salur — two commands do everything on a fresh Debian machine with Swift:
#   make demo   seed Kota Kupang's recipients, open accounts, pay them through the bank simulator
#   make test   the whole test suite
SWIFT ?= swift
DEMO  ?= .demo
CLOCK_SHIFT_DAYS ?= 150

.PHONY: demo test deps build clean install

# Installs the system libraries Salur builds against, only when they are missing.
deps:
	@if [ ! -e /usr/include/curl/curl.h ] && [ ! -e /usr/include/x86_64-linux-gnu/curl/curl.h ] && [ ! -e /usr/include/aarch64-linux-gnu/curl/curl.h ]; then \
	  echo "installing libcurl4-openssl-dev"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libcurl4-openssl-dev; \
	fi
	@if [ ! -e /usr/include/libxml2/libxml/parser.h ]; then \
	  echo "installing libxml2-dev (camt.053 statements)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libxml2-dev; \
	fi
	@if ! command -v pkg-config >/dev/null; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq pkg-config; fi
	@if [ ! -e /usr/include/xlsxwriter.h ]; then \
	  echo "installing libxlsxwriter-dev (Excel workbooks: export --format xlsx)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libxlsxwriter-dev; \
	fi
	@if ! command -v python3 >/dev/null; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3; fi
	@if ! command -v sqlite3 >/dev/null; then $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq sqlite3; fi
	@if ! command -v groff >/dev/null; then \
	  echo "installing groff-base (groff, for the man page tests)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq groff-base; \
	fi
	@if ! command -v systemd-analyze >/dev/null; then \
	  echo "installing systemd (systemd-analyze, for the unit file tests)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq systemd; \
	fi

build: deps
	$(SWIFT) build

# The PostgreSQL store's tests run against a throw-away cluster on a loopback port (installed
# when missing, started as an unprivileged user, stopped and removed at the end).
# The suite runs twice: as it is, then with the calendar clock moved 150 days ahead (monotonic clocks
# untouched), so that a test depending on today's date fails the day it is written. The second run
# starts the test binary itself: only it and what it starts (salurd, salurctl) see the moved clock,
# not the package manager.
# The few tests timed against the kernel or against leases of seconds, the SIGKILL test whose kills must land while
# engines post, and the one that feeds salurctl tens of megabytes (SOLO_TESTS), run alone and one at a time (--no-parallel), after the parallel run has left the machine quiet.
SOLO_TESTS ?= FenceTests|deadlinePassesWhileConnecting|frozenEngineSendsNothingOnWaking|hugeBadFilesUnderAMemoryLimit|DeterministicSimulationTests|ShutdownTests|postgresLease|threeEnginesOneKilled

test: deps
	$(SWIFT) build --build-tests
	SALUR_REQUIRE_POSTGRES=1 SALUR_SKIP_SOLO=1 scripts/pg-test-cluster.sh run -- $(SWIFT) test --skip-build
	SALUR_REQUIRE_POSTGRES=1 scripts/pg-test-cluster.sh run -- $(SWIFT) test --skip-build --no-parallel --filter '$(SOLO_TESTS)'
	SALUR_REQUIRE_POSTGRES=1 SALUR_SKIP_SOLO=1 scripts/pg-test-cluster.sh run -- scripts/shifted-clock.sh $(CLOCK_SHIFT_DAYS) -- \
	  $$($(SWIFT) build --show-bin-path)/SalurPackageTests.xctest --testing-library swift-testing

demo: deps
	$(SWIFT) build
	scripts/demo.sh $(DEMO)

# Release build, then binaries, unit, sysusers/tmpfiles and the config example (never over an existing one).
install: deps
	$(SWIFT) build -c release --product salurd
	$(SWIFT) build -c release --product salurctl
	$(SUDO) env BIN_DIR=$$($(SWIFT) build -c release --show-bin-path) scripts/install.sh

clean:
	rm -rf .build $(DEMO)
