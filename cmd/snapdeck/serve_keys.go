package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	gossh "golang.org/x/crypto/ssh"
)

// The bastion's keys: who may connect (the authorized keys file, with roles)
// and who the server is (its host key).

// Roles an authorized key may have.
const (
	roleViewer   = "viewer"   // read-only: every mutation refused in the client layer
	roleOperator = "operator" // may act
)

// authKey is one line of the authorized keys file.
type authKey struct {
	key  gossh.PublicKey
	role string
	name string // the comment, for the log
	// accounts limits the key to these accounts; empty means all of them.
	accounts []string
}

// parseAuthorizedKeys reads an OpenSSH authorized_keys file in which each
// key's role is an option before the key type:
//
//	role=operator ssh-ed25519 AAAA… alice@laptop
//	ssh-ed25519 AAAA… bob@desk
//
// A key with no role is a viewer. The comment is only a name: its owner
// wrote it (ssh-keygen -C), so a word in it never grants a role. An option accounts="prod staging" (names
// separated by spaces, commas or colons) limits the key to those accounts.
// Blank lines and # comments are skipped; any other line that is not a key,
// or an unknown role, is an error.
func parseAuthorizedKeys(data []byte) ([]authKey, error) {
	var keys []authKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, comment, options, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		role, name := "", comment
		var accounts []string
		for _, o := range options {
			if v, ok := strings.CutPrefix(o, "role="); ok {
				role = strings.Trim(v, `"`)
			}
			if v, ok := strings.CutPrefix(o, "accounts="); ok {
				accounts = strings.FieldsFunc(strings.Trim(v, `"`), func(r rune) bool { return r == ' ' || r == ',' || r == ':' })
				if len(accounts) == 0 {
					return nil, fmt.Errorf("line %d: accounts= names no account", n)
				}
			}
		}
		switch role {
		case "":
			role = roleViewer
		case roleViewer, roleOperator:
		default:
			return nil, fmt.Errorf("line %d: unknown role %q (want viewer or operator)", n, role)
		}
		keys = append(keys, authKey{key: key, role: role, name: name, accounts: accounts})
	}
	return keys, sc.Err()
}

func loadAuthorizedKeys(path string) ([]authKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("authorized keys: %w", err)
	}
	keys, err := parseAuthorizedKeys(data)
	if err != nil {
		return nil, fmt.Errorf("authorized keys %s: %w", path, err)
	}
	return keys, nil
}

// ensureHostKey generates an ed25519 host key at path (0600) when there is
// none, saying so with created, and refuses one that group or others may
// read.
func ensureHostKey(path string) (pemBytes []byte, created bool, err error) {
	if pemBytes, err := os.ReadFile(path); err == nil {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, false, err
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			return nil, false, fmt.Errorf("host key %s is open to group or others (mode %04o); run: chmod 600 %s", path, perm, path)
		}
		return pemBytes, false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "snapdeck serve host key")
	if err != nil {
		return nil, false, err
	}
	pemBytes = pem.EncodeToMemory(block)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	if _, err := f.Write(pemBytes); err != nil {
		_ = f.Close()
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	return pemBytes, true, nil
}

// hostKeyFingerprint is what ssh shows a user connecting for the first
// time ("ED25519 key fingerprint is SHA256:…"), for them to compare.
func hostKeyFingerprint(pemBytes []byte) (string, error) {
	signer, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		return "", fmt.Errorf("host key: %w", err)
	}
	return gossh.FingerprintSHA256(signer.PublicKey()), nil
}

// allows reports whether a key limited to allowed may open account.
func allows(allowed []string, account string) bool {
	if len(allowed) == 0 {
		return true
	}
	for _, a := range allowed {
		if a == account {
			return true
		}
	}
	return false
}

// checkKeyAccounts refuses a keys file that names an account not served,
// which is a typo that would silently lock an operator out.
func checkKeyAccounts(keys []authKey, ts []target, path string) error {
	served := map[string]bool{}
	for _, t := range ts {
		served[t.account] = true
	}
	for _, k := range keys {
		for _, a := range k.accounts {
			if !served[a] {
				return fmt.Errorf("authorized keys %s: key %s names account %q, which is not served (accounts: %s)", path, k.name, a, strings.Join(accountsOf(ts), ", "))
			}
		}
	}
	return nil
}
