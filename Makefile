# tcpinspect - one static binary: musl-gcc for the program, clang for the
# embedded XDP object.  `make demo` and `make check` install what they
# need on Debian first (as root); plain `make` only builds.
#
# `make ARCH=arm64` (or armhf) builds the same static binary for that
# architecture as build/ARCH/tcpinspect, with Debian's multiarch musl
# (`make deps ARCH=arm64` installs it); `make dist` builds every one.

VERSION   ?= 0.1.0
CC        := musl-gcc
CLANG     ?= clang
STRIP_BPF ?= llvm-strip
OBJCOPY_BPF ?= llvm-objcopy
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
B         := build
# musl-gcc passes -nostdinc: give it the kernel uapi headers, and only those.
INC       := $(B)/include

# --- architectures -----------------------------------------------------------
# NAME: Debian's GNU triplet (where linux-libc-dev:ARCH puts asm/), musl's
# compiler wrapper, and the packages that bring both.  The BPF objects
# are the same for every little-endian target: built once, by the rules
# below, whatever ARCH is.
ARCHES          := x86_64 arm64 armhf
HOST_ARCH       := $(patsubst aarch64,arm64,$(patsubst armv7%,armhf,$(shell uname -m)))
ARCH            ?= $(HOST_ARCH)
override ARCH   := $(patsubst x86,x86_64,$(patsubst amd64,x86_64,$(patsubst aarch64,arm64,$(patsubst arm,armhf,$(ARCH)))))
TRIPLET_x86_64  := x86_64-linux-gnu
TRIPLET_arm64   := aarch64-linux-gnu
TRIPLET_armhf   := arm-linux-gnueabihf
MUSLCC_x86_64   := x86_64-linux-musl-gcc
MUSLCC_arm64    := aarch64-linux-musl-gcc
MUSLCC_armhf    := arm-linux-musleabihf-gcc
# armhf: linux-libc-dev:armhf must have the very version of the host's
# linux-libc-dev (Multi-Arch: same); the cross package of the same
# headers (arch all, under /usr/arm-linux-gnueabihf/) never conflicts.
XPKGS_x86_64    := musl-dev:amd64 linux-libc-dev:amd64
XPKGS_arm64     := musl-dev:arm64 linux-libc-dev:arm64
XPKGS_armhf     := musl-dev:armhf linux-libc-dev-armhf-cross
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error ARCH=$(ARCH): not one of $(ARCHES))
endif

# O: the target's objects; TI: its binary; TCC: its musl compiler.  The
# host's are where they always were (./tcpinspect, build/*.o).
ifeq ($(ARCH),$(HOST_ARCH))
O   := $(B)
TI  := tcpinspect
TCC := $(CC)
TINC := $(INC)
else
O   := $(B)/$(ARCH)
TI  := $(O)/tcpinspect
TCC := $(MUSLCC_$(ARCH))
TINC := $(O)/include
endif

CFLAGS  ?= -Os -g0
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -isystem $(TINC) \
	   -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables \
	   -DVERSION='"$(VERSION)"'
# -z noseparate-code: code and read-only data share one segment, as
# before binutils 2.31: 8 KB less page padding (read-only data becomes
# executable: a static binary's usual trade).
LDFLAGS += -static -s -Wl,--gc-sections -Wl,-z,noseparate-code $(LDFLAGS_$(ARCH))
# arm64: no RELRO.  musl's static start-up never applies it, and with the
# segments aligned for 64 KiB pages it cost 36 KB of file padding.
LDFLAGS_arm64 := -Wl,-z,norelro
BPFFLAGS := -O2 -g -target bpf -I$(INC) -Iprog -Wall

FLT_SRCS := filter.c fltgen.c fltopt.c fltebpf.c fltnames.c
CMDS := cmd_capture.c cmd_flows.c cmd_replay.c cmd_load.c cmd_show.c cmd_probe.c \
	cmd_serve.c cmd_trace.c
