// Package config reads Helpdesk's settings from flags and HELPDESK_* environment variables, once,
// in main; everything else receives them as values.
package config

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// Config is every setting of the server.
type Config struct {
	Addr            string        // HELPDESK_ADDR
	DatabaseURL     string        // HELPDESK_DATABASE_URL: sqlite:PATH or postgres://...
	BaseURL         string        // HELPDESK_BASE_URL: how customers and teammates reach this server
	SMTPURL         string        // HELPDESK_SMTP_URL
	MailFrom        string        // HELPDESK_MAIL_FROM
	InboundSMTPAddr string        // HELPDESK_INBOUND_SMTP_ADDR
	ReplyEmailDelay time.Duration // HELPDESK_REPLY_EMAIL_DELAY
	IdentitySecret  string        // HELPDESK_IDENTITY_SECRET
	// InboundSecret protects the HTTP endpoint that takes raw MIME from mail services
	// (HELPDESK_INBOUND_SECRET); empty: the endpoint is off.
	InboundSecret string
	// ReplyDomain is the domain of reply addresses (HELPDESK_REPLY_DOMAIN); empty: the domain
	// of HELPDESK_MAIL_FROM.
	ReplyDomain string
	// TLSCert and TLSKey are the files of a certificate and its key (HELPDESK_TLS_CERT,
	// HELPDESK_TLS_KEY): with both, the server speaks HTTPS, and so HTTP/2 to browsers (which
	// lifts HTTP/1.1's six connections per server, each open Inbox page holding one). Empty:
	// plain HTTP, for a TLS proxy in front.
	TLSCert, TLSKey   string
	SnoozeSweepPeriod time.Duration
}

// Defaults are the settings when nothing is said.
func Defaults() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		DatabaseURL:       "sqlite:helpdesk.db",
		ReplyEmailDelay:   3 * time.Minute,
		SnoozeSweepPeriod: 5 * time.Second,
	}
}

// Flags registers the settings on fs, with the environment (through getenv) overriding the
// defaults and flags overriding the environment. Call Finish after fs.Parse.
func (c *Config) Flags(fs *flag.FlagSet, getenv func(string) string) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		if file := getenv(name + "_FILE"); file != "" {
			if b, err := os.ReadFile(file); err == nil {
				return strings.TrimSpace(string(b))
			}
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("HELPDESK_ADDR", c.Addr), "HTTP listen address (HELPDESK_ADDR)")
	fs.StringVar(&c.DatabaseURL, "database", env("HELPDESK_DATABASE_URL", c.DatabaseURL), "database: sqlite:PATH or postgres://... (HELPDESK_DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", env("HELPDESK_BASE_URL", c.BaseURL), "public URL of this server (HELPDESK_BASE_URL)")
	fs.StringVar(&c.SMTPURL, "smtp-url", env("HELPDESK_SMTP_URL", c.SMTPURL), "outbound mail server, smtp://user:pass@host:port (HELPDESK_SMTP_URL)")
	fs.StringVar(&c.MailFrom, "mail-from", env("HELPDESK_MAIL_FROM", c.MailFrom), "From address of outbound mail (HELPDESK_MAIL_FROM)")
	fs.StringVar(&c.InboundSMTPAddr, "inbound-smtp-addr", env("HELPDESK_INBOUND_SMTP_ADDR", c.InboundSMTPAddr), "listen address of the inbound SMTP server (HELPDESK_INBOUND_SMTP_ADDR)")
	fs.StringVar(&c.IdentitySecret, "identity-secret", env("HELPDESK_IDENTITY_SECRET", c.IdentitySecret), "secret that signs customer identities (HELPDESK_IDENTITY_SECRET)")
	fs.StringVar(&c.InboundSecret, "inbound-secret", env("HELPDESK_INBOUND_SECRET", c.InboundSecret), "secret a mail service sends to POST /inbound/email (HELPDESK_INBOUND_SECRET)")
	fs.StringVar(&c.TLSCert, "tls-cert", env("HELPDESK_TLS_CERT", c.TLSCert), "certificate file: serve HTTPS and HTTP/2 (HELPDESK_TLS_CERT, with HELPDESK_TLS_KEY)")
	fs.StringVar(&c.TLSKey, "tls-key", env("HELPDESK_TLS_KEY", c.TLSKey), "the certificate's key file (HELPDESK_TLS_KEY)")
	fs.StringVar(&c.ReplyDomain, "reply-domain", env("HELPDESK_REPLY_DOMAIN", c.ReplyDomain), "domain of reply+TOKEN@ addresses (HELPDESK_REPLY_DOMAIN; default: that of the From address)")
	fs.Func("reply-email-delay", "how long a reply waits to be seen before it is emailed (HELPDESK_REPLY_EMAIL_DELAY, default 3m)", func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return err
		}
		c.ReplyEmailDelay = d
		return nil
	})
	if v := env("HELPDESK_REPLY_EMAIL_DELAY", ""); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			c.ReplyEmailDelay = d
		} else {
			c.ReplyEmailDelay = -1 // reported by Finish
		}
	}
}

// Finish checks the settings after parsing and fills what derives from others.
func (c *Config) Finish() error {
	if c.ReplyEmailDelay < 0 {
		return fmt.Errorf("config: HELPDESK_REPLY_EMAIL_DELAY must be a Go duration such as 3m or 10s")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("config: HELPDESK_TLS_CERT and HELPDESK_TLS_KEY go together: give both or neither")
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
		if c.TLSCert != "" {
			c.BaseURL = "https://" + c.Addr
		}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return nil
}
