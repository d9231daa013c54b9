# tcpinspect - one static binary: musl-gcc for the program, clang for the
# embedded XDP object.  `make demo` and `make check` install what they
# need on Debian first (as root); plain `make` only builds.

VERSION   ?= 0.1.0
CC        := musl-gcc
CLANG     ?= clang
STRIP_BPF ?= llvm-strip
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
B         := build
# musl-gcc passes -nostdinc: give it the kernel uapi headers, and only those.
INC       := $(B)/include

CFLAGS  ?= -Os -g0
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -isystem $(INC) \
	   -ffunction-sections -fdata-sections -DVERSION='"$(VERSION)"'
LDFLAGS += -static -s -Wl,--gc-sections
BPFFLAGS := -O2 -g -target bpf -I$(INC) -Iprog -Wall

SRCS := main.c elf.c bpf.c loader.c netlink.c ringbuf.c output.c
OBJS := $(SRCS:%.c=$(B)/%.o) $(B)/embed.o
HDRS := $(wildcard *.h) prog/tcpinspect.h

# Debian packages: to build, and additionally to run the tests.
BUILD_PKGS := make gcc libc6-dev clang llvm musl-tools linux-libc-dev
TEST_PKGS  := iproute2 util-linux jq

all: tcpinspect

tcpinspect: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS)
	@echo "tcpinspect: $$(stat -c %s $@) bytes, static, stripped"

$(INC)/.stamp:
	mkdir -p $(INC)
	ln -sfn /usr/include/linux $(INC)/linux
	ln -sfn /usr/include/asm-generic $(INC)/asm-generic
	ln -sfn /usr/include/$(MULTIARCH)/asm $(INC)/asm
	touch $@

$(B)/%.o: %.c $(HDRS) $(INC)/.stamp
	$(CC) $(CFLAGS) -c -o $@ $<

# The object is .incbin'd: the compiler's dependency output cannot see it.
$(B)/embed.o: embed.S $(B)/xdp.o
	$(CC) -c -o $@ embed.S

$(B)/xdp.o: prog/xdp.c prog/tcpinspect.h prog/helpers.h $(INC)/.stamp
	$(CLANG) $(BPFFLAGS) -c -o $@.full $<
	$(STRIP_BPF) -g -o $@ $@.full

# --- dependencies, demo, tests -------------------------------------------

deps:
	@./tests/deps.sh $(BUILD_PKGS)

demo-deps:
	@./tests/deps.sh $(BUILD_PKGS) iproute2

test-deps:
	@./tests/deps.sh $(BUILD_PKGS) $(TEST_PKGS)

demo: demo-deps
	$(MAKE) all $(B)/peer
	./tests/demo.sh

TEST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter -iquote . \
	       -I$(INC) -fsanitize=address,undefined -fno-sanitize-recover=all

$(B)/elf_test: tests/elf_test.c elf.c elf.h $(B)/xdp.o
	gcc $(TEST_CFLAGS) -o $@ tests/elf_test.c elf.c

$(B)/prog_test: tests/prog_test.c bpf.c elf.c loader.c ringbuf.c $(HDRS) $(B)/embed.o
	gcc $(TEST_CFLAGS) -o $@ tests/prog_test.c bpf.c elf.c loader.c ringbuf.c $(B)/embed.o

$(B)/pass.o $(B)/reject.o: $(B)/%.o: tests/%.c $(INC)/.stamp
	$(CLANG) $(BPFFLAGS) -c -o $@ $<

$(B)/peer: tests/peer.c
	gcc -std=gnu11 -O2 -Wall -o $@ $<

TEST_BINS := $(B)/elf_test $(B)/prog_test $(B)/peer $(B)/pass.o $(B)/reject.o

check: test-deps
	$(MAKE) all $(TEST_BINS)
	./tests/run

clean:
	rm -rf $(B) tcpinspect

.PHONY: all deps demo-deps test-deps demo check clean