SRCS := main.c opts.c session.c attach.c guard.c sig.c $(CMDS) \
	elf.c btf.c kern.c inflate.c bpf.c loader.c netlink.c ringbuf.c perfbuf.c evbuf.c probe.c \
	output.c print.c seqtab.c httpsum.c tls.c decode.c inspector.c $(FLT_SRCS) pcap.c replay.c \
	writer.c flows.c http.c srv.c api.c blob.c ipfix.c export.c hook.c
OBJS := $(SRCS:%.c=$(O)/%.o) $(O)/embed.o
HDRS := $(wildcard *.h) prog/tcpinspect.h

# Debian packages: to build, and additionally to run the tests.
BUILD_PKGS := make gcc libc6-dev clang llvm musl-tools linux-libc-dev
TEST_PKGS  := iproute2 util-linux groff-base jq nfdump libclang-rt-14-dev tcpdump tshark wireshark-common \
	      openssl xdp-tools bpftool ethtool procps curl prometheus wrk
# tests/qemu/qemu.sh: a second kernel.  Debian's kernel itself is fetched
# by the test with apt-get download into $(B)/qemu/, not installed into
# /boot.
TEST_PKGS  += qemu-system-x86 busybox-static cpio xz-utils
# tests/qemu/qemu_arm64.sh, qemu_arm64_16k.sh, qemu_armhf.sh: the arm64 and
# armhf binaries on Debian's kernels for them (qemu-system-arm has
# qemu-system-aarch64; busybox-static:ARCH and the kernels are fetched by
# the tests with apt-get download).
TEST_PKGS  += qemu-system-arm $(XPKGS_arm64) $(XPKGS_armhf)

PREFIX  ?= /usr/local
DESTDIR ?=

all: $(TI) tcpinspect.8

# The man page: its prose (docs/tcpinspect.8.in) with the SYNOPSIS and
# OPTIONS that mkman prints from the option table in opts.c.
$(B)/mkman: mkman.c opts.c opts.h flows.c flows.h writer.c writer.h pcap.c pcap.h $(INC)/.stamp
	gcc -std=gnu11 -O1 -Wall -Wextra -Wno-unused-parameter -isystem $(INC) -o $@ \
		mkman.c opts.c flows.c writer.c pcap.c

tcpinspect.8: docs/tcpinspect.8.in $(B)/mkman
	$(B)/mkman <docs/tcpinspect.8.in >$@.tmp && mv $@.tmp $@

install: $(TI) tcpinspect.8
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 755 $(TI) $(DESTDIR)$(PREFIX)/bin/tcpinspect
	install -m 644 tcpinspect.8 $(DESTDIR)$(PREFIX)/share/man/man8/tcpinspect.8

$(TI): $(OBJS)
	$(TCC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS)
	@echo "$@: $$(stat -c %s $@) bytes, static, stripped, $(ARCH)"

$(INC)/.stamp:
	mkdir -p $(INC)
	ln -sfn /usr/include/linux $(INC)/linux
	ln -sfn /usr/include/asm-generic $(INC)/asm-generic
	ln -sfn /usr/include/$(MULTIARCH)/asm $(INC)/asm
	touch $@

# Another architecture's include directory: its asm/ from linux-libc-dev:ARCH
# (/usr/include/TRIPLET/asm) or from the cross package (/usr/TRIPLET/include/asm).
ifneq ($(O),$(B))
XASM := $(firstword $(wildcard /usr/include/$(TRIPLET_$(ARCH))/asm /usr/$(TRIPLET_$(ARCH))/include/asm))
$(TINC)/.stamp:
	@command -v $(TCC) >/dev/null && [ -n "$(XASM)" ] || { \
		echo "ARCH=$(ARCH): no $(TCC) or no $(ARCH) kernel headers: 'make deps ARCH=$(ARCH)' installs $(XPKGS_$(ARCH))"; \
		exit 1; }
	mkdir -p $(TINC)
	ln -sfn /usr/include/linux $(TINC)/linux
	ln -sfn /usr/include/asm-generic $(TINC)/asm-generic
	ln -sfn $(XASM) $(TINC)/asm
	touch $@
