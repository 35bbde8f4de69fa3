package main

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDemoTapeReplays runs demo.tape's steps against the binary so the
// recorded journey always matches what the program does.
func TestDemoTapeReplays(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	f, err := os.Open("../../demo.tape")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tm := startTerm(t, 120, 32, nil, "--demo", "--demo-latency", "20ms", "--demo-job-time", "1s", "--poll", "200ms")
	hidden, steps, waits := false, 0, 0
	// afterEsc is the screen an Escape left, until the Wait+Screen that
	// must follow it: a key sent before the program has read the Esc
	// reaches it as alt+key (see escTo).
	afterEsc := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cmd, arg, _ := strings.Cut(line, " ")
		switch {
		case cmd == "Hide":
			hidden = true
			continue
		case cmd == "Show":
			hidden = false
			continue
		case hidden, cmd == "Output", cmd == "Set", cmd == "Sleep":
			continue
		}
		steps++
		if afterEsc != "" && cmd != "Wait+Screen" {
			t.Fatalf("tape: %q follows an Escape; wait for the screen the Escape leads to first (Wait+Screen)", line)
		}
		switch cmd {
		case "Type":
			s, err := strconv.Unquote(arg)
			if err != nil {
				t.Fatalf("tape: %q: %v", line, err)
			}
			for _, r := range s {
				tm.send(string(r))
			}
		case "Enter":
			tm.send(keyEnter)
		case "Escape":
			afterEsc = tm.screen()
			tm.send(keyEsc)
		case "Down":
			tm.send(keyDown)
		case "Up":
			tm.send(keyUp)
		case "Ctrl+U":
			tm.send("\x15")
		case "Tab":
			tm.send("\t")
		case "Right":
			tm.send("\x1b[C")
		case "Wait+Screen":
			re, err := regexp.Compile(strings.TrimSuffix(strings.TrimPrefix(arg, "/"), "/"))
			if err != nil {
				t.Fatalf("tape: %q: %v", line, err)
			}
			waits++
			if afterEsc != "" && re.MatchString(afterEsc) {
				t.Fatalf("tape: %q already matched the screen before the Escape; match what only the next screen shows:\n%s", line, afterEsc)
			}
			afterEsc = ""
			tm.waitFor(line, re.MatchString)
		default:
			t.Fatalf("tape: the replay does not know %q; teach it or keep the tape to known steps", cmd)
		}
	}
	if waits < 5 || steps < 10 {
		t.Fatalf("tape has only %d steps and %d checks; it no longer shows the journey", steps, waits)
	}
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d after the tape's last step", code)
	}
}
