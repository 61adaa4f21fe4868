# SPDX-License-Identifier: GPL-2.0
#
# podnet top-level Makefile.  `make` builds the module and userspace;
# `make check` runs everything CI runs; see README.md.

# Under kbuild (make -C $KDIR M=$PWD) the Kbuild file is read, not this one.
ifneq ($(KERNELRELEASE),)
include $(src)/Kbuild
else

TOP := $(CURDIR)
PREFIX ?= /usr
DESTDIR ?=

# KDIR: the kernel build dir.  Default: the running kernel's, if it has
# one, else the newest installed /lib/modules/*/build.
ifeq ($(origin KDIR),undefined)
  KDIR := $(wildcard /lib/modules/$(shell uname -r)/build)
  ifeq ($(KDIR),)
    KDIR := $(lastword $(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V))
    KDIR_WHY := newest installed; the running kernel has no headers
  else
    KDIR_WHY := the running kernel
  endif
else
  KDIR_WHY := given
endif

.PHONY: all module userspace lint unit check demo bench stress install clean help

all: module userspace

module:
	@if [ -z "$(KDIR)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "podnet: no kernel build dir (KDIR=$(KDIR)); install linux-headers or pass KDIR=" >&2; \
		exit 1; fi
	@echo "podnet: building the module against KDIR=$(KDIR) ($(KDIR_WHY))"
	$(MAKE) -C $(KDIR) M=$(TOP) modules

userspace:
	$(MAKE) -C userspace

lint:
	@selftests/lint.sh

unit:
	$(MAKE) -C userspace unit

check:
	@selftests/check.sh

demo:
	@selftests/demo.sh

bench:
	@selftests/bench.sh

# Long runs: the userspace fuzzers, PODNET_FUZZ_SECONDS (600) per target;
# then the kernel lanes in the VM (selftests/stress-kernel.sh).
stress:
	@selftests/stress.sh
	@selftests/stress-kernel.sh

install: all
	$(MAKE) -C $(KDIR) M=$(TOP) INSTALL_MOD_DIR=extra modules_install
	$(MAKE) -C userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

clean:
	-[ -n "$(KDIR)" ] && [ -d "$(KDIR)" ] && $(MAKE) -C $(KDIR) M=$(TOP) clean
	$(MAKE) -C userspace clean
	rm -rf build

help:
	@sed -n '/^## /s/^## //p' README.md 2>/dev/null || true

endif
