// Package config reads snapdeck's accounts file: which clouds to open, under
// which names, and where each account's credential comes from. Secrets are
// read from the environment or from files and never written anywhere.
package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/snapdeck/snapdeck/model"
)

// Kind is what the accounts file knows of one provider. This package names
// no provider: cmd/snapdeck's registry passes one Kind per provider it has.
type Kind struct {
	// Name is the provider word an account names (provider = "linode").
	Name string
	// Title names the provider in messages ("Superb Flex Cloud").
	Title string
	// Password says an account signs in with a user and a password (user or
	// user_env, and password_env, password_file or password) rather than a
	// token (token_env, token_file or token).
	Password bool
	// APIURLRequired, when set, makes api_url required and says what it
	// is ("your cloud's address"): the provider has no public endpoint.
	APIURLRequired string
	// Settings are the string settings only this provider's accounts take
	// (Civo's "region"); an account's values are in Account.Settings.
	Settings []string
	// Env, when set, is the account opened from the environment when there
	// is no config file.
	Env *EnvAccount
}

// EnvAccount is an account made from environment variables.
type EnvAccount struct {
	// Name is the account's name: a variable's, so a listing says where the
	// credential came from and never what it is.
	Name string
	// TokenEnv holds the token; UserEnv and PasswordEnv, for a Password
	// kind, the user and the password. The account exists when they are set.
	TokenEnv, UserEnv, PasswordEnv string
	// URLEnv, when set, is read into api_url; the account then also needs
	// it set when the kind has APIURLRequired.
	URLEnv string
}

// kindOf finds the Kind named name.
func kindOf(kinds []Kind, name string) *Kind {
	for i := range kinds {
		if kinds[i].Name == name {
			return &kinds[i]
		}
	}
	return nil
}

// Account is one account at one provider.
type Account struct {
	Name     string `toml:"name"`
	Provider string `toml:"provider"`
	// APIURL points at another endpoint (a proxy, `snapdeck sim`); "" is
	// the provider's own (Superb Flex Cloud has none and needs it).
	APIURL string `toml:"api_url"`
	// ReadOnly refuses every change in this account.
	ReadOnly bool `toml:"read_only"`
	// Production colours the account's frame so it is never mistaken.
	Production bool `toml:"production"`
	// Settings are the provider's own settings (Kind.Settings) the account
	// sets, such as Civo's region.
	Settings map[string]string `toml:"-"`

	// The token (Linode, Civo, Northflank) or the password (Superb Flex)
	// comes from exactly one of these. An inline secret is accepted only
	// from a file that nobody else can read.
	TokenEnv     string `toml:"token_env"`
	TokenFile    string `toml:"token_file"`
	Token        string `toml:"token"`
	User         string `toml:"user"`
	UserEnv      string `toml:"user_env"`
	PasswordEnv  string `toml:"password_env"`
	PasswordFile string `toml:"password_file"`
	Password     string `toml:"password"`

	// where says where the account was defined, for messages.
	where string
}

// File is a parsed accounts file.
type File struct {
	Path     string
	Accounts []Account `toml:"account"`
	// Serve holds `snapdeck serve` settings; its flags override them.
	Serve Serve `toml:"serve"`
	// Policy is the backup policy the file sets (the built-in rule when it
	// sets none): which rule each resource is held to.
	Policy model.Policy `toml:"-"`
	// PolicyTOML is [policy] as written; Policy is what it means.
	PolicyTOML Policy `toml:"policy"`
}

// Serve configures `snapdeck serve`. Zero values leave the flag defaults.
type Serve struct {
	Listen         string   `toml:"listen"`
	HostKey        string   `toml:"host_key"`
	AuthorizedKeys string   `toml:"authorized_keys"`
	MaxSessions    int      `toml:"max_sessions"`
	IdleTimeout    Duration `toml:"idle_timeout"`
	ShutdownGrace  Duration `toml:"shutdown_grace"`
}

