package client

import (
	"net/http"
	"time"
)

// Transport is how an adapter reaches its API: the settings every adapter
// shares, declared once here. Each adapter's Config embeds it (and so does
// rest.Config); what differs (the credential, a region, whether pacing is on
// by default) stays in the adapter's own Config.
type Transport struct {
	// BaseURL is "scheme://host[/prefix]"; each adapter says what "" means
	// (its public API, or, for Superb Flex Cloud, an error).
	BaseURL string
	// HTTPClient is used as it is (never modified); nil means a fresh one,
	// sim.InProcess for the demo.
	HTTPClient *http.Client
	// Timeout bounds each attempt, up to the end of its body; default 30s.
	Timeout time.Duration
	// Retries is how often a read is retried after a 429, a 5xx or a lost
	// connection; 0 means 3, a negative number none. Writes are sent once.
	Retries int
	// RetryWait is the shortest wait between retries (default 1s); a
	// longer Retry-After wins, up to MaxRetryWait (default 30s).
	RetryWait    time.Duration
	MaxRetryWait time.Duration
	// Pacer keeps requests inside the limit the API announces and waits out
	// a 429's Retry-After for every request of the account; share one among
	// the adapters of one account. What nil means is the adapter's to say.
	Pacer *Pacer
}
