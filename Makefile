# vmm: one entry point. `make` builds build/riscv64/vmm, the native unit
# tests and the firmware; `make check` runs every test; `make demo` boots a
# Linux guest. See README.md.

HOST_ARCH := $(shell uname -m)
ifeq ($(HOST_ARCH),riscv64)
CROSS_COMPILE ?=
else
CROSS_COMPILE ?= riscv64-linux-gnu-
endif
RV_CC := $(CROSS_COMPILE)gcc
RV_OBJCOPY := $(CROSS_COMPILE)objcopy
HOST_CC ?= cc

XDG_CACHE_HOME ?= $(HOME)/.cache
VMM_CACHE ?= $(XDG_CACHE_HOME)/vmm
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

# Cache keys: a hash of everything that goes into each image, so a second
# `make images` finds them and a changed input builds anew.
LINUX_SRC_VERSION := $(shell dpkg-query -W -f='$${Version}' linux-source-6.1 2>/dev/null)
hash = $(shell cat $(1) | sha256sum | cut -c1-16)
KERNEL_DIR := $(VMM_CACHE)/kernel-$(call hash,tests/kernel.config contrib/build-kernel.sh)-$(LINUX_SRC_VERSION)
LIBFDT_DIR := $(VMM_CACHE)/libfdt-riscv64-$(call hash,contrib/build-libfdt.sh)-$(LINUX_SRC_VERSION)
BUSYBOX_DIR := $(VMM_CACHE)/busybox-$(call hash,contrib/build-busybox.sh)
# passt for the nested host's `--net user` (no riscv64 package in bookworm).
PASST_DIR := $(VMM_CACHE)/passt-riscv64-$(call hash,contrib/build-passt.sh)
# The trap backend's Linux guest: a NOMMU 6.12 kernel, busybox against musl.
LINUX612_SRC_VERSION := $(shell dpkg-query -W -f='$${Version}' linux-source-6.12 2>/dev/null)
NOMMU_KERNEL_DIR := $(VMM_CACHE)/nommu-kernel-$(call hash,tests/nommu/kernel.config contrib/build-kernel.sh)-$(LINUX612_SRC_VERSION)
# A Linux 6.12 nested host (and guest) beside 6.1: the same fragment.
KERNEL612_DIR := $(VMM_CACHE)/kernel612-$(call hash,tests/kernel.config tests/kernel-6.12.config contrib/build-kernel.sh)-$(LINUX612_SRC_VERSION)
MUSL_DIR := $(VMM_CACHE)/musl-riscv64-$(call hash,contrib/build-musl.sh contrib/musl-riscv64-vfork.s)
# The guests' own programs link against musl (static-PIE,
# contrib/musl-cc.sh), which a NOMMU Linux needs and which keeps them near
# 50 KiB where glibc's static link is 500: a guest unpacks its initramfs
# at the nested guest's speed at every boot.
GUEST_CC := MUSL=$(MUSL_DIR) sh contrib/musl-cc.sh
GUEST_CC_DEPS := $(MUSL_DIR)/lib/libc.a contrib/musl-cc.sh
NOMMU_BUSYBOX_DIR := $(VMM_CACHE)/busybox-nommu-$(call hash,contrib/build-busybox.sh contrib/musl-cc.sh contrib/build-musl.sh contrib/musl-riscv64-vfork.s)

WARN := -Wall -Wextra -Werror
CFLAGS_COMMON := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -DVMM_VERSION='"$(VERSION)"'

# Portable code: built for riscv64 and natively for the unit tests.
PORTABLE_SRCS := vmm/bus.c vmm/config.c vmm/loader.c vmm/log.c vmm/mem.c \
	vmm/sbi.c vmm/hw/clint.c vmm/hw/finisher.c vmm/hw/plic.c vmm/hw/uart8250.c \
	vmm/trap/csr.c vmm/trap/decode.c vmm/trap/hart.c vmm/trap/interp.c vmm/trap/quick.c vmm/trap/walk.c vmm/console.c vmm/config_file.c fdt/fdt.c \
	virtio/virtq.c virtio/mmio.c \
	virtio/blk.c virtio/blk_aio.c virtio/uring.c virtio/worker.c virtio/rng.c virtio/net.c virtio/net_rx.c virtio/net_ctrl.c virtio/net_link.c
