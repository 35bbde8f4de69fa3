package main

import (
	"fmt"
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

// BenchmarkTerminalBytes counts the bytes snapdeck sends to a real
// pseudo-terminal: the first frame of the instance list, and each one-row
// cursor move afterwards, against the baseline of a full repaint of the
// same screen.
func BenchmarkTerminalBytes(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			for b.Loop() {
				tm := startTerm(b, size[0], size[1], nil, "--demo", "--demo-latency", "0s")
				deadline := time.Now().Add(20 * time.Second)
				for !strings.Contains(tm.screen(), "Loaded 40 instances") {
					if time.Now().After(deadline) {
						b.Fatalf("no list:\n%s", tm.screen())
					}
					time.Sleep(2 * time.Millisecond)
				}
				first := len(tm.output())
				settled := tm.quiet(300 * time.Millisecond)
				const moves = 10
				for range moves {
					if _, err := tm.pty.Write([]byte(keyDown)); err != nil {
						b.Fatal(err)
					}
					time.Sleep(30 * time.Millisecond)
				}
				end := tm.quiet(300 * time.Millisecond)
				tm.mu.Lock()
				repaint := len(tm.emu.Render())
				tm.mu.Unlock()
				_, _ = tm.pty.Write([]byte("q"))
				tm.wait()
				b.ReportMetric(float64(first), "B-first-frame")
				b.ReportMetric(float64(settled), "B-list-complete")
				b.ReportMetric(float64(end-settled)/moves, "B/row-move")
				b.ReportMetric(float64(repaint), "B-full-repaint")
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
// one-row cursor move at 80×24, next to the same figure in a local
// pseudo-terminal.
func BenchmarkSSHBytes(b *testing.B) {
	const moves = 10
	measure := func(b *testing.B, v *vtScreen) float64 {
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(v.screen(), "Loaded 40 instances") {
			if time.Now().After(deadline) {
				b.Fatalf("no list:\n%s", v.screen())
			}
			time.Sleep(5 * time.Millisecond)
		}
		start := v.quiet(300 * time.Millisecond)
		for range moves {
			v.send(keyDown)
		}
		return float64(v.quiet(300*time.Millisecond)-start) / moves
	}
	b.Run("ssh", func(b *testing.B) {
		tb := startBastion(b, 4, 0)
		for b.Loop() {
			st := tb.open(b, tb.operator, 80, 24)
			per := measure(b, st.vtScreen)
			b.ReportMetric(per, "B/row-move")
		}
	})
	b.Run("local-pty", func(b *testing.B) {
		for b.Loop() {
			tm := startTerm(b, 80, 24, nil, "--demo", "--demo-latency", "10ms")
			per := measure(b, tm.vtScreen)
			b.ReportMetric(per, "B/row-move")
			_, _ = tm.pty.Write([]byte("q"))
			tm.wait()
		}
	})
}
