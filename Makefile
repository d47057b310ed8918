# SPDX-License-Identifier: MIT
# synack: top-level build. Plain make; no CMake needed.
#   make            release build into build/ (library, tests, tools)
#   make test       install test deps if missing, run the suite (release and ASan+UBSan)
#   make demo       replay the classic TCP scenarios in the simulator
#   make help       list targets

CC      ?= cc
BUILD   ?= build
CFLAGS_COMMON := -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
                 -Wmissing-prototypes -Iinclude -Isrc -Itests/support
OPT     ?= -O2 -g
CFLAGS  += $(CFLAGS_COMMON) $(OPT) -MMD -MP
# Objects are rebuilt when the compiler flags change (a folder built once without the
# sanitizers or the invariant checks must not be reused with them).
FLAGS_STAMP := $(BUILD)/.flags
$(shell mkdir -p $(BUILD) && echo '$(CC) $(CFLAGS) $(LDFLAGS)' > $(BUILD)/.flags.new && \
  { cmp -s $(BUILD)/.flags.new $(FLAGS_STAMP) || mv $(BUILD)/.flags.new $(FLAGS_STAMP); }; \
  rm -f $(BUILD)/.flags.new)

# One short line per file by default; V=1 prints every command in full.
V ?= 0
ifeq ($(V),1)
Q   :=
msg := @true
else
Q   := @
msg := @printf '  %-6s %s\n'
endif

# Library version: the shared library is libsynack.so.$(VERSION) with soname
# libsynack.so.$(SOVERSION); src/libsynack.map exports the public synack_* API only.
VERSION   := 0.1.0
SOVERSION := 0
# Where `make install` puts things (DESTDIR is prepended, for packaging).
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man

