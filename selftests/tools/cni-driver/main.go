// SPDX-License-Identifier: GPL-2.0

// cni-driver drives CNI plugins the way a container runtime does: through
// libcni, with its result cache, conflist handling, version negotiation,
// GC and STATUS.  The selftests use it to run podnet (and ptp for the
// benchmark) next to the upstream chained plugins.
//
//	cni-driver [flags] add|check|del|gc|status|version|bench
//
// add prints the result of the whole list (libcni's, in the list's
// cniVersion); with -n N it runs N attachments in parallel, container IDs
// ID-0..ID-N-1 in netns NETNS-0..NETNS-N-1, and prints one line per
// attachment, "ID RESULT" (compact JSON), in index order.  A failure
// prints the error on stdout, as the plugin's JSON error when a plugin
// returned one ({"code":N,"msg":...}), and exits 1.
//
// bench runs -n rounds of ADD then DEL of one attachment (ID, NETNS), one
// after the other, and prints the median wall time of each in
// microseconds: "add US del US".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
)

var (
	confFile = flag.String("conf", "", "network configuration: a conflist, or a single plugin's config")
	cniPath  = flag.String("path", "/opt/cni/bin", "CNI_PATH: where the plugins are, colon-separated")
	cacheDir = flag.String("cache", "/var/lib/cni", "libcni's result cache")
	id       = flag.String("id", "", "container ID")
	netns    = flag.String("netns", "", "network namespace path")
	ifname   = flag.String("ifname", "eth0", "interface name in the container")
	valid    = flag.String("valid", "", "gc: valid attachments, ID:IFNAME,...")
	count    = flag.Int("n", 0, "run N attachments in parallel (add, del, check)")
	capArgs  = flag.String("cap", "", "capability arguments, a JSON object (portMappings, bandwidth)")
	timing   = flag.Bool("time", false, "print each operation's wall time in microseconds on stderr")
)

func loadList() (*libcni.NetworkConfigList, error) {
	b, err := os.ReadFile(*confFile)
	if err != nil {
		return nil, err
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("%s: %w", *confFile, err)
	}
	if _, ok := probe["plugins"]; ok {
		return libcni.NetworkConfFromBytes(b)
	}
	c, err := libcni.NetworkPluginConfFromBytes(b)
	if err != nil {
		return nil, err
	}
	return libcni.ConfListFromConf(c)
}

func runtimeConf(cid, ns string) (*libcni.RuntimeConf, error) {
	rt := &libcni.RuntimeConf{ContainerID: cid, NetNS: ns, IfName: *ifname}
	if *capArgs != "" {
		if err := json.Unmarshal([]byte(*capArgs), &rt.CapabilityArgs); err != nil {
			return nil, fmt.Errorf("-cap: %w", err)
		}
	}
	return rt, nil
}

// one runs cmd for one attachment; add's result as compact JSON.
func one(ctx context.Context, c *libcni.CNIConfig, list *libcni.NetworkConfigList, cmd, cid, ns string) (string, error) {
	rt, err := runtimeConf(cid, ns)
	if err != nil {
		return "", err
	}
	t0 := time.Now()
	defer func() {
		if *timing {
			fmt.Fprintf(os.Stderr, "%s %d\n", cmd, time.Since(t0).Microseconds())
		}
	}()
	switch cmd {
	case "add":
		res, err := c.AddNetworkList(ctx, list, rt)
		if err != nil {
			return "", err
		}
		b, err := json.Marshal(res)
		return string(b), err
	case "check":
		return "", c.CheckNetworkList(ctx, list, rt)
	case "del":
		return "", c.DelNetworkList(ctx, list, rt)
	}
	return "", fmt.Errorf("unknown command %q", cmd)
}

func fail(err error) {
	var te *types.Error
	if errors.As(err, &te) {
		b, _ := json.Marshal(te)
		fmt.Println(string(b))
	} else {
		fmt.Println(err.Error())
	}
	os.Exit(1)
}

func parallel(ctx context.Context, c *libcni.CNIConfig, list *libcni.NetworkConfigList, cmd string) {
	out := make([]string, *count)
	errs := make([]error, *count)
	var wg sync.WaitGroup
	for i := 0; i < *count; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out[i], errs[i] = one(ctx, c, list, cmd, fmt.Sprintf("%s-%d", *id, i),
				fmt.Sprintf("%s-%d", *netns, i))
		}(i)
	}
	wg.Wait()
	failed := 0
	for i := range out {
		cid := fmt.Sprintf("%s-%d", *id, i)
		if errs[i] != nil {
			failed++
			fmt.Printf("%s error %s\n", cid, errs[i])
		} else if cmd == "add" {
			fmt.Printf("%s %s\n", cid, out[i])
		}
	}
	if failed > 0 {
		os.Exit(1)
	}
}

func median(d []time.Duration) int64 {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2].Microseconds()
}

func bench(ctx context.Context, c *libcni.CNIConfig, list *libcni.NetworkConfigList) {
	if *count < 1 {
		fail(fmt.Errorf("bench needs -n"))
	}
	rt, err := runtimeConf(*id, *netns)
	if err != nil {
		fail(err)
	}
	var add, del []time.Duration
	for i := 0; i < *count; i++ {
		t0 := time.Now()
		if _, err := c.AddNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
		t1 := time.Now()
		if err := c.DelNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
		add = append(add, t1.Sub(t0))
		del = append(del, time.Since(t1))
	}
	fmt.Printf("add %d del %d\n", median(add), median(del))
}

func main() {
	flag.Parse()
	if flag.NArg() != 1 || *confFile == "" {
		fmt.Fprintln(os.Stderr, "usage: cni-driver -conf FILE [flags] add|check|del|gc|status|version|bench")
		flag.PrintDefaults()
		os.Exit(2)
	}
	cmd := flag.Arg(0)
	list, err := loadList()
	if err != nil {
		fail(err)
	}
	c := libcni.NewCNIConfigWithCacheDir(strings.Split(*cniPath, ":"), *cacheDir, nil)
	ctx := context.Background()

	switch cmd {
	case "gc":
		args := &libcni.GCArgs{ValidAttachments: []types.GCAttachment{}}
		for _, a := range strings.Split(*valid, ",") {
			if a == "" {
				continue
			}
			cid, ifn, ok := strings.Cut(a, ":")
			if !ok {
				fail(fmt.Errorf("-valid: %q is not ID:IFNAME", a))
			}
			args.ValidAttachments = append(args.ValidAttachments,
				types.GCAttachment{ContainerID: cid, IfName: ifn})
		}
		err = c.GCNetworkList(ctx, list, args)
	case "status":
		err = c.GetStatusNetworkList(ctx, list)
	case "bench":
		bench(ctx, c, list)
	case "version":
		// Each plugin's VERSION answer, and the version libcni chose.
		for _, p := range list.Plugins {
			info, err := c.GetVersionInfo(ctx, p.Network.Type)
			if err != nil {
				fail(err)
			}
			fmt.Printf("%s %s\n", p.Network.Type, strings.Join(info.SupportedVersions(), " "))
		}
		fmt.Printf("list %s\n", list.CNIVersion)
	case "add", "check", "del":
		if *count > 0 {
			parallel(ctx, c, list, cmd)
			return
		}
		var out string
		out, err = one(ctx, c, list, cmd, *id, *netns)
		if err == nil && out != "" {
			fmt.Println(out)
		}
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		fail(err)
	}
}