endif

$(O)/%.o: %.c $(HDRS) $(TINC)/.stamp
	$(TCC) $(CFLAGS) -c -o $@ $<

# The packed files are .incbin'd: the compiler's dependency output
# cannot see them.
$(O)/embed.o: embed.S $(B)/xdp.o.lz $(B)/openapi.json.lz $(TINC)/.stamp
	$(TCC) -c -o $@ embed.S

# Build tools, run here whatever ARCH is: mkblob packs a file for
# embed.S (blob.c unpacks it), btfstrip drops the source text of line info.
$(B)/mkblob $(B)/btfstrip: $(B)/%: %.c
	@mkdir -p $(B)
	gcc -std=gnu11 -O2 -Wall -Wextra -o $@ $<

$(B)/%.lz: $(B)/% $(B)/mkblob
	$(B)/mkblob $< $@
$(B)/openapi.json.lz: openapi.json $(B)/mkblob
	$(B)/mkblob $< $@

# The program, built for -mcpu=v3 (JMP32, ALU32: Linux 5.1, before the
# global data it needs); without atomic fetch (5.12) the loader gives one
# function another body (inspector.c).  The DWARF goes; the BTF stays
# (the maps and global functions need it), with the line info's file
# and line numbers but not the text of each line.
$(B)/xdp.o: prog/xdp.c prog/tcpinspect.h prog/health.h prog/helpers.h $(INC)/.stamp $(B)/btfstrip
	$(CLANG) $(BPFFLAGS) -mcpu=v3 -c -o $@.full $<
	$(STRIP_BPF) -g --remove-section=.rel.BTF --remove-section=.rel.BTF.ext \
		--remove-section=.llvm_addrsig -o $@.tmp $@.full
	$(B)/btfstrip $@.tmp $@.btf $@.ext
	$(OBJCOPY_BPF) --update-section .BTF=$@.btf --update-section .BTF.ext=$@.ext $@.tmp $@
	rm -f $@.tmp $@.btf $@.ext

# --- dependencies, demo, tests -------------------------------------------

deps:
	@./tests/deps.sh $(BUILD_PKGS) $(if $(filter-out $(HOST_ARCH),$(ARCH)),$(XPKGS_$(ARCH)))

demo-deps:
	@./tests/deps.sh $(BUILD_PKGS) iproute2

test-deps:
	@./tests/deps.sh $(BUILD_PKGS) $(TEST_PKGS)

demo: demo-deps
	$(MAKE) all $(B)/peer
	./tests/demo.sh

TEST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter -iquote . \
	       -isystem $(INC) -fsanitize=address,undefined -fno-sanitize-recover=all

# Unit tests: tests/unit/NAME_test.c with the module NAME.c (and what
# else it links or reads, added below), under the sanitizers.  They need
# no root and no kernel: `make unit` runs them alone.
UNIT_BINS := $(B)/elf_test $(B)/btf_test $(B)/kern_test $(B)/http_test \
	     $(B)/filter_test $(B)/flows_test $(B)/pcap_test $(B)/ringbuf_test \
	     $(B)/writer_test $(B)/decode_test $(B)/blob_test $(B)/ipfix_test \
	     $(B)/seqtab_test $(B)/print_test $(B)/httpsum_test $(B)/tls_test

$(UNIT_BINS): $(B)/%_test: tests/unit/%_test.c %.c %.h tests/wire.h tests/result.h \
		prog/tcpinspect.h $(INC)/.stamp
	gcc $(TEST_CFLAGS) -o $@ $(filter %.c,$^)

# filter_test: the compiler's other parts, the models of the program
# and of libpcap's filter, the random expressions.
$(B)/filter_test: fltgen.c fltopt.c fltebpf.c fltnames.c fltcc.h tests/fltmodel.h \
		  tests/randexpr.h

