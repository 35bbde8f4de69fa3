package client

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrUnusableID is wrapped by the error of every request refused because an
// ID that would go into its URL path could move the request elsewhere: a
// Northflank backup whose ID is ".." would turn "delete this backup" into
// "delete this addon" once the path is cleaned.
var ErrUnusableID = errors.New("unusable ID from the provider")

// maxIDLen bounds one ID; no provider's IDs come near it.
const maxIDLen = 256

// CheckID reports whether id may be one segment of a URL path. It refuses
// the empty ID, "." and "..", a slash or backslash, a '%' (an escape the
// server would decode), control characters, invalid UTF-8, and IDs longer
// than any provider uses. Its error says "unusable ID from the provider".
func CheckID(id string) error {
	ok := id != "" && id != "." && id != ".." && len(id) <= maxIDLen && utf8.ValidString(id) &&
		!strings.ContainsAny(id, "/\\%") &&
		strings.IndexFunc(id, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) < 0
	if ok {
		return nil
	}
	return UnusableID(id)
}

// UnusableID is the error for a request refused, before anything was sent,
// because of id (or a path holding it).
func UnusableID(id string) error {
	return &Error{Kind: ErrInvalid, Err: ErrUnusableID,
		Reasons: []string{ErrUnusableID.Error() + ": " + strconv.QuoteToASCII(id) + "; nothing was sent"}}
}

// Path builds a URL path from a pattern whose "{}" each stand for one ID,
// in order: Path("/v1/projects/{}/addons/{}", p, a). Every ID passes
// CheckID and is path-escaped; the first unusable one is the error, and no
// path is returned. It is the one way an ID from a provider (or a user)
// enters a URL path, for every adapter.
func Path(pattern string, ids ...string) (string, error) {
	parts := strings.Split(pattern, "{}")
	if len(parts) != len(ids)+1 {
		panic("client.Path: pattern " + strconv.Quote(pattern) + " wants " + strconv.Itoa(len(parts)-1) + " IDs, got " + strconv.Itoa(len(ids)))
	}
	var b strings.Builder
	b.WriteString(parts[0])
	for i, id := range ids {
		if err := CheckID(id); err != nil {
			return "", err
		}
		b.WriteString(url.PathEscape(id))
		b.WriteString(parts[i+1])
	}
	return b.String(), nil
}

// IntID reads an ID that a provider with numeric IDs (Linode, Linode
// Managed Databases, Superb Flex) would put into a URL path. An ID that
// CheckID refuses gets its error; one that is not a positive decimal number
// in its plain form ("", "+5", "05", "1e3" are not) gets notFound's, so the
// SDK is never called with a number the user did not write.
func IntID(id string, notFound func(string) error) (int, error) {
	if id == "" {
		return 0, notFound(id)
	}
	if err := CheckID(id); err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(id)
	if err != nil || n <= 0 || strconv.Itoa(n) != id {
		return 0, notFound(id)
	}
	return n, nil
}

// PathHasDotSegment reports whether a path already built holds a "." or
// ".." segment, escaped or not, which url.JoinPath and servers would fold into its parent.
// client/rest refuses such a path as a last check behind Path.
func PathHasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if u, err := url.PathUnescape(seg); err == nil {
			seg = u
		}
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
