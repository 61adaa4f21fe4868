// SPDX-License-Identifier: GPL-2.0
// etcd: the etcd server for podnet's test apiserver (see ../build.sh),
// exactly upstream's own main: all flags are etcd's.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
