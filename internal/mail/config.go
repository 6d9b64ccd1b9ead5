package mail

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Security is how the connection to the SMTP server is protected.
type Security int

// The kinds of connection security, as chosen by HELPDESK_SMTP_URL.
const (
	// StartTLSRequired upgrades the connection with STARTTLS and refuses to go on without it:
	// credentials and customers' mail never cross the network in clear. The default of smtp://
	// to any host but a loopback one.
	StartTLSRequired Security = iota
	// StartTLSOpportunistic upgrades with STARTTLS when the server offers it, and goes on in
	// clear when it does not. The default of smtp:// to a loopback host (a local relay or a
	// development server such as Mailpit, which offer no TLS).
	StartTLSOpportunistic
	// NoTLS never upgrades; for a trusted relay on a private network.
	NoTLS
	// ImplicitTLS speaks TLS from the first byte (smtps://, usually port 465).
	ImplicitTLS
)

// String returns the value of ?starttls= (or "implicit" for smtps://).
func (s Security) String() string {
	switch s {
	case StartTLSRequired:
		return "required"
	case StartTLSOpportunistic:
		return "opportunistic"
	case NoTLS:
		return "none"
	case ImplicitTLS:
		return "implicit"
	}
	return "Security(" + strconv.Itoa(int(s)) + ")"
}

// DefaultSMTPTimeout bounds connecting and each SMTP command when the URL says nothing.
const DefaultSMTPTimeout = 30 * time.Second

// SMTPConfig is where and how outbound mail is handed over: HELPDESK_SMTP_URL, parsed.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string // empty: no authentication
	Password string
	Security Security
	// Timeout bounds the connection and every command, so that a hung server fails the attempt
	// (as a temporary error) instead of holding the worker.
	Timeout time.Duration
	// TLSConfig, when set, replaces the default (the system's roots, ServerName = Host); tests
	// use it to trust their server's certificate, operators could for a private CA.
	TLSConfig *tls.Config
}

// ParseSMTPURL reads HELPDESK_SMTP_URL:
//
//	smtp://[user:pass@]host[:port][?starttls=required|opportunistic|none][&timeout=30s]
//	smtps://[user:pass@]host[:port][?timeout=30s]
//
// smtp:// defaults to port 587 (submission) and to starttls=required, except for a loopback
// host (localhost, 127.0.0.0/8, ::1) where it defaults to starttls=opportunistic, so that a local
// development server without TLS works with no option. smtps:// is TLS from the first byte and
// defaults to port 465. The user name and password are percent-decoded (write @ as %40, : as %3A).
// Unknown options are errors, so a misspelt one is not silently ignored.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	var c SMTPConfig
	if strings.TrimSpace(raw) == "" {
		return c, fmt.Errorf("mail: SMTP URL is empty (want smtp://user:pass@host:port)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the URL, password included: say what is wrong without it.
		return c, fmt.Errorf("mail: SMTP URL is not a valid URL (want smtp://user:pass@host:port; percent-encode special characters in the password)")
	}
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port = 465
		c.Security = ImplicitTLS
	default:
		return c, fmt.Errorf("mail: SMTP URL scheme %q: want smtp:// or smtps://", u.Scheme)
	}
	if u.Opaque != "" {
		return c, fmt.Errorf("mail: SMTP URL must look like %s://host:port", u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return c, fmt.Errorf("mail: SMTP URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("mail: SMTP URL port %q is not a port number", p)
		}
		c.Port = n
	}
	if u.Path != "" && u.Path != "/" {
		return c, fmt.Errorf("mail: SMTP URL must have no path, got %q", u.Path)
	}
	if u.Fragment != "" {
		return c, fmt.Errorf("mail: SMTP URL must have no #fragment")
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" {
			return c, fmt.Errorf("mail: SMTP URL has a password but no user name")
		}
	}

	if c.Security != ImplicitTLS {
		c.Security = StartTLSRequired
		if isLoopback(c.Host) {
			c.Security = StartTLSOpportunistic
		}
	}
	c.Timeout = DefaultSMTPTimeout
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return c, fmt.Errorf("mail: SMTP URL options: %w", err)
	}
	for name, values := range q {
		v := values[len(values)-1]
		switch name {
		case "starttls":
			if c.Security == ImplicitTLS {
				return c, fmt.Errorf("mail: SMTP URL: starttls does not apply to smtps://, which is TLS from the start")
			}
			switch v {
			case "required":
				c.Security = StartTLSRequired
			case "opportunistic":
				c.Security = StartTLSOpportunistic
			case "none":
				c.Security = NoTLS
			default:
				return c, fmt.Errorf("mail: SMTP URL: starttls=%q: want required, opportunistic or none", v)
			}
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return c, fmt.Errorf("mail: SMTP URL: timeout=%q: want a positive duration such as 30s", v)
			}
			c.Timeout = d
		default:
			return c, fmt.Errorf("mail: SMTP URL: unknown option %q (known: starttls, timeout)", name)
		}
	}
	return c, nil
}

// String is the URL without the password, for logs.
func (c SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	if c.Security == ImplicitTLS {
		u.Scheme = "smtps"
	} else {
		u.RawQuery = "starttls=" + c.Security.String()
	}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "xxxxx")
	}
	return u.String()
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
