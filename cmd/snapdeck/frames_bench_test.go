package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// quiet waits until the program has written nothing for d and returns the
// bytes written so far.
func (v *vtScreen) quiet(d time.Duration) int {
	last, since := len(v.output()), time.Now()
	for time.Since(since) < d {
		time.Sleep(10 * time.Millisecond)
		if n := len(v.output()); n != last {
			last, since = n, time.Now()
		}
	}
	return last
}

// benchRows is the list the byte benchmarks draw: a generated fleet of
// 10,000 Linodes, in snapdeck (--demo-size) and in the stock table alike.
const benchRows = 10_000

const keyPageDown = "\x1b[6~"

// byteFigures are the bytes a program sends for the first frame and for
// one keystroke of each kind a list is used with.
type byteFigures struct {
	first, settled, move, page, filter float64
}

// measureBytes counts what a list program already running in v sends: the
// bytes up to the first frame that ready accepts, up to the screen going
// quiet, then per one-row move, per page down, and for the first
// keystroke of a filter. Every key gets a frame of its own.
func measureBytes(b *testing.B, v *vtScreen, ready string) byteFigures {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(v.screen(), ready) {
		if time.Now().After(deadline) {
			b.Fatalf("no %q:\n%s", ready, v.screen())
		}
		time.Sleep(2 * time.Millisecond)
	}
	var f byteFigures
	f.first = float64(len(v.output()))
	settled := v.quiet(300 * time.Millisecond)
	f.settled = float64(settled)
	per := func(key string, times int) float64 {
		from := v.quiet(300 * time.Millisecond)
		for range times {
			if _, err := v.in.Write([]byte(key)); err != nil {
				b.Fatal(err)
			}
			time.Sleep(40 * time.Millisecond)
		}
		return float64(v.quiet(300*time.Millisecond)-from) / float64(times)
	}
	f.move = per(keyDown, 10)
	f.page = per(keyPageDown, 3)
	per("/", 1)
	f.filter = per("e", 1)
	return f
}

// stockTable runs the baseline, the stock bubbles v2 table (see
// stocktable_test.go), in a pseudo-terminal of w×h.
func stockTable(b *testing.B, w, h int) *term {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	return startProgram(b, exe, w, h, []string{stockTableEnv + "=" + fmt.Sprint(benchRows)})
}

// quit ends a program started by startTerm or stockTable.
func (tm *term) quit() {
	_, _ = tm.pty.Write([]byte(keyEsc))
	time.Sleep(100 * time.Millisecond)
	_, _ = tm.pty.Write([]byte("q"))
	tm.wait()
}

// BenchmarkTerminalBytes counts the bytes snapdeck sends to a real
// pseudo-terminal for a 10,000-row list — the first frame, a one-row
// cursor move, a page down and a filter keystroke — next to the stock
// bubbles v2 table doing the same in the same run (and to a full repaint
// of snapdeck's screen). The x-… metrics are snapdeck ÷ stock.
func BenchmarkTerminalBytes(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			for b.Loop() {
				tm := startTerm(b, size[0], size[1], nil, "--demo", "--demo-latency", "0s", "--demo-size", fmt.Sprint(benchRows))
				sd := measureBytes(b, tm.vtScreen, fmt.Sprintf("Loaded %d instances", benchRows))
				tm.mu.Lock()
				repaint := len(tm.emu.Render())
				tm.mu.Unlock()
				tm.quit()

				st := stockTable(b, size[0], size[1])
				base := measureBytes(b, st.vtScreen, "web-prod-01")
				st.quit()

				b.ReportMetric(sd.first, "B-first-frame")
				b.ReportMetric(sd.settled, "B-list-complete")
				b.ReportMetric(sd.move, "B/row-move")
				b.ReportMetric(sd.page, "B/page-down")
				b.ReportMetric(sd.filter, "B/filter-key")
				b.ReportMetric(float64(repaint), "B-full-repaint")
				b.ReportMetric(base.settled, "stock-B-first-frame")
				b.ReportMetric(base.move, "stock-B/row-move")
				b.ReportMetric(base.page, "stock-B/page-down")
				b.ReportMetric(base.filter, "stock-B/filter-key")
				b.ReportMetric(sd.first/base.settled, "x-first-frame")
				b.ReportMetric(sd.move/base.move, "x-row-move")
				b.ReportMetric(sd.page/base.page, "x-page-down")
				b.ReportMetric(sd.filter/base.filter, "x-filter-key")
			}
		})
	}
}

// BenchmarkStartup times process start to the first frame of the instance
// list on --demo (no simulated latency), next to a bare --version.
func BenchmarkStartup(b *testing.B) {
	bin := binary(b)
	b.Run("version", func(b *testing.B) {
		for b.Loop() {
			if out, err := exec.Command(bin, "--version").CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
	b.Run("demo-first-frame", func(b *testing.B) {
		for b.Loop() {
			start := time.Now()
			tm := startTerm(b, 80, 24, nil, "--demo", "--demo-latency", "0s")
			for !strings.Contains(tm.screen(), "web-prod-01") {
				if time.Since(start) > 20*time.Second {
					b.Fatalf("no first frame:\n%s", tm.screen())
				}
				time.Sleep(time.Millisecond)
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms-to-first-frame")
			_, _ = tm.pty.Write([]byte("q"))
			tm.wait()
		}
	})
}

// BenchmarkSSHBytes counts the bytes `snapdeck serve` sends over SSH for a
// one-row cursor move in a 10,000-row list, next to the stock bubbles v2
// table's move in a local pseudo-terminal of the same size, same run.
func BenchmarkSSHBytes(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			tb := startBastionWith(b, 4, 0, []string{"--demo", "--demo-latency", "10ms", "--demo-size", fmt.Sprint(benchRows)}, nil)
			for b.Loop() {
				ss := tb.open(b, tb.operator, size[0], size[1])
				ss.patience = 30 * time.Second
				sd := measureBytes(b, ss.vtScreen, fmt.Sprintf("Loaded %d instances", benchRows))
				st := stockTable(b, size[0], size[1])
				base := measureBytes(b, st.vtScreen, "web-prod-01")
				st.quit()
				b.ReportMetric(sd.move, "B/row-move")
				b.ReportMetric(base.move, "stock-B/row-move")
				b.ReportMetric(sd.move/base.move, "x-row-move")
			}
		})
	}
}