# elf_test reads the embedded object and links btf.c, blob_test the
# packed files; kern_test links what kern.c calls; writer_test links
# pcap.c as well, ipfix_test export.c and flows.c, print_test what
# print.c reads with.
$(B)/elf_test: $(B)/xdp.o btf.c btf.h
$(B)/blob_test: $(B)/xdp.o.lz $(B)/openapi.json.lz
$(B)/kern_test: inflate.c inflate.h bpf.c bpf.h btf.c btf.h
$(B)/writer_test: pcap.c pcap.h
$(B)/ipfix_test: export.c export.h flows.c flows.h
$(B)/print_test: seqtab.c seqtab.h decode.c decode.h pcap.c pcap.h
$(B)/tls_test: tests/hello.h

PROG_TEST_SRCS := bpf.c elf.c btf.c kern.c inflate.c loader.c ringbuf.c perfbuf.c evbuf.c probe.c netlink.c decode.c blob.c \
		  inspector.c $(FLT_SRCS) flows.c

$(B)/prog_test: tests/system/prog_test.c tests/wire.h $(PROG_TEST_SRCS) $(HDRS) \
		$(B)/embed.o $(B)/reject.o
	gcc $(TEST_CFLAGS) -o $@ tests/system/prog_test.c $(PROG_TEST_SRCS) \
		$(B)/embed.o

# BPF objects of the tests, from tests/objs/ like the loader's corpus
# below: a foreign program that passes everything, one the verifier
# refuses (also in the corpus), and the generator's.
$(B)/gen_xdp.o: tests/wire.h prog/helpers.h
$(B)/floor.o: prog/helpers.h
$(B)/pass.o $(B)/fw.o $(B)/tc_drop.o $(B)/fexit_log.o $(B)/reject.o $(B)/gen_xdp.o $(B)/floor.o: $(B)/%.o: tests/objs/%.c $(INC)/.stamp
	$(CLANG) $(BPFFLAGS) -c -o $@ $<

$(B)/peer: tests/tools/peer.c
	gcc -std=gnu11 -O2 -Wall -o $@ $<

$(B)/relay: tests/tools/relay.c
	gcc -std=gnu11 -O2 -Wall -Wextra -o $@ $<

# prog/health.h in user space, over a capture file (health.sh)
$(B)/health_dump: tests/tools/health_dump.c prog/health.h prog/tcpinspect.h pcap.c pcap.h
	gcc -std=gnu11 -O2 -Wall -Wextra -iquote . -o $@ tests/tools/health_dump.c pcap.c

# The HTTP clients of the serve tests and benchmarks (curl cannot be them).
$(B)/httpc: tests/tools/httpc.c
	gcc -std=gnu11 -O2 -Wall -Wextra -o $@ $<

# The same, static, for the initramfs of tests/qemu/qemu.sh (ARCH=arm64:
# of tests/qemu/qemu_arm64.sh, as build/arm64/peer-static).
$(O)/peer-static: tests/tools/peer.c $(TINC)/.stamp
	$(TCC) -std=gnu11 -O2 -Wall -static -s -o $@ $<

# The guests' netem and clsact qdiscs (busybox tc makes neither), static
# for each guest architecture like peer-static.
$(O)/netem-static: tests/tools/netem.c $(TINC)/.stamp
	$(TCC) -std=gnu11 -O2 -Wall -Wextra -isystem $(TINC) -static -s -o $@ $<

# The loader's test corpus: tests/objs/NAME.c, but for pass.c, floor.c
# and gen_xdp.c, built as $(B)/objs/NAME.CPU.g.o for every -mcpu, and as
# NAME.CPU.o without -g unless the object needs BTF (BTF-defined maps
# exist only in .BTF).
OBJ_CPUS  := v1 v2 v3
# The loader's newer features (tests/objs/ldx.h): CO-RE against struct
# layouts other than the kernel's, kfuncs and typed ksyms, __kconfig,
# sections named the iproute2 way, xdp.frags, maps sized by the loader,
# bpf_printk.  One build each, -g (CO-RE and externs need BTF), for
# tests/system/loadx.sh; core_kern also with compressed DWARF (clang -gz).
LDX_NAMES := core_ctx core_kern core_enum core_bad core_mod kfunc ksym_var kconfig kconfig_bad \
	     sec_names sec_prog sec_other sec_frags sec_devmap perf_nosize nosize printk