// Duration reads "15m", "30s" and the like.
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 30s or 15m", b)
	}
	if v < 0 {
		return fmt.Errorf("%q is negative", b)
	}
	d.Duration = v
	return nil
}

// DefaultPath is config.toml in the user's config directory.
func DefaultPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "snapdeck", "config.toml")
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

// Load reads and checks the file at path, whose accounts may name the
// providers kinds describe. Every error names the file and says what is
// wrong in one line.
func Load(path string, kinds []Kind) (*File, error) {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("config %s: %s", path, fmt.Sprintf(format, a...))
	}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fail("no such file")
		}
		return nil, fail("%v", unwrapPath(err))
	}
	if fi.IsDir() {
		return nil, fail("is a directory")
	}
	var f File
	md, err := toml.DecodeFile(path, &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			if secretLine(path, pe.Position.Line) {
				// The parser quotes what it read, which here may be a secret.
				return nil, fail("line %d: not valid TOML (quote the value: token = \"…\"; the line is not shown, it may hold a secret)", pe.Position.Line)
			}
			return nil, fail("line %d: %s", pe.Position.Line, pe.Message)
		}
		return nil, fail("%v", unwrapPath(err))
	}
	for _, k := range md.Undecoded() {
		if len(k) != 2 || k[0] != "account" || !isSetting(kinds, k[1]) {
			if len(k) > 0 && k[0] == "policy" {
				return nil, fail("unknown setting %q: [policy] holds [policy.default], [policy.account.NAME] and [policy.tag.TAG] rules", k.String())
			}
			return nil, fail("unknown setting %q", k.String())
		}
	}
	if err := settings(path, kinds, f.Accounts); err != nil {
		return nil, fail("%v", err)
	}
	f.Path = path
	if f.Serve.MaxSessions < 0 {
		return nil, fail("serve.max_sessions must be at least 1")
	}
	private := fi.Mode().Perm()&0o077 == 0
	if len(f.Accounts) == 0 {
		return nil, fail("no [[account]] entries")
	}
	seen := map[string]bool{}
	for i := range f.Accounts {
		a := &f.Accounts[i]
		a.where = fmt.Sprintf("account %d", i+1)
		if a.Name != "" {
			a.where = fmt.Sprintf("account %q", a.Name)
		}
		if err := a.check(kinds, private); err != nil {
			return nil, fail("%s: %v", a.where, err)
		}
		if seen[a.Name] {
			return nil, fail("%s: the name is used twice", a.where)
		}
		seen[a.Name] = true
	}
	if f.Policy, err = f.policy(); err != nil {
		return nil, fail("%v", err)
	}
	return &f, nil
}

// secretLine reports whether line n (or the one before, where the parser
// may point after a newline) of the file sets a token or password.
func secretLine(path string, n int) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return true
	}
	lines := strings.Split(string(data), "\n")
	for _, i := range []int{n - 1, n - 2} {
		if i >= 0 && i < len(lines) && secretKey.MatchString(lines[i]) {
			return true
		}
	}
	return false
}

var (
	secretKey = regexp.MustCompile(`^\s*(token|password)\s*=`)
	envName   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
)

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// isSetting reports whether name is a provider's own setting.
func isSetting(kinds []Kind, name string) bool {
	for _, k := range kinds {
		if slices.Contains(k.Settings, name) {
			return true
		}
	}
	return false
}

// settings reads the providers' own settings of each account into its
// Settings: the struct decode left them undecoded.
func settings(path string, kinds []Kind, accts []Account) error {
	var raw struct {
		Accounts []map[string]any `toml:"account"`
	}
	if _, err := toml.DecodeFile(path, &raw); err != nil {
		return unwrapPath(err)
	}
	for i, m := range raw.Accounts {
		for key, v := range m {
			if !isSetting(kinds, key) || i >= len(accts) {
				continue
			}
			s, ok := v.(string)
			if !ok {
				where := fmt.Sprintf("account %d", i+1)
				if n, _ := m["name"].(string); n != "" {
					where = fmt.Sprintf("account %q", n)
				}
				return fmt.Errorf("%s: %s must be a string", where, key)
			}
			if accts[i].Settings == nil {
				accts[i].Settings = map[string]string{}
			}
			accts[i].Settings[key] = s
		}
	}
	return nil
}

