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

# The version: dkms.conf's PACKAGE_VERSION, the one place it is written
# (the module's MODULE_VERSION, the tools' --version and the packages
# follow it).
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(TOP)/dkms.conf)

# The kernel, as kbuild users expect: KDIR (its build dir) or KVER (its
# release, KDIR then /lib/modules/KVER/build).  Default: the running
# kernel's, if it has headers, else the newest installed /lib/modules/*/build.
ifeq ($(origin KDIR),undefined)
  ifneq ($(KVER),)
    KDIR := /lib/modules/$(KVER)/build
    KDIR_WHY := KVER=$(KVER)
  else
    KDIR := $(wildcard /lib/modules/$(shell uname -r)/build)
    ifeq ($(KDIR),)
      KDIR := $(lastword $(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V))
      KDIR_WHY := newest installed; the running kernel has no headers
    else
      KDIR_WHY := the running kernel
    endif
  endif
else
  KDIR_WHY := given
endif
ifeq ($(KVER),)
  KVER := $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
endif

# Where the module goes: kbuild's INSTALL_MOD_PATH and INSTALL_MOD_DIR.
# depmod runs after install and uninstall (on INSTALL_MOD_PATH's tree when
# that is set), except with DESTDIR: a staging tree for a package, whose
# installation runs depmod.
INSTALL_MOD_PATH ?=
INSTALL_MOD_DIR ?= extra
MODDIR = $(INSTALL_MOD_PATH)/lib/modules/$(KVER)/$(INSTALL_MOD_DIR)
DEPMOD ?= depmod
define depmod
	@if [ -n "$(DESTDIR)" ]; then \
		echo "podnet: DESTDIR is set: not running depmod for $(KVER)"; \
	else \
		echo "$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH) )$(KVER)"; \
		$(DEPMOD) $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER); \
	fi
endef

# DKMS: the module's sources go to DKMS_SOURCE_TREE/podnet-VERSION, from
# which dkms builds it for KVER now and for every kernel installed later.
# DKMS_FLAGS: more options for dkms (the tests give it private trees).
DKMS ?= dkms
DKMS_SOURCE_TREE ?= /usr/src
DKMS_FLAGS ?=
DKMS_SRCDIR = $(DKMS_SOURCE_TREE)/podnet-$(VERSION)
# What a module build needs, and nothing else (no objects).
MODULE_SOURCES := Kbuild dkms.conf include/uapi/linux/podnet.h kmod/Kbuild \
	$(sort $(wildcard kmod/*.[ch] kmod/selftest/*.[ch]))
MODULE_SOURCES := $(filter-out %.mod.c,$(MODULE_SOURCES))

.PHONY: all module userspace lint unit check demo bench stress install uninstall \
	module-install module-uninstall dkms-install dkms-sources dkms-remove deb packaged version clean help

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

install: module-install
	$(MAKE) -C userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

uninstall: module-uninstall
	$(MAKE) -C userspace uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

module-install: module
	install -D -m 0644 kmod/podnet.ko $(DESTDIR)$(MODDIR)/podnet.ko
	$(depmod)

module-uninstall:
	@[ -n "$(KVER)" ] || { echo "podnet: no kernel (KVER=, KDIR=)" >&2; exit 1; }
	rm -f $(DESTDIR)$(MODDIR)/podnet.ko
	$(depmod)

# dkms add (once), then a fresh build and install for KVER; dkms-remove
# takes podnet/VERSION out of DKMS for every kernel, and its sources.
dkms-install: dkms-sources
	@[ -n "$(KVER)" ] || { echo "podnet: no kernel (KVER=, KDIR=)" >&2; exit 1; }
	$(DKMS) status $(DKMS_FLAGS) --sourcetree $(DKMS_SOURCE_TREE) podnet/$(VERSION) | grep -q . || \
		$(DKMS) add $(DKMS_FLAGS) --sourcetree $(DKMS_SOURCE_TREE) podnet/$(VERSION)
	$(DKMS) install $(DKMS_FLAGS) --sourcetree $(DKMS_SOURCE_TREE) --force \
		podnet/$(VERSION) -k $(KVER)

# The module's sources where DKMS wants them (debian/rules uses this).
dkms-sources:
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)
	for f in $(MODULE_SOURCES); do install -D -m 0644 $$f $(DESTDIR)$(DKMS_SRCDIR)/$$f || exit; done

dkms-remove:
	-$(DKMS) remove $(DKMS_FLAGS) --sourcetree $(DKMS_SOURCE_TREE) podnet/$(VERSION) --all
	rm -rf $(DKMS_SRCDIR)

# Debian packages: podnet-dkms (the module's sources, built by DKMS on
# install) and podnet-tools, with their source package, built by
# dpkg-buildpackage from a copy of the tracked files (as they are in the
# work tree) in DEB_OUT/podnet-VERSION, so nothing lands outside DEB_OUT;
# then lintian checks them (debian/*.lintian-overrides say why a tag stays).
DEB_OUT ?= $(TOP)/build/deb
DEB_TREE = $(DEB_OUT)/podnet-$(VERSION)
LINTIAN ?= lintian --fail-on error,warning --display-info --pedantic
deb:
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version) && [ "$$v" = "$(VERSION)" ] || \
		{ echo "podnet: debian/changelog says $$v, dkms.conf $(VERSION)" >&2; exit 1; }
	@git -C $(TOP) rev-parse --git-dir >/dev/null 2>&1 || \
		{ echo "podnet: make deb copies the files git tracks: needs the git tree" >&2; exit 1; }
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_TREE)
	git -C $(TOP) ls-files -z | tar -C $(TOP) --null -T - -cf - | tar -C $(DEB_TREE) -xf -
	cd $(DEB_TREE) && dpkg-buildpackage -us -uc -j2
	$(LINTIAN) $(DEB_OUT)/podnet_$(VERSION)_*.changes

# The packages end to end (about 90 s warm): apt install on a Debian 12
# chroot with the kernel and headers, then that system booted in a guest:
# see selftests/packaged/run.sh.  PACKAGED_KERNEL: 6.1 or 6.12.
packaged:
	@selftests/packaged/run.sh $(or $(PACKAGED_KERNEL),6.12)

version:
	@echo $(VERSION)

# What kbuild leaves in kmod/ and here.  Not kbuild's own clean with
# M=$(TOP): that deletes every *.mod under the tree, the Go tools' go.mod
# files included.
clean:
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/modules.order \
		kmod/selftest/*.o kmod/selftest/.*.cmd .*.cmd .module-common.o Module.symvers modules.order
	rm -rf .tmp_versions kmod/.tmp_versions
	$(MAKE) -C userspace clean
	rm -rf build

help:
	@sed -n '/^## /s/^## //p' README.md 2>/dev/null || true

endif
