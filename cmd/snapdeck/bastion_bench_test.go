package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// rawTerm is an SSH session read as bytes, without a terminal emulator:
// the benchmark's clients must cost the machine little beside the server.
type rawTerm struct {
	c     *gossh.Client
	sess  *gossh.Session
	stdin io.Writer

	mu    sync.Mutex
	n     int    // bytes received
	tail  []byte // the last bytes received, to find want across reads
	found bool   // want has been received
	fresh chan struct{}
	done  chan struct{}
}

// want is the text the benchmark waits for in every session: the list
// loaded.
var want = []byte("Loaded 40 instances")

func (tb *testBastion) openRaw(b *testing.B, w, h int) *rawTerm {
	b.Helper()
	c, err := tb.dial(tb.operator)
	if err != nil {
		b.Fatalf("dial: %v", err)
	}
	sess, err := c.NewSession()
	if err != nil {
		b.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		b.Fatal(err)
	}
	stdin, _ := sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		b.Fatal(err)
	}
	rt := &rawTerm{c: c, sess: sess, stdin: stdin, fresh: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(rt.done)
		buf := make([]byte, 32<<10)
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				rt.mu.Lock()
				rt.n += n
				rt.tail = append(rt.tail, buf[:n]...)
				rt.found = rt.found || bytes.Contains(rt.tail, want)
				rt.tail = append(rt.tail[:0], rt.tail[max(0, len(rt.tail)-len(want)):]...)
				rt.mu.Unlock()
				select {
				case rt.fresh <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return rt
}

func (rt *rawTerm) received() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.n
}

// waitLoaded waits until want has arrived and nothing more for quiet.
func (rt *rawTerm) waitLoaded(b *testing.B, quiet time.Duration) {
	deadline := time.Now().Add(60 * time.Second)
	for {
		rt.mu.Lock()
		found, n := rt.found, rt.n
		rt.mu.Unlock()
		if found {
			break
		}
		if time.Now().After(deadline) {
			b.Errorf("no %q in 60s (%d bytes received)", want, n)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	rt.settle(quiet)
}

// settle waits until nothing has arrived for quiet.
func (rt *rawTerm) settle(quiet time.Duration) {
	t := time.NewTimer(quiet)
	defer t.Stop()
	for {
		select {
		case <-rt.fresh:
			t.Reset(quiet)
		case <-t.C:
			return
		}
	}
}

// move presses key and returns how long the first bytes of the frame it
// causes took to arrive; the frame is then read to its end.
func (rt *rawTerm) move(b *testing.B, key string) time.Duration {
	select {
	case <-rt.fresh: // nothing stale counts
	default:
	}
	start := time.Now()
	if _, err := rt.stdin.Write([]byte(key)); err != nil {
		b.Errorf("write: %v", err)
		return 0
	}
	select {
	case <-rt.fresh:
	case <-time.After(10 * time.Second):
		b.Errorf("no frame 10s after a key")
		return 0
	}
	d := time.Since(start)
	rt.settle(40 * time.Millisecond)
	return d
}

func (rt *rawTerm) close() {
	_ = rt.sess.Close()
	_ = rt.c.Close()
	<-rt.done
}

// procStatus reads a figure in kB from /proc/self/status (VmRSS, VmHWM).
func procStatus(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb
		}
	}
	return 0
}

// loadAvg is the machine's load average over the last minute: the other
// work the figures were measured beside.
func loadAvg() float64 {
	data, _ := os.ReadFile("/proc/loadavg")
	f, _, _ := strings.Cut(string(data), " ")
	v, _ := strconv.ParseFloat(f, 64)
	return v
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapMB is the live heap and stacks after a collection, in MB.
func heapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse+ms.StackInuse) / (1 << 20)
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// BenchmarkBastion serves the TUI over SSH (the real server, in process) on
// a simulated Linode account of 40 instances (50 ms a request), opens N
// concurrent sessions at 120×40, waits for each list to load and settle,
// then scrolls every session at once (j and k, 20 moves each). It reports
// the requests the account received, the server's memory per session, the
// bytes per move per session and the time from a key to its frame. The
// "private" runs turn the read sharing off (every session reads for
// itself, as before), the baseline for the requests.
func BenchmarkBastion(b *testing.B) {
	const moves = 20
	type pacing struct {
		name  string
		think time.Duration // mean pause before a key, after the last frame
	}
	// people: each session presses a key every 100-300 ms (after the
	// last frame), out of step with the others, as people scrolling do;
	// burst: every session presses its next key 40 ms after its last
	// frame, all starting at once: 50 keys arrive together, the worst case.
	for _, pace := range []pacing{{"people", 200 * time.Millisecond}, {"burst", 0}} {
		for _, mode := range []string{"shared", "private"} {
			for _, n := range []int{1, 10, 50} {
				b.Run(fmt.Sprintf("%s/%s/sessions=%d", pace.name, mode, n), func(b *testing.B) {
					for b.Loop() {
						acct, conn, getenv := simAccount(b, 40, 50*time.Millisecond)
						heap0, rss0 := heapMB(), procStatus("VmRSS")
						tb := startBastionConfig(b, serveConfig{maxSessions: n, private: mode == "private"}, conn, getenv)
						rts := make([]*rawTerm, n)
						var wg sync.WaitGroup
						for i := range rts {
							rts[i] = tb.openRaw(b, 120, 40)
							wg.Go(func() { rts[i].waitLoaded(b, 500*time.Millisecond) })
						}
						wg.Wait()
						opened := acct.Requests()
						var mu sync.Mutex
						var lat []time.Duration
						start := make([]int, n)
						cpu0, wall0 := cpuTime(), time.Now()
						for i, rt := range rts {
							start[i] = rt.received()
							wg.Go(func() {
								ds := make([]time.Duration, 0, moves)
								rnd := rand.New(rand.NewPCG(uint64(i), 1))
								for m := range moves {
									if pace.think > 0 {
										time.Sleep(pace.think/2 + time.Duration(rnd.Int64N(int64(pace.think))))
									}
									ds = append(ds, rt.move(b, []string{"j", "k"}[m%2]))
								}
								mu.Lock()
								lat = append(lat, ds...)
								mu.Unlock()
							})
						}
						wg.Wait()
						cpu := cpuTime() - cpu0
						busy := cpu.Seconds() / time.Since(wall0).Seconds()
						bytesMoved := 0
						for i, rt := range rts {
							bytesMoved += rt.received() - start[i]
						}
						heap1, rss1, hwm := heapMB(), procStatus("VmRSS"), procStatus("VmHWM")
						b.ReportMetric(busy, "cores-busy-scrolling")
						b.ReportMetric(loadAvg(), "loadavg-1m")
						b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n*moves), "CPU-ms/move")
						b.ReportMetric(float64(opened), "requests-to-open")
						b.ReportMetric(float64(acct.Requests()), "requests-total")
						b.ReportMetric((heap1-heap0)/float64(n), "MB-heap/session")
						b.ReportMetric((rss1-rss0)/1024/float64(n), "MB-RSS/session")
						b.ReportMetric(hwm/1024, "MB-VmHWM")
						b.ReportMetric(float64(bytesMoved)/float64(n*moves), "B/move/session")
						b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "ms-key-to-frame-p50")
						b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "ms-key-to-frame-p99")
						for _, rt := range rts {
							rt.close()
						}
					}
				})
			}
		}
	}
}