func (a *Account) check(kinds []Kind, private bool) error {
	if a.Name == "" {
		return errors.New("name is missing")
	}
	if !nameRE.MatchString(a.Name) {
		return errors.New("name must be 1–40 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	k := kindOf(kinds, a.Provider)
	if k == nil {
		names := make([]string, 0, len(kinds))
		for _, k := range kinds {
			names = append(names, k.Name)
		}
		return fmt.Errorf("provider %q is not one of %s", a.Provider, strings.Join(names, ", "))
	}
	if a.APIURL != "" && !strings.HasPrefix(a.APIURL, "http://") && !strings.HasPrefix(a.APIURL, "https://") {
		return fmt.Errorf("api_url %q needs a scheme, e.g. https://api.example.com", a.APIURL)
	}
	if k.Password {
		if a.TokenEnv != "" || a.TokenFile != "" || a.Token != "" {
			return fmt.Errorf("a %s account uses user and password, not a token", k.Title)
		}
		if a.APIURL == "" && k.APIURLRequired != "" {
			return fmt.Errorf("api_url is required for %s (%s)", k.Title, k.APIURLRequired)
		}
		if err := a.onlyOwnSettings(kinds, k); err != nil {
			return err
		}
		if (a.User == "") == (a.UserEnv == "") {
			return errors.New("set exactly one of user, user_env")
		}
		if a.UserEnv != "" && !envName.MatchString(a.UserEnv) {
			return errors.New("user_env must be the name of an environment variable (letters, digits, _)")
		}
		return sources(private, "password", a.PasswordEnv, a.PasswordFile, a.Password)
	}
	if a.User != "" || a.UserEnv != "" || a.PasswordEnv != "" || a.PasswordFile != "" || a.Password != "" {
		return fmt.Errorf("%s uses a token, not a user and password", a.Provider)
	}
	if a.APIURL == "" && k.APIURLRequired != "" {
		return fmt.Errorf("api_url is required for %s (%s)", k.Title, k.APIURLRequired)
	}
	if err := a.onlyOwnSettings(kinds, k); err != nil {
		return err
	}
	return sources(private, "token", a.TokenEnv, a.TokenFile, a.Token)
}

// onlyOwnSettings refuses another provider's setting ("region is only for
// Civo accounts").
func (a *Account) onlyOwnSettings(kinds []Kind, k *Kind) error {
	for _, key := range slices.Sorted(maps.Keys(a.Settings)) {
		if slices.Contains(k.Settings, key) {
			continue
		}
		var titles []string
		for _, o := range kinds {
			if slices.Contains(o.Settings, key) {
				titles = append(titles, o.Title)
			}
		}
		return fmt.Errorf("%s is only for %s accounts", key, strings.Join(titles, " and "))
	}
	return nil
}

// usesPassword: the account signs in with a user and a password. Load
// makes sure an account sets the fields of its provider's sign-in only.
func (a Account) usesPassword() bool {
	return a.User != "" || a.UserEnv != "" || a.PasswordEnv != "" || a.PasswordFile != "" || a.Password != ""
}

func sources(private bool, what, env, file, inline string) error {
	if env != "" && !envName.MatchString(env) {
		// Most likely the secret itself: never repeat it.
		return fmt.Errorf("%s_env must be the name of an environment variable (letters, digits, _), not its value", what)
	}
	n := 0
	for _, s := range []string{env, file, inline} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("set exactly one of %[1]s_env, %[1]s_file, %[1]s", what)
	}
	if inline != "" && !private {
		return fmt.Errorf("an inline %s needs the config file to be private: chmod 600 it, or use %s_env / %s_file", what, what, what)
	}
	return nil
}

// Secret resolves the account's token (or, for Superb Flex Cloud, its
// password), reading the environment through getenv.
func (a Account) Secret(getenv func(string) string) (string, error) {
	env, file, inline, what := a.TokenEnv, a.TokenFile, a.Token, "token"
	if a.usesPassword() {
		env, file, inline, what = a.PasswordEnv, a.PasswordFile, a.Password, "password"
	}
	var v, from string
	switch {
	case inline != "":
		v, from = strings.TrimSpace(inline), "the inline "+what
	case env != "":
		raw := getenv(env)
		if raw == "" {
			return "", fmt.Errorf("%s: %s is not set (its %s comes from there)", a.where, env, what)
		}
		v, from = strings.TrimSpace(raw), env
	default:
		var err error
		if v, err = readSecretFile(a.where, what, file); err != nil {
			return "", err
		}
		from = what + "_file"
	}
	if err := checkSecret(v, what); err != nil {
		return "", fmt.Errorf("%s: %s %s (it is not shown)", a.where, from, err)
	}
	return v, nil
}

// MinSecretLen is the shortest token or password accepted. Real ones are
// far longer; a shorter one is a mistake (LINODE_TOKEN=e), and redacting
// it from error text would garble every word that holds it.
const MinSecretLen = 8

// checkSecret refuses a secret that cannot be a real one, in words that
// never repeat it: empty or blank, shorter than MinSecretLen, holding
// control characters, or (a token) holding spaces.
func checkSecret(v, what string) error {
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0:
		return errors.New("is empty or blank")
	case strings.ContainsFunc(v, unicode.IsControl):
		return errors.New("holds control characters (a line break?)")
	case what == "token" && strings.ContainsFunc(v, unicode.IsSpace):
		return errors.New("holds spaces; a token has none")
	case n < MinSecretLen:
		return fmt.Errorf("is too short: %d characters, and a real %s has at least %d", n, what, MinSecretLen)
	}
	return nil
}

