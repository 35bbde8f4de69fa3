package main

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/vt"
)

// tuiView is the TUI run as teatest runs it (a tea.Program on in-memory
// input and output, the window size given), read through a VT emulator.
// teatest itself registers an -update flag, which clashes with this
// package's golden files' own.
type tuiView struct {
	t   *testing.T
	p   *tea.Program
	mu  sync.Mutex
	out bytes.Buffer
	emu *vt.Emulator
}

func (v *tuiView) Write(b []byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.out.Write(b)
}

// startTUI runs m in a w×h window until the test ends.
func startTUI(t *testing.T, w, h int, m tea.Model) *tuiView {
	t.Helper()
	v := &tuiView{t: t, emu: vt.NewEmulator(w, h)}
	go func() { _, _ = io.Copy(io.Discard, v.emu) }() // terminal replies: nobody listens
	t.Cleanup(func() { closeReplies(v.emu) })
	v.p = tea.NewProgram(m, tea.WithInput(bytes.NewBuffer(nil)), tea.WithOutput(v), tea.WithoutSignals(), tea.WithWindowSize(w, h))
	done := make(chan error, 1)
	go func() { _, err := v.p.Run(); done <- err }()
	v.p.Send(tea.WindowSizeMsg{Width: w, Height: h})
	t.Cleanup(func() {
		v.p.Quit()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the TUI ended with %v", err)
			}
		case <-time.After(5 * time.Second):
			v.p.Kill()
			t.Errorf("the TUI did not quit")
		}
	})
	return v
}

// screen is what the terminal shows now.
func (v *tuiView) screen() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	// Without a TTY the renderer counts on the terminal's ONLCR mapping.
	_, _ = v.emu.Write(bytes.ReplaceAll(v.out.Bytes(), []byte("\n"), []byte("\r\n")))
	v.out.Reset()
	return v.emu.String()
}

func (v *tuiView) waitFor(what string, cond func(string) bool) string {
	v.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := v.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			v.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (v *tuiView) wait(sub string) string {
	v.t.Helper()
	return v.waitFor(sub, func(s string) bool { return strings.Contains(s, sub) })
}

// typeText sends s as key presses.
func (v *tuiView) typeText(s string) {
	for _, r := range s {
		v.p.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// key sends one named key ("enter", "tab", "down", "clear" for ctrl+u),
// else its text as key presses.
func (v *tuiView) key(k string) {
	switch k {
	case "enter":
		v.p.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	case "tab":
		v.p.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	case "down":
		v.p.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	case "clear":
		v.p.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	default:
		v.typeText(k)
	}
}