LIB_SRC   := $(sort $(wildcard src/*/*.c))
TEST_SRC  := $(sort $(wildcard tests/test_*.c))
TOOL_SRC  := $(sort $(wildcard tools/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOL_OBJ  := $(TOOL_SRC:%.c=$(BUILD)/%.o)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=$(BUILD)/%.o)

.PHONY: ladders pictures test-browser stress test-interop packetdrill-adapter all lib tests tools test test-release test-asan test-valgrind demo help clean format deps bench fuzz
.PHONY: install uninstall examples docs bench-tun
.SECONDARY:

ADAPTER_SRC := $(sort $(wildcard adapters/packetdrill/*.c))
PIC_OBJ := $(LIB_SRC:%.c=$(BUILD)/pic/%.o) $(ADAPTER_SRC:%.c=$(BUILD)/pic/%.o)

all: lib tests $(if $(TOOL_SRC),tools) packetdrill-adapter

lib: $(BUILD)/libsynack.a $(BUILD)/libsynack.so
tools: $(BUILD)/synack
tests: $(TEST_BIN)

$(BUILD)/libsynack.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(msg) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# The shared library: position-independent objects, only synack_* exported, versioned.
SHARED_OBJ := $(LIB_SRC:%.c=$(BUILD)/shared/%.o)
$(BUILD)/libsynack.so.$(VERSION): $(SHARED_OBJ) src/libsynack.map
	$(msg) LD $@
	$(Q)$(CC) -shared -Wl,-soname,libsynack.so.$(SOVERSION) -Wl,--version-script=src/libsynack.map \
	  -Wl,-z,defs -o $@ $(SHARED_OBJ) $(LDFLAGS)
$(BUILD)/libsynack.so: $(BUILD)/libsynack.so.$(VERSION)
	$(Q)ln -sf libsynack.so.$(VERSION) $(BUILD)/libsynack.so.$(SOVERSION)
	$(Q)ln -sf libsynack.so.$(VERSION) $@

$(BUILD)/shared/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(msg) CC $<
	$(Q)$(CC) $(CFLAGS) -fPIC -c $< -o $@

# The packetdrill adapter: a shared object with the library built position-independent.
packetdrill-adapter: $(BUILD)/libsynack-packetdrill.so
$(BUILD)/libsynack-packetdrill.so: $(PIC_OBJ)
	$(msg) LD $@
	$(Q)$(CC) -shared -o $@ $^ -lpthread

$(BUILD)/pic/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(msg) CC $<
	$(Q)$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(msg) CC $<
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/synack: $(TOOL_OBJ) $(BUILD)/libsynack.a
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) -o $@ $(TOOL_OBJ) $(BUILD)/libsynack.a $(LDFLAGS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT_OBJ) $(BUILD)/libsynack.a
	$(msg) LD $@
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(BUILD)/libsynack.a $(LDFLAGS) -lcmocka

# examples/: small programs that use the public headers only (no -Isrc). The TLS client
# needs OpenSSL (libssl-dev); without it, it is left out with a message.
EXAMPLE_CFLAGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
                  -Wmissing-prototypes -Iinclude $(OPT)
HAVE_OPENSSL = $(shell pkg-config --exists openssl 2>/dev/null && echo yes)
EXAMPLE_BIN = $(BUILD)/examples/echo_sim $(BUILD)/examples/zerocopy_sim $(BUILD)/examples/http_fetch \
              $(if $(HAVE_OPENSSL),$(BUILD)/examples/tls_client)
examples: $(EXAMPLE_BIN)
	$(if $(HAVE_OPENSSL),,@echo "examples: tls_client left out: no OpenSSL (apt-get install libssl-dev)")
$(BUILD)/examples/tls_client: EXAMPLE_LIBS = $(shell pkg-config --cflags --libs openssl)
$(BUILD)/examples/%: examples/%.c $(BUILD)/libsynack.a
	@mkdir -p $(dir $@)
	$(msg) CC $<
	$(Q)$(CC) $(EXAMPLE_CFLAGS) -o $@ $< $(BUILD)/libsynack.a $(LDFLAGS) $(EXAMPLE_LIBS)

# The API reference, generated from the public headers (which are the documentation).
docs: $(BUILD)/docs/api.md
$(BUILD)/docs/api.md: $(wildcard include/synack/*.h) scripts/api-doc.sh Makefile
	@mkdir -p $(dir $@)
	$(msg) GEN $@
	$(Q)bash scripts/api-doc.sh > $@

# Installs headers, static and shared libraries, synack.pc, the synack tool and synack(1).
install: lib tools
	install -d $(DESTDIR)$(INCLUDEDIR)/synack $(DESTDIR)$(LIBDIR)/pkgconfig \
	  $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(wildcard include/synack/*.h) $(DESTDIR)$(INCLUDEDIR)/synack/
	install -m 644 $(BUILD)/libsynack.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(BUILD)/libsynack.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libsynack.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libsynack.so.$(SOVERSION)
	ln -sf libsynack.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libsynack.so
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	  -e 's|@VERSION@|$(VERSION)|' src/synack.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/synack.pc
	install -m 755 $(BUILD)/synack $(DESTDIR)$(BINDIR)/
	install -m 644 man/synack.1 $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/synack/,$(notdir $(wildcard include/synack/*.h)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/synack 2>/dev/null
	rm -f $(DESTDIR)$(LIBDIR)/libsynack.a $(DESTDIR)$(LIBDIR)/libsynack.so \
	  $(DESTDIR)$(LIBDIR)/libsynack.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libsynack.so.$(VERSION) \
	  $(DESTDIR)$(LIBDIR)/pkgconfig/synack.pc $(DESTDIR)$(BINDIR)/synack \
	  $(DESTDIR)$(MANDIR)/man1/synack.1

deps:
	@bash scripts/install-deps.sh

# The full suite: release build, then the same tests under AddressSanitizer + UBSan.
test: deps
	@bash scripts/run-tests.sh

test-release:
	@$(MAKE) --no-print-directory all examples
	@bash tests/run.sh $(BUILD)

test-asan:
	@$(MAKE) --no-print-directory BUILD=build/asan \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DSYNACK_CHECK_INVARIANTS" \
	  LDFLAGS="-fsanitize=address,undefined" tests tools examples
	@bash tests/run.sh build/asan

# Every test binary under valgrind's memcheck (slow; not part of `make test`).
test-valgrind:
	@$(MAKE) --no-print-directory BUILD=build/valgrind OPT="-O1 -g" tests
	@VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all" \
	  SYNACK_SEEDS=3 bash tests/run.sh build/valgrind

# libFuzzer targets (fuzz/fuzz_*.c; clang, ASan + UBSan, invariant checks), each run for
# FUZZ_SECONDS in turn; scripts/fuzz.sh has the other modes (test, replay, coverage, seeds).
FUZZ_SECONDS ?= 60
fuzz:
	@BUILD=$(BUILD) bash scripts/fuzz.sh run $(FUZZ_SECONDS)

# The HTML report in headless Chromium (tests/browser/run.sh; make deps installs it).
test-browser: tools
	@bash tests/browser/run.sh $(BUILD)

# Interop with the Linux kernel over a TUN device, in private network namespaces (root).
test-interop: all
	@bash tests/interop/run.sh $(BUILD)

demo: tools
	@$(BUILD)/synack demo

# The expected ladders of the catalogue (tests/ladders/NAME.txt, compared by make test),
# rewritten from this build: after a change meant to alter what the scenarios draw.
ladders: tools
	@bash tests/ladders/check.sh $(BUILD) --update

# The pictures docs/seeing-tcp.md and README.md show, drawn again from this build.
pictures: tools
	@$(BUILD)/synack demo --svg docs/pictures > /dev/null
	@$(BUILD)/synack ladder tests/captures/kernel-lo.pcap --svg docs/pictures/kernel-lo.svg \
	  --tsg docs/pictures/kernel-lo-tsg.svg > /dev/null
	@$(BUILD)/synack demo fast-retransmit --tsg docs/pictures --cwnd docs/pictures \
	  --rtt docs/pictures > /dev/null
	@$(BUILD)/synack sim --bytes 30000 --rcvbuf 8000 --drop client:6 \
	  --tsg docs/pictures/small-window-tsg.svg > /dev/null
	@$(BUILD)/synack demo rto-backoff --cwnd docs/pictures > /dev/null
	@echo "pictures: docs/pictures/ redrawn"

BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
$(BUILD)/bench/%: bench/%.c $(BUILD)/libsynack.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libsynack.a -lm

# Randomised two-way stress (tests/support/stress.c) on a build with the engine's invariant
# checks (build/check): SEEDS seeds from FIRST, or one SEED alone with a trace and pcap
# captures of both hosts in build/check/.
SEEDS ?= 1000
FIRST ?= 1
$(BUILD)/tests/stress: tests/stress/main.c $(TEST_SUPPORT_OBJ) $(BUILD)/libsynack.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(BUILD)/libsynack.a $(LDFLAGS) -lcmocka

stress:
	@$(MAKE) --no-print-directory BUILD=build/check OPT="-O2 -g -DSYNACK_CHECK_INVARIANTS" \
	  build/check/tests/stress
	@build/check/tests/stress --seeds $(SEEDS) --first $(FIRST) $(if $(SEED),--seed $(SEED)) \
	  --out build/check

# Benchmarks print figures; they assert nothing about speed.
# BENCH_ARGS: e.g. --conns 100000 (see bench/bench_scale.c); docs/performance.md has a run.
# Then the TUN rows (bench/tun.sh: root only, skipped with a reason otherwise); make bench-tun
# runs them alone. BENCH_TUN_MIB: size of each TUN/veth transfer (default 1024).
bench: $(BENCH_BIN)
	@$(BUILD)/bench/bench_scale $(BENCH_ARGS)
	@echo
	@$(BUILD)/bench/bench_cc
	@bash bench/tun.sh $(BUILD) $(BENCH_TUN_MIB)

bench-tun: $(BENCH_BIN)
	@bash bench/tun.sh $(BUILD) $(BENCH_TUN_MIB)

format:
	clang-format -i $(LIB_SRC) $(TEST_SRC) $(TOOL_SRC) $(TEST_SUPPORT_SRC) $(wildcard examples/*.c) \
	  $(wildcard src/*/*.h include/synack/*.h tests/support/*.h tools/*.h)

clean:
	rm -rf $(BUILD)

help:
	@echo "synack make targets:"
	@echo "  make             build library (build/libsynack.a), tests, the synack tool"
	@echo "                   (demo, sim, ladder, cat, http) and build/libsynack-packetdrill.so"
	@echo "  make test        install test dependencies if missing (Debian, as root), then run"
	@echo "                   the whole suite twice (release, ASan+UBSan), the packetdrill"
	@echo "                   scripts (if packetdrill is on PATH or PACKETDRILL= names it), the"
	@echo "                   HTML report in headless Chromium and the kernel interop tests (as"
	@echo "                   root); ends with 'N passed, N failed'"
	@echo "  make install     install headers, libsynack.a, libsynack.so (versioned), synack.pc,"
	@echo "                   the synack tool and synack(1) under PREFIX (default /usr/local);"
	@echo "                   DESTDIR= stages for packaging; make uninstall removes them"
	@echo "  make examples    build examples/ into build/examples (see examples/README.md)"
	@echo "  make docs        generate the API reference from the headers: build/docs/api.md"
	@echo "  make test-release  run the suite on the release build only"
	@echo "  make test-asan   run the suite under AddressSanitizer + UndefinedBehaviorSanitizer"
	@echo "  make test-browser  load an HTML report in headless Chromium: no console message,"
	@echo "                   a screenshot with the ladder (build/browser/report.png), links"
	@echo "  make test-interop  synack on TUN against the kernel: curl, python http.server,"
	@echo "                   nc, ping; in private network namespaces (needs root)"
	@echo "  make test-valgrind  run the suite under valgrind memcheck"
	@echo "  make fuzz        run each libFuzzer target (fuzz/) for FUZZ_SECONDS (default 60)"
	@echo "  make demo        replay the scenario catalogue in the simulator (synack demo --list);"
	@echo "                   build/synack sim --help composes your own"
	@echo "  make pictures    redraw docs/pictures/ (the SVGs README.md and docs/seeing-tcp.md show)"
	@echo "  make ladders     rewrite tests/ladders/NAME.txt, the expected ladder of each scenario"
	@echo "                   that make test compares, from this build"
	@echo "  make stress      randomised two-way stress in the simulator with invariant checks:"
	@echo "                   SEEDS=N (default 1000) from FIRST=S; SEED=S reruns one seed with a"
	@echo "                   trace and pcap captures in build/check/; ends 'N passed, N failed'"
	@echo "  make bench       print figures: per-packet cost, conns/s, RSS, bulk vs the kernel (its"
	@echo "                   loopback at MTU 1500 and 65536 in private namespaces, as root), with"
	@echo "                   the zero-copy API and over an offloading link, cycles per byte, TUN vs"
	@echo "                   veth, and goodput per congestion control under loss / a bottleneck"
	@echo "  make bench-tun   (root) synack over TUN vs the kernel over veth, both ways, verified"
	@echo "  make format      format all C sources with clang-format"
	@echo "  make clean       remove build/"
	@echo "  V=1              print full compiler command lines (default: one short line per file)"

-include $(LIB_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(TEST_BIN:%=%.d) $(TEST_SUPPORT_OBJ:.o=.d) $(PIC_OBJ:.o=.d)
-include $(SHARED_OBJ:.o=.d)