// UserName resolves a Superb Flex Cloud account's user.
func (a Account) UserName(getenv func(string) string) (string, error) {
	if a.User != "" {
		return a.User, nil
	}
	v := strings.TrimSpace(getenv(a.UserEnv))
	if v == "" {
		return "", fmt.Errorf("%s: %s is not set (its user comes from there)", a.where, a.UserEnv)
	}
	return v, nil
}

// readSecretFile reads a secret from a file nobody else can read.
func readSecretFile(where, what, path string) (string, error) {
	shown := path
	if !strings.ContainsAny(path, "/\\") {
		shown = "(not shown: it does not look like a path; is it the secret itself?)"
	}
	if strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, path[2:])
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%s: %s_file %s: %v", where, what, shown, unwrapPath(err))
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s: %s_file %s is readable by others (mode %04o): chmod 600 it", where, what, shown, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: %s_file %s: %v", where, what, shown, unwrapPath(err))
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("%s: %s_file %s is empty", where, what, shown)
	}
	return v, nil
}

// FromEnv returns the accounts whose variables are set, one per kind with
// an Env, in the order of kinds.
func FromEnv(kinds []Kind, getenv func(string) string) []Account {
	var out []Account
	for _, k := range kinds {
		e := k.Env
		if e == nil {
			continue
		}
		a := Account{Name: e.Name, Provider: k.Name, TokenEnv: e.TokenEnv, UserEnv: e.UserEnv, PasswordEnv: e.PasswordEnv}
		a.where = "account from the environment (" + a.Name + ")"
		if e.URLEnv != "" {
			a.APIURL = getenv(e.URLEnv)
		}
		if k.Password {
			if getenv(a.UserEnv) == "" || getenv(a.PasswordEnv) == "" {
				continue
			}
		} else if getenv(a.TokenEnv) == "" {
			continue
		}
		if a.APIURL == "" && k.APIURLRequired != "" {
			continue
		}
		out = append(out, a)
	}
	return out
}

// Names lists the account names, sorted.
func (f *File) Names() []string {
	out := make([]string, 0, len(f.Accounts))
	for _, a := range f.Accounts {
		out = append(out, a.Name)
	}
	sort.Strings(out)
	return out
}
