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

// vtScreen is what a terminal shows, read through a VT emulator, and the
// way keys reach the program: the local pty and the SSH tests share it.
type vtScreen struct {
	t        testing.TB
	in       io.Writer
	mu       sync.Mutex
	emu      *vt.Emulator
	raw      []byte        // every byte the program wrote, for leak checks
	patience time.Duration // how long waitFor waits
}

func newVTScreen(t testing.TB, in io.Writer, w, h int, patience time.Duration) *vtScreen {
	return &vtScreen{t: t, in: in, emu: vt.NewEmulator(w, h), patience: patience}
}

// pump feeds out into the emulator until it ends, then closes done; the
// emulator's answers to the program's terminal queries go back to in.
func (v *vtScreen) pump(out io.Reader, done chan struct{}) {
	go func() {
		defer close(done)
		buf := make([]byte, 32*1024)
		for {
			n, err := out.Read(buf)
			if n > 0 {
				v.mu.Lock()
				v.raw = append(v.raw, buf[:n]...)
				_, _ = v.emu.Write(buf[:n])
				v.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { _, _ = io.Copy(v.in, v.emu) }()
}

// term is the binary running in a pseudo-terminal.
type term struct {
	*vtScreen
	pty  *os.File
	cmd  *exec.Cmd
	done chan error
	read chan struct{} // closed when all output has been read
	exit bool
}

func startTerm(t testing.TB, w, h int, env []string, args ...string) *term {
	t.Helper()
	return startProgram(t, binary(t), w, h, env, args...)
}

// startProgram runs the program at path in a pseudo-terminal of w×h.
func startProgram(t testing.TB, path string, w, h int, env []string, args ...string) *term {
	t.Helper()
	cmd := exec.Command(path, args...)
	// A private state directory keeps the default audit log out of the real one.
	cmd.Env = append(append(os.Environ(), "TERM=xterm-256color", "XDG_STATE_HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir()), env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(w), Rows: uint16(h)})
	if err != nil {
		t.Fatalf("pty: %v", err)
	}
	tm := &term{vtScreen: newVTScreen(t, f, w, h, 20*time.Second), pty: f, cmd: cmd, done: make(chan error, 1), read: make(chan struct{})}
	tm.pump(f, tm.read)
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
func (v *vtScreen) screen() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.emu.String()
}

func (v *vtScreen) output() []byte {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]byte(nil), v.raw...)
}

// waitFor waits until cond holds for the screen, failing with the screen.
func (v *vtScreen) waitFor(what string, cond func(string) bool) string {
	v.t.Helper()
	deadline := time.Now().Add(v.patience)
	for {
		s := v.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			v.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (v *vtScreen) waitText(sub string) string {
	v.t.Helper()
	return v.waitFor(sub, func(s string) bool { return strings.Contains(s, sub) })
}

func (v *vtScreen) send(keys string) {
	v.t.Helper()
	if _, err := v.in.Write([]byte(keys)); err != nil {
		v.t.Fatalf("write keys: %v", err)
	}
	// A lone ESC is told apart from the start of a sequence by a pause.
	time.Sleep(60 * time.Millisecond)
}

// escTo presses Esc and waits for want, text that the screen the Esc leads
// to shows and the screen before it does not. The pause in send is not
// enough on a loaded machine: a key that reaches the program together with
// the Esc is read as alt+key (Esc then / as alt+/). So a key after Esc waits
// until the program has drawn what the Esc did, and want must not be on the
// screen already (a breadcrumb repeats the screen below: the backups'
// "Instances 1/40"), or the wait would pass before the Esc was read.
func (v *vtScreen) escTo(want string) string {
	v.t.Helper()
	if s := v.screen(); strings.Contains(s, want) {
		v.t.Fatalf("escTo(%q): the screen before esc shows it already; wait for text only the next screen shows:\n%s", want, s)
	}
	v.send(keyEsc)
	return v.waitText(want)
}

// sendText types s one key at a time.
func (v *vtScreen) sendText(s string) {
	v.t.Helper()
	for _, r := range s {
		if _, err := v.in.Write([]byte(string(r))); err != nil {
			v.t.Fatalf("write keys: %v", err)
		}
	}
	time.Sleep(60 * time.Millisecond)
}

// resizeScreen resizes the emulator; the caller tells the program.
func (v *vtScreen) resizeScreen(w, h int) {
	v.mu.Lock()
	v.emu.Resize(w, h)
	v.mu.Unlock()
}

func (tm *term) resize(w, h int) {
	tm.t.Helper()
	tm.resizeScreen(w, h)
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
