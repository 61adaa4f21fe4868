#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: on a fresh Debian 12 machine, install what podnet needs, build
# it, boot a VM with a Debian kernel and show podnet at work: Nodes in a
# real kube-apiserver (on this host), podnetd on each node, pods attached
# by the podnet CNI plugin (selftests/demo/node-demo.sh).
# PODNET_DEMO_KERNEL picks the kernel (default 6.12).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
k=${PODNET_DEMO_KERNEL:-6.12}

echo "== installing build and VM packages, and kernel $k (apt; cached after the first run)"
selftests/vm/provision.sh host
selftests/vm/provision.sh kernels "$k"
echo "== building userspace, and the Kubernetes and CNI test tools (Go modules; cached)"
make -s userspace
selftests/tools/kube/build.sh
selftests/tools/cni-driver/build.sh
echo "== booting kernel $k under qemu and running the demo inside"
PODNET_NO_PLANT=1 selftests/vm/run.sh "$k" selftests/demo/node-demo.sh |
	sed -n 's/^# \{0,1\}//p; /^not ok/p'
