package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/mail"
)

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want mail.SMTPConfig
	}{
		{"smtp://mail.acme.example", mail.SMTPConfig{Host: "mail.acme.example", Port: 587, Security: mail.StartTLSRequired, Timeout: 30 * time.Second}},
		{"smtp://user:p%40ss%3Aword@mail.acme.example:2525", mail.SMTPConfig{Host: "mail.acme.example", Port: 2525, Username: "user", Password: "p@ss:word", Security: mail.StartTLSRequired, Timeout: 30 * time.Second}},
		{"smtps://user:pw@mail.acme.example", mail.SMTPConfig{Host: "mail.acme.example", Port: 465, Username: "user", Password: "pw", Security: mail.ImplicitTLS, Timeout: 30 * time.Second}},
		{"smtps://mail.acme.example:4650?timeout=5s", mail.SMTPConfig{Host: "mail.acme.example", Port: 4650, Security: mail.ImplicitTLS, Timeout: 5 * time.Second}},
		{"smtp://localhost:1025", mail.SMTPConfig{Host: "localhost", Port: 1025, Security: mail.StartTLSOpportunistic, Timeout: 30 * time.Second}},
		{"smtp://127.0.0.1:1025/", mail.SMTPConfig{Host: "127.0.0.1", Port: 1025, Security: mail.StartTLSOpportunistic, Timeout: 30 * time.Second}},
		{"smtp://[::1]:25", mail.SMTPConfig{Host: "::1", Port: 25, Security: mail.StartTLSOpportunistic, Timeout: 30 * time.Second}},
		{"smtp://127.0.0.1:25?starttls=required", mail.SMTPConfig{Host: "127.0.0.1", Port: 25, Security: mail.StartTLSRequired, Timeout: 30 * time.Second}},
		{"smtp://relay.internal:25?starttls=none&timeout=1m", mail.SMTPConfig{Host: "relay.internal", Port: 25, Security: mail.NoTLS, Timeout: time.Minute}},
		{"smtp://relay.internal?starttls=opportunistic", mail.SMTPConfig{Host: "relay.internal", Port: 587, Security: mail.StartTLSOpportunistic, Timeout: 30 * time.Second}},
	} {
		got, err := mail.ParseSMTPURL(tc.url)
		if err != nil {
			t.Errorf("ParseSMTPURL(%q): %v", tc.url, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseSMTPURL(%q) =\n%+v\nwant\n%+v", tc.url, got, tc.want)
		}
	}
}

func TestParseSMTPURL_errors(t *testing.T) {
	for _, tc := range []struct{ url, says string }{
		{"", "empty"},
		{"   ", "empty"},
		{"mail.acme.example:587", "scheme"},
		{"http://mail.acme.example", "scheme"},
		{"smtp://", "no host"},
		{"smtp://:25", "no host"},
		{"smtp://mail.acme.example:0", "port"},
		{"smtp://mail.acme.example:99999", "port"},
		{"smtp://mail.acme.example:smtp", "not a valid URL"},
		{"smtp://mail.acme.example/inbox", "path"},
		{"smtp://:secret@mail.acme.example", "no user name"},
		{"smtp://mail.acme.example?starttls=yes", "starttls"},
		{"smtps://mail.acme.example?starttls=required", "smtps"},
		{"smtp://mail.acme.example?timeout=soon", "timeout"},
		{"smtp://mail.acme.example?timeout=-1s", "timeout"},
		{"smtp://mail.acme.example?tls=on", "unknown option"},
		{"smtp://user:s3cret%zz@mail.acme.example", "not a valid URL"},
	} {
		_, err := mail.ParseSMTPURL(tc.url)
		if err == nil {
			t.Errorf("ParseSMTPURL(%q) succeeded", tc.url)
			continue
		}
		if !strings.Contains(err.Error(), tc.says) {
			t.Errorf("ParseSMTPURL(%q) = %q, want it to say %q", tc.url, err, tc.says)
		}
		if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseSMTPURL(%q) error shows the password: %q", tc.url, err)
		}
	}
}

func TestSMTPConfig_String_hides_the_password(t *testing.T) {
	cfg, err := mail.ParseSMTPURL("smtp://user:s3cret@mail.acme.example")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.String(), "smtp://user:xxxxx@mail.acme.example:587?starttls=required"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