# riscv64 only: the CLI, the VM's life and the KVM backend.
RISCV_SRCS := vmm/main.c vmm/cmd_run.c vmm/cmd_ctl.c vmm/control.c vmm/rundir.c vmm/vm.c vmm/devices.c vmm/irqchip.c vmm/lifecycle.c vmm/counters.c \
	vmm/kvm/kvm.c vmm/kvm/cpus.c vmm/kvm/aia.c vmm/kvm/batch.c vmm/kvm/stats.c vmm/trap/exec.c vmm/trap/emulate.c vmm/trap/ahead.c vmm/trap/harts.c vmm/trap/stats.c vmm/trap/spaces.c vmm/trap/fast.c vmm/trap/sandbox.c vmm/trap/sandbox_park.c
HEADERS := $(wildcard vmm/*.h vmm/*/*.h fdt/*.h virtio/*.h)

RV_OBJS := $(patsubst %.c,build/riscv64/obj/%.o,$(PORTABLE_SRCS) $(RISCV_SRCS)) \
	build/riscv64/obj/vmm/trap/sandbox_page.o
NATIVE_OBJS := $(patsubst %.c,build/native/%.o,$(PORTABLE_SRCS))
# On a host that is not riscv64, a native vmm too: --help, vmm check and
# the lifecycle commands work; run says guests need a riscv64 host.
FRONT_SRCS := vmm/main.c vmm/cmd_run.c vmm/cmd_ctl.c vmm/control.c vmm/rundir.c vmm/vm.c vmm/devices.c vmm/irqchip.c \
	vmm/lifecycle.c vmm/counters.c vmm/foreign_host.c
FOREIGN_VMM := $(if $(filter riscv64,$(shell uname -m)),,build/native/bin/vmm)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,build/native/%,$(UNIT_SRCS))

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
NATIVE_CFLAGS := $(CFLAGS_COMMON) $(SAN) $(shell pkg-config --cflags cmocka 2>/dev/null)
NATIVE_LIBS := -lfdt $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

FW_CFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
	-ffreestanding -fno-pic -nostdlib -nostartfiles -O2 -g $(WARN) -Ifirmware \
	-Wl,--no-warn-rwx-segments -Wl,--build-id=none
# Programs for S-mode (vmm's KVM guests) and for M-mode (-bios none).
FW_S_PROGS := hello csr sbi crash virtio spin timer smp plic rfence hostile hang trapbench mapattack scribble isolation reset trampoline fastcsr netattack exitbench
FW_M_PROGS := hello mmode minikernel trampoline
FW_ELFS := $(foreach p,$(FW_S_PROGS),build/firmware/$(p)-s.elf) \
	$(foreach p,$(FW_M_PROGS),build/firmware/$(p)-m.elf) build/firmware/first.elf
FW_BINS := $(FW_ELFS:.elf=.bin)

.PHONY: all unit fuzz images check soak demo bench deps clean format
all: build/riscv64/vmm $(UNIT_BINS) $(FW_ELFS) $(FW_BINS) build/fuzz/fuzz_virtq build/fuzz/fuzz_config \
	$(FOREIGN_VMM)

# --- riscv64 vmm ---------------------------------------------------------
$(LIBFDT_DIR)/libfdt.a:
	sh contrib/build-libfdt.sh $(RV_CC) $(LIBFDT_DIR)

# Link-time optimisation: the trap backend's interpreter (trap/ahead.c)
# calls the decoder and the ALU (interp.c, decode.c) for every instruction
# it runs; inlined across files, a NOMMU guest's getpid went from 81 to 56
# us and its boot to the prompt from 8.2 to 7.6 s (bench/nommu.sh, A/B in
# one nested run).
RV_CFLAGS := $(CFLAGS_COMMON) -flto
# The trap backend's code without jump tables: its hot loops run once per
# guest instruction, and an indirect jump costs most there (under TCG a
# lookup of the next block each time; see vmm/trap/quick.c).
build/riscv64/obj/%.o: %.c $(HEADERS) $(LIBFDT_DIR)/libfdt.a
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_CFLAGS) $(if $(filter vmm/trap/%,$<),-fno-jump-tables) -fPIE -I$(LIBFDT_DIR)/include -c $< -o $@

build/riscv64/obj/%.o: %.S $(HEADERS)
	@mkdir -p $(dir $@)
	$(RV_CC) -c $< -o $@

# Plain -static (Debian's cross glibc ships no rcrt1.o, so no -static-pie),
# linked at 1 GiB: the trap backend's guests name low addresses (MMIO from
# 1 MiB to 0x10009000, RAM from 2 GiB) that a binary at the default 0x10000
# would occupy; the toolchain's medlow start files keep it below 2 GiB.
# The trap backend's quick loop must fit the page it starts (see
# vmm/trap/quick.c): the link fails, saying so, when it has outgrown it.
build/riscv64/vmm: $(RV_OBJS) $(LIBFDT_DIR)/libfdt.a
	$(RV_CC) $(RV_CFLAGS) -flto=auto -static -Wl,-Ttext-segment=0x40000000 -o $@.tmp $(RV_OBJS) $(LIBFDT_DIR)/libfdt.a -lpthread
	$(CROSS_COMPILE)nm -S $@.tmp | awk '$$4 == "quick_run" { found = 1; if ($$2 > "0000000000001000") { print "vmm/trap/quick.c: quick_run is 0x" $$2 " bytes, more than the 4096-byte page it must fit"; exit 1 } } END { if (!found) { print "vmm/trap/quick.c: no quick_run in the riscv64 binary"; exit 1 } }'
	mv $@.tmp $@

# --- native unit tests ---------------------------------------------------
build/native/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(NATIVE_CFLAGS) -c $< -o $@

build/native/bin/vmm: $(patsubst %.c,build/native/%.o,$(FRONT_SRCS)) $(NATIVE_OBJS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(NATIVE_CFLAGS) -o $@ $^ -lfdt -lpthread

build/native/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(NATIVE_OBJS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(NATIVE_CFLAGS) -Itests/unit -o $@ $< $(filter %.o,$^) $(NATIVE_LIBS) -lpthread
# The control socket is the CLI's, not portable: its test brings it along.
build/native/test_control: build/native/vmm/control.o build/native/vmm/rundir.o build/native/vmm/counters.o

# libFuzzer target for the virtqueue walker, blk requests and net frames (clang).
FUZZ_SRCS := virtio/virtq.c virtio/blk.c virtio/blk_aio.c virtio/uring.c virtio/worker.c virtio/mmio.c virtio/net.c virtio/net_rx.c virtio/net_ctrl.c virtio/net_link.c vmm/mem.c vmm/log.c
build/fuzz/fuzz_virtq: tests/fuzz/fuzz_virtq.c $(FUZZ_SRCS) $(HEADERS)
	@mkdir -p $(dir $@)
	clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_virtq.c $(FUZZ_SRCS) -lpthread

CONFIG_FUZZ_SRCS := vmm/config_file.c vmm/config.c vmm/loader.c vmm/mem.c vmm/log.c
build/fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(CONFIG_FUZZ_SRCS) $(HEADERS)
	@mkdir -p $(dir $@)
	clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_config.c $(CONFIG_FUZZ_SRCS)

FUZZ_SECONDS ?= 300
fuzz: build/fuzz/fuzz_virtq build/fuzz/fuzz_config
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

unit: $(UNIT_BINS)
	@sh tests/run-unit.sh $(UNIT_BINS)

# --- firmware ------------------------------------------------------------
FW_LIB := firmware/crt0.S firmware/mtimer.S firmware/lib.c firmware/vmmio.c firmware/vblk.c
build/firmware/%-s.elf: firmware/%.c $(FW_LIB) firmware/fw.h firmware/link-s.ld
	@mkdir -p $(dir $@)
	$(RV_CC) $(FW_CFLAGS) -DFW_SMODE -T firmware/link-s.ld -o $@ $(FW_LIB) $<
build/firmware/first.elf: firmware/first.S firmware/link-s.ld firmware/layout.ld
	@mkdir -p $(dir $@)
	$(RV_CC) $(FW_CFLAGS) -T firmware/link-s.ld -o $@ $<
build/firmware/%.bin: build/firmware/%.elf
	$(RV_OBJCOPY) -O binary $< $@
build/firmware/%-m.elf: firmware/%.c $(FW_LIB) firmware/fw.h firmware/link-m.ld
	@mkdir -p $(dir $@)
	$(RV_CC) $(FW_CFLAGS) -T firmware/link-m.ld -o $@ $(FW_LIB) $<

# --- images (cached outside the tree) -------------------------------------
$(KERNEL_DIR)/Image:
	sh contrib/build-kernel.sh tests/kernel.config $(KERNEL_DIR)
$(KERNEL612_DIR)/Image:
	sh contrib/build-kernel.sh tests/kernel.config,tests/kernel-6.12.config $(KERNEL612_DIR) 6.12
$(BUSYBOX_DIR)/busybox:
	sh contrib/build-busybox.sh $(BUSYBOX_DIR)
$(PASST_DIR)/passt:
	sh contrib/build-passt.sh $(PASST_DIR)
$(NOMMU_KERNEL_DIR)/Image:
	sh contrib/build-kernel.sh tests/nommu/kernel.config $(NOMMU_KERNEL_DIR) 6.12 nommu_virt_defconfig
$(MUSL_DIR)/lib/libc.a:
	sh contrib/build-musl.sh $(MUSL_DIR)
$(NOMMU_BUSYBOX_DIR)/busybox: $(MUSL_DIR)/lib/libc.a
	sh contrib/build-busybox.sh $(NOMMU_BUSYBOX_DIR) $(MUSL_DIR)
images: $(KERNEL_DIR)/Image $(BUSYBOX_DIR)/busybox $(LIBFDT_DIR)/libfdt.a \
		$(NOMMU_KERNEL_DIR)/Image $(NOMMU_BUSYBOX_DIR)/busybox $(PASST_DIR)/passt \
		$(KERNEL612_DIR)/Image
	@echo "images: $(KERNEL_DIR) $(BUSYBOX_DIR) $(LIBFDT_DIR) $(NOMMU_KERNEL_DIR) $(NOMMU_BUSYBOX_DIR) $(PASST_DIR) $(KERNEL612_DIR)"

# The NOMMU guest's userspace, as an initramfs and as an ext2 root disk
# (genext2fs) with the same tree.
build/nested/syscall-bench: bench/syscall.c $(GUEST_CC_DEPS)
	@mkdir -p $(dir $@)
	$(GUEST_CC) -O2 $(WARN) -o $@ bench/syscall.c
NOMMU_FILES := tests/nommu/init $(NOMMU_BUSYBOX_DIR)/busybox build/nested/syscall-bench contrib/mkcpio.sh
build/nested/nommu.cpio: $(NOMMU_FILES)
	@mkdir -p $(dir $@)
	sh contrib/mkcpio.sh $@ tests/nommu/init $(NOMMU_BUSYBOX_DIR)/busybox bin/syscall-bench=build/nested/syscall-bench
build/nested/nommu-root.ext2: $(NOMMU_FILES)
	@mkdir -p $(dir $@)
	sh contrib/mkcpio.sh $@ tests/nommu/init $(NOMMU_BUSYBOX_DIR)/busybox bin/syscall-bench=build/nested/syscall-bench

# Debian's U-Boot for QEMU virt (u-boot-qemu): a real program the firmware
# tests run too, S-mode (after OpenSBI, or vmm) and M-mode (-bios).
UBOOT_S := /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
UBOOT_M := /usr/lib/u-boot/qemu-riscv64/u-boot.bin
FW_EXPECTED := $(wildcard firmware/expected/*.txt)
FW_INPUT := $(wildcard firmware/expected/*.in)
NESTED_SCRIPTS := $(wildcard tests/nested/tests/*.sh tests/nested/selftest/*.sh)

# The initramfs of the nested host and of the guest it runs.
build/nested/guest-init: tests/guest/init.c $(GUEST_CC_DEPS)
	@mkdir -p $(dir $@)
	$(GUEST_CC) -O2 $(WARN) -o $@ $<
build/nested/bench-boot: bench/boot.c
	@mkdir -p $(dir $@)
	$(RV_CC) -static -O2 $(WARN) -o $@ $<
build/nested/bench-kvmexit: bench/kvmexit.c
	@mkdir -p $(dir $@)
	$(RV_CC) -static -O2 $(WARN) -o $@ $<
build/nested/bench-signal: bench/signal.c
	@mkdir -p $(dir $@)
	$(RV_CC) -static -O2 $(WARN) -o $@ $<
build/nested/runas: tests/nested/runas.c
	@mkdir -p $(dir $@)
	$(RV_CC) -static -O2 $(WARN) -o $@ $<
build/nested/sockhold: tests/nested/sockhold.c
	@mkdir -p $(dir $@)
	$(RV_CC) -static -O2 $(WARN) -o $@ $<
build/nested/host-init: tests/nested/init.c
	@mkdir -p $(dir $@)
	$(RV_CC) -static -O2 $(WARN) -o $@ $<
build/nested/bench-blk: bench/blk.c $(GUEST_CC_DEPS)
	@mkdir -p $(dir $@)
	$(GUEST_CC) -O2 $(WARN) -o $@ $<
build/nested/bench-tcp: bench/tcp.c $(GUEST_CC_DEPS)
	@mkdir -p $(dir $@)
	$(GUEST_CC) -O2 $(WARN) -o $@ $<
build/nested/blkpattern: tests/guest/blkpattern.c $(GUEST_CC_DEPS)
	@mkdir -p $(dir $@)
	$(GUEST_CC) -O2 $(WARN) -o $@ $<
GUEST_SCRIPTS := $(wildcard tests/guest/scripts/*.sh)
build/nested/guest.cpio: build/nested/guest-init build/nested/blkpattern build/nested/bench-blk build/nested/bench-tcp $(GUEST_SCRIPTS) \
		$(BUSYBOX_DIR)/busybox contrib/mkcpio.sh
	sh contrib/mkcpio.sh $@ build/nested/guest-init $(BUSYBOX_DIR)/busybox \
		bin/blkpattern=build/nested/blkpattern bin/bench-blk=build/nested/bench-blk bin/bench-tcp=build/nested/bench-tcp \
		$(foreach t,$(GUEST_SCRIPTS),tests/$(notdir $(t))=$(t))
build/nested/host.cpio: build/nested/host-init build/nested/guest.cpio build/riscv64/vmm $(FW_ELFS) $(FW_BINS) \
		build/nested/blkpattern build/nested/runas build/nested/sockhold $(wildcard configs/*.conf) $(FW_EXPECTED) $(FW_INPUT) \
		$(UBOOT_S) $(UBOOT_M) \
		build/nested/bench-boot bench/boot.sh build/nested/bench-blk bench/blk.sh bench/blk-612.sh \
		build/nested/bench-signal bench/trap.sh bench/nommu.sh bench/net.sh \
		build/nested/bench-kvmexit bench/kvmexit.sh bench/console.sh build/nested/bench-tcp \
		$(KERNEL_DIR)/Image $(BUSYBOX_DIR)/busybox $(NESTED_SCRIPTS) tests/nested/lib.sh tests/nested/soak.sh tests/nested/soak-long.sh tests/nested/net-tap-long.sh tests/nested/aia-kvm.sh tests/nested/nommu.sh tests/nested/demo.sh tests/nested/demo-trap.sh contrib/mkcpio.sh \
		$(NOMMU_KERNEL_DIR)/Image build/nested/nommu.cpio build/nested/nommu-root.ext2 $(PASST_DIR)/passt \
		$(KERNEL612_DIR)/Image
	sh contrib/mkcpio.sh $@ build/nested/host-init $(BUSYBOX_DIR)/busybox bin/passt=$(PASST_DIR)/passt \
		guest/nommu/Image=$(NOMMU_KERNEL_DIR)/Image guest/nommu/rootfs.cpio=build/nested/nommu.cpio \
		guest/nommu/root.ext2=build/nested/nommu-root.ext2 guest/nommu/syscall-bench=build/nested/syscall-bench \
		bin/vmm=build/riscv64/vmm bin/bench-boot=build/nested/bench-boot \
		bin/blkpattern=build/nested/blkpattern bin/bench-blk=build/nested/bench-blk \
		bin/runas=build/nested/runas bin/sockhold=build/nested/sockhold bin/bench-signal=build/nested/bench-signal \
		bin/bench-kvmexit=build/nested/bench-kvmexit bin/bench-tcp=build/nested/bench-tcp tests/bench-kvmexit.sh=bench/kvmexit.sh \
		tests/bench-trap.sh=bench/trap.sh $(foreach c,$(wildcard configs/*.conf),configs/$(notdir $(c))=$(c)) \
		tests/bench-boot.sh=bench/boot.sh tests/bench-blk.sh=bench/blk.sh tests/bench-blk-612.sh=bench/blk-612.sh tests/bench-nommu.sh=bench/nommu.sh tests/bench-net.sh=bench/net.sh tests/bench-console.sh=bench/console.sh \
		guest/Image=$(KERNEL_DIR)/Image guest/Image-6.12=$(KERNEL612_DIR)/Image \
		guest/guest.cpio=build/nested/guest.cpio \
		$(foreach f,$(FW_ELFS) $(FW_BINS),firmware/$(notdir $(f))=$(f)) \
		$(foreach e,$(FW_EXPECTED),firmware/$(basename $(notdir $(e))).expected=$(e)) \
		$(foreach e,$(FW_INPUT),firmware/$(notdir $(e))=$(e)) \
		firmware/u-boot-s.bin=$(UBOOT_S) firmware/u-boot-m.bin=$(UBOOT_M) \
		tests/lib.sh=tests/nested/lib.sh tests/soak.sh=tests/nested/soak.sh tests/soak-long.sh=tests/nested/soak-long.sh tests/net-tap-long.sh=tests/nested/net-tap-long.sh tests/aia-kvm.sh=tests/nested/aia-kvm.sh tests/nommu.sh=tests/nested/nommu.sh tests/demo.sh=tests/nested/demo.sh tests/demo-trap.sh=tests/nested/demo-trap.sh \
		$(foreach t,$(NESTED_SCRIPTS),tests/$(notdir $(t))=$(t))

# --- the two commands of README.md ----------------------------------------
deps:
	@sh contrib/check-deps.sh || sh contrib/deps.sh

check: deps
	@$(MAKE) --no-print-directory all images build/nested/host.cpio
	@KERNEL=$(KERNEL_DIR)/Image KERNEL612=$(KERNEL612_DIR)/Image NOMMU_KERNEL=$(NOMMU_KERNEL_DIR)/Image sh tests/check.sh $(UNIT_BINS)

# The lifecycle soak at length (README "Tests"); make check runs 30 s of it.
soak: deps
	@$(MAKE) --no-print-directory all images build/nested/host.cpio
	@KERNEL=$(KERNEL_DIR)/Image sh tests/nested/run tests/nested/soak-long.sh tests/nested/net-tap-long.sh

# BACKEND=trap: the NOMMU Linux guest on the trap backend (README).
demo: deps
	@$(MAKE) --no-print-directory all images build/nested/host.cpio
	@KERNEL=$(KERNEL_DIR)/Image NOMMU_KERNEL=$(NOMMU_KERNEL_DIR)/Image BACKEND=$(BACKEND) sh tests/demo.sh

# Benchmarks print figures; they are not tests (README "Benchmarks").
bench: deps
	@$(MAKE) --no-print-directory all images build/nested/host.cpio
	@mkdir -p build/bench && for b in boot blk blk-612 trap nommu net kvmexit console; do cp bench/$$b.sh build/bench/bench-$$b.sh; done
	@rm -f build/nested/logs/bench-*.log.txt build/nested/logs/6.12-bench-*.log.txt
	@KERNEL=$(KERNEL_DIR)/Image sh tests/nested/run build/bench/bench-boot.sh build/bench/bench-blk.sh build/bench/bench-trap.sh build/bench/bench-nommu.sh build/bench/bench-net.sh build/bench/bench-kvmexit.sh build/bench/bench-console.sh; \
		status=$$?; KERNEL=$(KERNEL612_DIR)/Image NESTED_LABEL=6.12 sh tests/nested/run build/bench/bench-blk-612.sh || status=1; \
		sh bench/results.sh && exit $$status

format:
	clang-format -i $(PORTABLE_SRCS) $(RISCV_SRCS) $(HEADERS) $(UNIT_SRCS) \
		firmware/*.c firmware/*.h tests/nested/init.c tests/nested/sockhold.c tests/guest/init.c bench/*.c

clean:
	rm -rf build
