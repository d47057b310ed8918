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

LIB_SRC   := $(sort $(wildcard src/*/*.c))
TEST_SRC  := $(sort $(wildcard tests/test_*.c))
TOOL_SRC  := $(sort $(wildcard tools/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOL_OBJ  := $(TOOL_SRC:%.c=$(BUILD)/%.o)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
TEST_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=$(BUILD)/%.o)

.PHONY: test-interop packetdrill-adapter all lib tests tools test test-release test-asan test-valgrind demo help clean format deps bench fuzz
.SECONDARY:

ADAPTER_SRC := $(sort $(wildcard adapters/packetdrill/*.c))
PIC_OBJ := $(LIB_SRC:%.c=$(BUILD)/pic/%.o) $(ADAPTER_SRC:%.c=$(BUILD)/pic/%.o)

all: lib tests $(if $(TOOL_SRC),tools) packetdrill-adapter

lib: $(BUILD)/libsynack.a
tools: $(BUILD)/synack
tests: $(TEST_BIN)

$(BUILD)/libsynack.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# The packetdrill adapter: a shared object with the library built position-independent.
packetdrill-adapter: $(BUILD)/libsynack-packetdrill.so
$(BUILD)/libsynack-packetdrill.so: $(PIC_OBJ)
	$(CC) -shared -o $@ $^ -lpthread

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/synack: $(TOOL_OBJ) $(BUILD)/libsynack.a
	$(CC) $(CFLAGS) -o $@ $(TOOL_OBJ) $(BUILD)/libsynack.a $(LDFLAGS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT_OBJ) $(BUILD)/libsynack.a
	$(CC) $(CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(BUILD)/libsynack.a $(LDFLAGS) -lcmocka

deps:
	@bash scripts/install-deps.sh

# The full suite: release build, then the same tests under AddressSanitizer + UBSan.
test: deps
	@bash scripts/run-tests.sh

test-release:
	@$(MAKE) --no-print-directory all
	@bash tests/run.sh $(BUILD)

test-asan:
	@$(MAKE) --no-print-directory BUILD=build/asan \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" tests tools
	@bash tests/run.sh build/asan

# Every test binary under valgrind's memcheck (slow; not part of `make test`).
test-valgrind:
	@$(MAKE) --no-print-directory BUILD=build/valgrind OPT="-O1 -g" tests
	@VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all" \
	  SYNACK_SEEDS=3 bash tests/run.sh build/valgrind

# libFuzzer target for the input path (needs clang).
fuzz:
	@mkdir -p $(BUILD)/fuzz
	clang -std=c11 -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
	  fuzz/fuzz_input.c $(LIB_SRC) -o $(BUILD)/fuzz/fuzz_input
	@echo "run: $(BUILD)/fuzz/fuzz_input -max_total_time=60"

# Interop with the Linux kernel over a TUN device, in private network namespaces (root).
test-interop: all
	@bash tests/interop/run.sh $(BUILD)

demo: tools
	@$(BUILD)/synack demo

BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
$(BUILD)/bench/%: bench/%.c $(BUILD)/libsynack.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libsynack.a

# Benchmarks print figures; they assert nothing about speed.
bench: $(BENCH_BIN)
	@$(BUILD)/bench/bench_transfer 256 1460
	@$(BUILD)/bench/bench_transfer 256 65495
	@$(BUILD)/bench/bench_kernel_loopback 256

format:
	clang-format -i $(LIB_SRC) $(TEST_SRC) $(TOOL_SRC) $(TEST_SUPPORT_SRC) \
	  $(wildcard src/*/*.h include/synack/*.h tests/support/*.h tools/*.h)

clean:
	rm -rf $(BUILD)

help:
	@echo "synack make targets:"
	@echo "  make             build library (build/libsynack.a), tests, the synack tool"
	@echo "                   (demo, cat, http) and build/libsynack-packetdrill.so"
	@echo "  make test        install test dependencies if missing (Debian, as root), then run"
	@echo "                   the whole suite twice (release, ASan+UBSan), the packetdrill"
	@echo "                   scripts (if packetdrill is on PATH or PACKETDRILL= names it) and"
	@echo "                   the kernel interop tests (as root); ends with 'N passed, N failed'"
	@echo "  make test-release  run the suite on the release build only"
	@echo "  make test-asan   run the suite under AddressSanitizer + UndefinedBehaviorSanitizer"
	@echo "  make test-interop  synack on TUN against the kernel: curl, python http.server,"
	@echo "                   nc, ping; in private network namespaces (needs root)"
	@echo "  make test-valgrind  run the suite under valgrind memcheck"
	@echo "  make fuzz        build the libFuzzer target build/fuzz/fuzz_input (clang)"
	@echo "  make demo        replay handshake, transfer, close and lost-third-ACK in the simulator"
	@echo "  make bench       print engine throughput (bulk transfer in the simulator, CPU time)"
	@echo "  make format      format all C sources with clang-format"
	@echo "  make clean       remove build/"

-include $(LIB_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(TEST_BIN:%=%.d) $(TEST_SUPPORT_OBJ:.o=.d) $(PIC_OBJ:.o=.d)
