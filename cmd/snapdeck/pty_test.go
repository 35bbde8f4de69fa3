package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// The end-to-end tests build the real binary once and drive it in a real
// pseudo-terminal, reading the screen through a VT emulator, as a user would.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "snapdeck-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "snapdeck")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return binPath
}

// term is the binary running in a pseudo-terminal.
type term struct {
	t    testing.TB
	pty  *os.File
	mu   sync.Mutex
	emu  *vt.Emulator
	raw  []byte // every byte the program wrote, for leak checks
	cmd  *exec.Cmd
	done chan error
	read chan struct{} // closed when all output has been read
	exit bool
}

func startTerm(t testing.TB, w, h int, env []string, args ...string) *term {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	// A private state directory keeps the default audit log out of the real one.
	cmd.Env = append(append(os.Environ(), "TERM=xterm-256color", "XDG_STATE_HOME="+t.TempDir()), env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)})
	if err != nil {
		t.Fatalf("pty: %v", err)
	}
	tm := &term{t: t, pty: f, emu: vt.NewEmulator(w, h), cmd: cmd, done: make(chan error, 1), read: make(chan struct{})}
	go func() {
		defer close(tm.read)
		buf := make([]byte, 32*1024)
		for {
			n, err := f.Read(buf)
			if n > 0 {
				tm.mu.Lock()
				tm.raw = append(tm.raw, buf[:n]...)
				_, _ = tm.emu.Write(buf[:n])
				tm.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	// The emulator answers the program's terminal queries; pass them back.
	go func() { _, _ = io.Copy(f, tm.emu) }()
	go func() { tm.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if !tm.exit {
			_ = cmd.Process.Kill()
			<-tm.done
		}
		_ = f.Close()
		closeReplies(tm.emu)
	})
	return tm
}

// screen is the emulator's current screen as plain text.
func (tm *term) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.emu.String()
}

func (tm *term) output() []byte {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return append([]byte(nil), tm.raw...)
}

// waitFor waits until cond holds for the screen, failing with the screen.
func (tm *term) waitFor(what string, cond func(string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := tm.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (tm *term) waitText(sub string) string {
	tm.t.Helper()
	return tm.waitFor(sub, func(s string) bool { return strings.Contains(s, sub) })
}

func (tm *term) send(keys string) {
	tm.t.Helper()
	if _, err := tm.pty.Write([]byte(keys)); err != nil {
		tm.t.Fatalf("write keys: %v", err)
	}
	// A lone ESC is told apart from the start of a sequence by a pause.
	time.Sleep(60 * time.Millisecond)
}

// sendText types s one key at a time.
func (tm *term) sendText(s string) {
	tm.t.Helper()
	for _, r := range s {
		if _, err := tm.pty.Write([]byte(string(r))); err != nil {
			tm.t.Fatalf("write keys: %v", err)
		}
	}
	time.Sleep(60 * time.Millisecond)
}

func (tm *term) resize(w, h int) {
	tm.t.Helper()
	tm.mu.Lock()
	tm.emu.Resize(w, h)
	tm.mu.Unlock()
	if err := pty.Setsize(tm.pty, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)}); err != nil {
		tm.t.Fatal(err)
	}
}

// wait waits for the program to exit and returns its exit code.
func (tm *term) wait() int {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		tm.exit = true
		select { // the last output may still be on its way out of the pty
		case <-tm.read:
		case <-time.After(2 * time.Second):
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			tm.t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(15 * time.Second):
		tm.t.Fatalf("program did not exit; screen:\n%s", tm.screen())
	}
	return -1
}

const (
	keyEnter = "\r"
	keyEsc   = "\x1b"
	keyDown  = "\x1b[B"
	keyUp    = "\x1b[A"
)

// closeReplies ends the emulator's reply stream. Emulator.Close would race
// with a concurrent Read on its closed flag; closing the pipe does not.
func closeReplies(e *vt.Emulator) {
	if pw, ok := e.InputPipe().(*io.PipeWriter); ok {
		_ = pw.CloseWithError(io.EOF)
	}
}
