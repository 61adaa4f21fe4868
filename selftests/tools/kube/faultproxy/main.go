// SPDX-License-Identifier: GPL-2.0
// faultproxy: a fault-injecting TCP proxy for podnet's tests (the
// apiserver's TLS passes through untouched).
//
//	faultproxy serve LISTEN UPSTREAM SOCKET   e.g. 127.0.0.1:7443 127.0.0.1:6443 DIR/proxy.sock
//	faultproxy ctl SOCKET MODE                MODE: pass | cut | stall | slow MS | status
//
// Modes:
//
//	pass     forward normally (the default); ends a stall or a slow.
//	cut      close every open connection at once (both sides); the mode
//	         stays as it was, and new connections are accepted.
//	stall    keep the connections open (and accept new ones) but forward
//	         nothing either way until the next pass (a cut ends them).
//	slow MS  delay every forwarded chunk by MS milliseconds.
//	status   print the mode, open connections, accepted and cut counts.
//
// ctl prints the reply ("ok ..." or "error ...") and exits 1 on an error.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

type proxy struct {
	upstream string

	mu       sync.Mutex
	cond     *sync.Cond
	mode     string // "pass", "stall", "slow"
	delay    time.Duration
	conns    map[*pair]struct{}
	accepted int
	cuts     int
}

type pair struct{ a, b net.Conn }

func (p *pair) close() { p.a.Close(); p.b.Close() }

func newProxy(upstream string) *proxy {
	p := &proxy{upstream: upstream, mode: "pass", conns: map[*pair]struct{}{}}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// gate blocks while the proxy stalls, then returns the delay for one chunk;
// ok is false when the pair was cut meanwhile.
func (p *proxy) gate(pr *pair) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.mode == "stall" {
		if _, open := p.conns[pr]; !open {
			return 0, false
		}
		p.cond.Wait()
	}
	if _, open := p.conns[pr]; !open {
		return 0, false
	}
	if p.mode == "slow" {
		return p.delay, true
	}
	return 0, true
}

func (p *proxy) pipe(pr *pair, dst, src net.Conn, done chan<- struct{}) {
	defer func() { done <- struct{}{} }()
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			d, ok := p.gate(pr)
			if !ok {
				return
			}
			if d > 0 {
				time.Sleep(d)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			// Half-close so the other side sees EOF, as a direct
			// connection would.
			if tc, ok := dst.(*net.TCPConn); ok && err == io.EOF {
				tc.CloseWrite()
			} else {
				dst.Close()
			}
			return
		}
	}
}

func (p *proxy) handle(c net.Conn) {
	u, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		fmt.Fprintf(os.Stderr, "faultproxy: dial %s: %v\n", p.upstream, err)
		c.Close()
		return
	}
	pr := &pair{c, u}
	p.mu.Lock()
	p.conns[pr] = struct{}{}
	p.accepted++
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go p.pipe(pr, u, c, done)
	go p.pipe(pr, c, u, done)
	<-done
	<-done
	pr.close()
	p.mu.Lock()
	delete(p.conns, pr)
	p.mu.Unlock()
}

func (p *proxy) control(line string) string {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "error: empty command"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch f[0] {
	case "pass":
		p.mode, p.delay = "pass", 0
	case "stall":
		p.mode = "stall"
	case "slow":
		if len(f) != 2 {
			return "error: slow MS"
		}
		ms, err := strconv.Atoi(f[1])
		if err != nil || ms < 0 {
			return "error: slow MS: bad MS " + f[1]
		}
		p.mode, p.delay = "slow", time.Duration(ms)*time.Millisecond
	case "cut":
		n := len(p.conns)
		for pr := range p.conns {
			pr.close()
			delete(p.conns, pr)
		}
		p.cuts += n
		p.cond.Broadcast()
		return fmt.Sprintf("ok cut %d", n)
	case "status":
	default:
		return "error: unknown command " + f[0]
	}
	p.cond.Broadcast()
	return fmt.Sprintf("ok mode=%s delay_ms=%d open=%d accepted=%d cut=%d",
		p.mode, p.delay.Milliseconds(), len(p.conns), p.accepted, p.cuts)
}

func serve(listen, upstream, sock string) error {
	p := newProxy(upstream)
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	os.Remove(sock)
	cl, err := net.Listen("unix", sock)
	if err != nil {
		return err
	}
	go func() {
		for {
			c, err := cl.Accept()
			if err != nil {
				fmt.Fprintf(os.Stderr, "faultproxy: control: %v\n", err)
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				line, _ := bufio.NewReader(c).ReadString('\n')
				reply := p.control(strings.TrimSpace(line))
				fmt.Fprintf(os.Stderr, "faultproxy: %s: %s\n", strings.TrimSpace(line), reply)
				fmt.Fprintln(c, reply)
			}()
		}
	}()
	fmt.Fprintf(os.Stderr, "faultproxy: %s -> %s, control %s\n", l.Addr(), upstream, sock)
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go p.handle(c)
	}
}

func ctl(sock string, args []string) error {
	c, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintln(c, strings.Join(args, " "))
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	reply = strings.TrimSpace(reply)
	fmt.Println(reply)
	if !strings.HasPrefix(reply, "ok") {
		return fmt.Errorf("%s", reply)
	}
	return nil
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: faultproxy serve LISTEN UPSTREAM SOCKET\n       faultproxy ctl SOCKET pass|cut|stall|slow MS|status")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "serve":
		if len(os.Args) != 5 {
			usage()
		}
		err = serve(os.Args[2], os.Args[3], os.Args[4])
	case "ctl":
		if len(os.Args) < 4 {
			usage()
		}
		err = ctl(os.Args[2], os.Args[3:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "faultproxy: %v\n", err)
		os.Exit(1)
	}
}