LDX_FILES := $(LDX_NAMES:%=$(B)/objs/%.o) $(B)/objs/core_kern.gz.o
OBJ_NAMES := $(filter-out pass fw tc_drop fexit_log gen_xdp floor $(LDX_NAMES),$(basename $(notdir $(wildcard tests/objs/*.c))))
OBJ_BTF   := btf_maps tailcall mapinmap pinned pinned_bad pinned_bad_type \
	     callbacks pinned_reject
OBJ_FILES := $(foreach n,$(OBJ_NAMES),$(foreach c,$(OBJ_CPUS),\
	$(B)/objs/$(n).$(c).g.o $(if $(filter $(n),$(OBJ_BTF)),,$(B)/objs/$(n).$(c).o)))
OBJ_FLAGS := -O2 -target bpf -I$(INC) -Iprog -Wall

objs: $(OBJ_FILES) $(LDX_FILES)

$(filter-out %.gz.o,$(LDX_FILES)): $(B)/objs/%.o: tests/objs/%.c tests/objs/ldx.h prog/helpers.h $(INC)/.stamp
	@mkdir -p $(@D)
	$(CLANG) $(OBJ_FLAGS) -mcpu=v3 -g -c -o $@ $<

$(B)/objs/%.gz.o: tests/objs/%.c tests/objs/ldx.h prog/helpers.h $(INC)/.stamp
	@mkdir -p $(@D)
	$(CLANG) $(OBJ_FLAGS) -mcpu=v3 -g -gz -c -o $@ $<

# The stem is NAME.CPU or NAME.CPU.g: the source and the flags come from it.
obj_word = $(word $(1),$(subst ., ,$(2)))
.SECONDEXPANSION:
$(B)/objs/%.o: tests/objs/$$(call obj_word,1,$$*).c prog/helpers.h $(INC)/.stamp
	@mkdir -p $(@D)
	$(CLANG) $(OBJ_FLAGS) -mcpu=$(call obj_word,2,$*) \
		$(if $(call obj_word,3,$*),-g) -c -o $@ $<

LOADER_SRCS := bpf.c elf.c btf.c kern.c inflate.c loader.c

$(B)/loader_test: tests/system/loader_test.c $(LOADER_SRCS) $(HDRS)
	gcc $(TEST_CFLAGS) -o $@ tests/system/loader_test.c $(LOADER_SRCS)

# The capture file of varied traffic that replay, filter_cmp and
# decode_cmp feed through the program (and compare with tcpdump, tshark).
$(B)/mkpcap: tests/tools/mkpcap.c tests/wire.h tests/hello.h pcap.c pcap.h $(INC)/.stamp
	gcc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -iquote . -I$(INC) \
		-o $@ tests/tools/mkpcap.c pcap.c

# The compiler's classic programs against libpcap's (filter_pcap.sh),
# linked with tcpdump's libpcap (libpcap0.8: no headers needed).
$(B)/fltpcap: tests/tools/fltpcap.c $(FLT_SRCS) filter.h fltcc.h $(INC)/.stamp
	gcc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -iquote . -I$(INC) \
		-o $@ tests/tools/fltpcap.c $(FLT_SRCS) -l:libpcap.so.0.8

TEST_BINS := $(UNIT_BINS) $(B)/prog_test $(B)/peer $(B)/httpc $(B)/pass.o $(B)/reject.o $(B)/floor.o \
	     $(B)/fw.o $(B)/tc_drop.o $(B)/fexit_log.o $(B)/relay $(B)/health_dump \
	     $(B)/loader_test $(OBJ_FILES) $(LDX_FILES) $(B)/mkpcap $(B)/gen $(B)/bench_prog \
	     $(B)/fltpcap

check: test-deps
	$(MAKE) -s ARCH=$(HOST_ARCH) all $(TEST_BINS)
	$(MAKE) -s ARCH=arm64 all $(B)/arm64/peer-static $(B)/arm64/netem-static
	$(MAKE) -s ARCH=armhf all $(B)/armhf/peer-static $(B)/armhf/netem-static
	./tests/run

# The unit tests alone, in seconds: no root, no network namespaces, no
# BPF in the kernel; only the build dependencies.
unit: deps
	$(MAKE) -s ARCH=$(HOST_ARCH) all $(UNIT_BINS)
	./tests/run unit

# libFuzzer harnesses of elf.c, btf.c, http.c, tls.c, httpsum.c, print.c
# (with decode.c) and the filter compiler.  Built only where clang has the
# fuzzer runtime (Debian: libclang-rt-14-dev); tests/fuzz/fuzz.sh skips
# without it.
# `make fuzz FUZZ_SECONDS=N` fuzzes elf.c: it grows $(B)/fuzz-corpus, seeded
# from the objects that exist; crash inputs are written as $(B)/fuzz-crash-*.
# `make fuzz FUZZ_TARGET=btf` (or `make fuzz-btf`) fuzzes btf.c from pairs of
# the test objects' .BTF, in $(B)/fuzz-corpus-btf; crash inputs $(B)/fuzz-btf-crash-*.
# `make fuzz FUZZ_TARGET=http` (the same as `make fuzz-http`) fuzzes http.c:
# $(B)/fuzz-corpus-http grows from tests/fuzz/http-seeds/ with the words of
# tests/fuzz/fuzz-http.dict; crash inputs are written as $(B)/fuzz-http-crash-*.
# `make fuzz-filter` the same for the filter compiler (filter-seeds/,
# fuzz-filter.dict, $(B)/fuzz-filter-crash-*).
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   ?=
FUZZ_TARGET  ?= elf
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-iquote . -I$(INC)

FUZZ_HARNESSES := elf btf http tls httpsum print
# What a harness links besides its module.
FUZZ_EXTRA_elf := btf.c
FUZZ_EXTRA_print := decode.c seqtab.c

$(B)/fuzz_elf: btf.c btf.h
$(B)/fuzz_elf $(B)/fuzz_btf $(B)/fuzz_http: tests/fuzz/check.h
$(FUZZ_HARNESSES:%=$(B)/fuzz_%): $(B)/fuzz_%: tests/fuzz/fuzz_%.c %.c %.h $(INC)/.stamp
	@if [ -f "$$($(CLANG) -print-file-name=libclang_rt.fuzzer-$$(uname -m).a)" ]; then \
		echo "$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_$*.c $*.c $(FUZZ_EXTRA_$*)"; \
		$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_$*.c $*.c $(FUZZ_EXTRA_$*); \
	else \
		echo "$@: not built: $(CLANG) has no libFuzzer runtime (Debian: libclang-rt-14-dev)"; \
	fi
$(B)/fuzz_print: decode.c decode.h seqtab.c seqtab.h
$(B)/fuzz_tls $(B)/fuzz_httpsum $(B)/fuzz_print: tests/fuzz/fuzz.h

# The filter compiler is five files, checked against tests/fltmodel.h.
$(B)/fuzz_filter: tests/fuzz/fuzz_filter.c $(FLT_SRCS) filter.h fltcc.h tests/fltmodel.h \
		  tests/randexpr.h tests/wire.h prog/tcpinspect.h $(INC)/.stamp
	@if [ -f "$$($(CLANG) -print-file-name=libclang_rt.fuzzer-$$(uname -m).a)" ]; then \
		echo "$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_filter.c $(FLT_SRCS)"; \
		$(CLANG) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_filter.c $(FLT_SRCS); \
	else \
		echo "$@: not built: $(CLANG) has no libFuzzer runtime (Debian: libclang-rt-14-dev)"; \
	fi

fuzz: fuzz-$(FUZZ_TARGET)

fuzz-elf: $(B)/fuzz_elf $(B)/xdp.o $(B)/pass.o $(B)/reject.o
	@test -x $(B)/fuzz_elf || { echo "fuzz: no $(B)/fuzz_elf"; exit 1; }
	@mkdir -p $(B)/fuzz-corpus
	@for f in $(B)/xdp.o $(B)/pass.o $(B)/reject.o $(B)/objs/*.o; do \
		[ ! -f "$$f" ] || cp "$$f" "$(B)/fuzz-corpus/seed-$${f##*/}"; done
	@{ ./$(B)/fuzz_elf -max_len=65536 -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 -artifact_prefix=$(B)/fuzz- $(FUZZ_FLAGS) \
		$(B)/fuzz-corpus 2>&1; echo $$? >$(B)/fuzz.rc; } | tee $(B)/fuzz.log
	@grep -E '^(Done|stat::number_of_executed|stat::average_exec)' $(B)/fuzz.log; \
		grep -E '^#[0-9]+' $(B)/fuzz.log | tail -1; exit $$(cat $(B)/fuzz.rc)

# The seeds are pairs of the test objects' .BTF (tests/fuzz/btf-seeds.sh).
fuzz-btf: $(B)/fuzz_btf objs
	@test -x $(B)/fuzz_btf || { echo "fuzz-btf: no $(B)/fuzz_btf"; exit 1; }
	@mkdir -p $(B)/fuzz-corpus-btf
	@tests/fuzz/btf-seeds.sh $(B)/fuzz-corpus-btf
	@{ ./$(B)/fuzz_btf -max_len=16384 -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 -artifact_prefix=$(B)/fuzz-btf- $(FUZZ_FLAGS) \
		$(B)/fuzz-corpus-btf 2>&1; echo $$? >$(B)/fuzz-btf.rc; } | tee $(B)/fuzz-btf.log
	@grep -E '^(Done|stat::number_of_executed|stat::average_exec)' $(B)/fuzz-btf.log; \
		grep -E '^#[0-9]+' $(B)/fuzz-btf.log | tail -1; exit $$(cat $(B)/fuzz-btf.rc)

# New inputs go to the first directory only: tests/fuzz/NAME-seeds stays as it is.
FUZZ_MAX_LEN_http   := 10000
FUZZ_MAX_LEN_filter := 512
fuzz-http fuzz-filter: fuzz-%: $(B)/fuzz_%
	@test -x $(B)/fuzz_$* || { echo "fuzz-$*: no $(B)/fuzz_$*"; exit 1; }
	@mkdir -p $(B)/fuzz-corpus-$*
	@{ ./$(B)/fuzz_$* -max_len=$(FUZZ_MAX_LEN_$*) -max_total_time=$(FUZZ_SECONDS) \
		-dict=tests/fuzz/fuzz-$*.dict -print_final_stats=1 \
		-artifact_prefix=$(B)/fuzz-$*- $(FUZZ_FLAGS) \
		$(B)/fuzz-corpus-$* tests/fuzz/$*-seeds 2>&1; \
		echo $$? >$(B)/fuzz-$*.rc; } | tee $(B)/fuzz-$*.log
	@grep -E '^(Done|stat::number_of_executed|stat::average_exec)' $(B)/fuzz-$*.log; \
		grep -E '^#[0-9]+' $(B)/fuzz-$*.log | tail -1; exit $$(cat $(B)/fuzz-$*.rc)

# `make fuzz-tls`, `fuzz-httpsum`, `fuzz-print` (or FUZZ_TARGET=tls ...):
# $(B)/fuzz-corpus-NAME grows from tests/fuzz/NAME-seeds/; crash inputs
# are written as $(B)/fuzz-NAME-crash-*.
fuzz-tls fuzz-httpsum fuzz-print: fuzz-%: $(B)/fuzz_%
	@test -x $(B)/fuzz_$* || { echo "fuzz-$*: no $(B)/fuzz_$*"; exit 1; }
	@mkdir -p $(B)/fuzz-corpus-$*
	@{ ./$(B)/fuzz_$* -max_len=4096 -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 -artifact_prefix=$(B)/fuzz-$*- $(FUZZ_FLAGS) \
		$(B)/fuzz-corpus-$* tests/fuzz/$*-seeds 2>&1; \
		echo $$? >$(B)/fuzz-$*.rc; } | tee $(B)/fuzz-$*.log
	@grep -E '^(Done|stat::number_of_executed|stat::average_exec)' $(B)/fuzz-$*.log; \
		grep -E '^#[0-9]+' $(B)/fuzz-$*.log | tail -1; exit $$(cat $(B)/fuzz-$*.rc)

TEST_BINS += $(FUZZ_HARNESSES:%=$(B)/fuzz_%)
TEST_BINS += $(B)/fuzz_filter
TEST_BINS += $(B)/peer-static $(B)/netem-static

.PHONY: fuzz fuzz-elf fuzz-btf fuzz-http fuzz-tls fuzz-httpsum fuzz-print fuzz-filter

# Figures, not assertions: see BENCHMARKS.md.
BENCH_SRCS := bpf.c elf.c btf.c kern.c inflate.c loader.c ringbuf.c perfbuf.c evbuf.c probe.c netlink.c decode.c blob.c \
	      inspector.c $(FLT_SRCS) flows.c

$(B)/bench_prog: tests/bench/bench_prog.c $(BENCH_SRCS) $(HDRS) $(B)/embed.o
	gcc -std=gnu11 -O2 -Wall -iquote . -I$(INC) -o $@ tests/bench/bench_prog.c \
		$(BENCH_SRCS) $(B)/embed.o

GEN_SRCS := bpf.c elf.c btf.c kern.c inflate.c loader.c

$(B)/gen: tests/tools/gen.c tests/wire.h $(GEN_SRCS) $(HDRS) $(B)/gen_xdp.o
	gcc -std=gnu11 -O2 -Wall -iquote . -I$(INC) -o $@ tests/tools/gen.c \
		$(GEN_SRCS)

# The peers tests/bench/bench.sh measures tcpinspect against, and ethtool to
# turn on GRO at the receiving veth.  procps: pgrep/ps; util-linux: taskset.
# wrk and busybox httpd (the yardstick): serve under HTTP load.
BENCH_PKGS := tcpdump xdp-tools ethtool procps util-linux wrk busybox-static curl

bench-deps:
	@./tests/deps.sh $(BUILD_PKGS) iproute2 $(BENCH_PKGS)

bench: bench-deps
	$(MAKE) -s all $(B)/bench_prog $(B)/pass.o $(B)/floor.o $(B)/gen $(B)/httpc $(B)/peer
	./tests/bench/bench.sh
	./tests/bench/serve_load.sh

# --- one binary per architecture ----------------------------------------
# dist/tcpinspect-ARCH for each, their sizes and SHA256SUMS.
dist-deps:
	@./tests/deps.sh $(BUILD_PKGS) $(foreach a,$(filter-out $(HOST_ARCH),$(ARCHES)),$(XPKGS_$(a)))

dist: dist-deps
	@set -e; mkdir -p dist; rm -f dist/tcpinspect-* dist/SHA256SUMS; \
	for a in $(ARCHES); do \
		$(MAKE) -s ARCH=$$a all >/dev/null; \
		if [ $$a = $(HOST_ARCH) ]; then f=tcpinspect; else f=$(B)/$$a/tcpinspect; fi; \
		cp $$f dist/tcpinspect-$$a; \
	done; \
	cd dist && sha256sum tcpinspect-* >SHA256SUMS && \
	for a in $(ARCHES); do \
		printf '%-20s %8s bytes  %s\n' tcpinspect-$$a "$$(stat -c %s tcpinspect-$$a)" \
			"$$(sed -n "s/  tcpinspect-$$a\$$//p" SHA256SUMS)"; \
	done

clean:
	rm -rf $(B) tcpinspect tcpinspect.8 dist

.PHONY: bench bench-deps dist dist-deps all deps demo-deps test-deps demo check unit clean objs install
