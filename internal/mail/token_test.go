package mail_test

import (
	netmail "net/mail"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/mail"
)

func TestE2_reply_token_round_trip(t *testing.T) {
	c := newComposer(t)
	token := mail.NewReplyToken()
	_, p := deliver(t, compose(t, c, stateChange(token)))

	replyTo := p.Header.Get("Reply-To")
	if want := `"Acme Support" <reply+` + token + `@reply.acme.example>`; replyTo != want {
		t.Errorf("Reply-To = %q, want %q", replyTo, want)
	}
	a, err := netmail.ParseAddress(replyTo)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := mail.ReplyToken(a.Address); !ok || got != token {
		t.Errorf("ReplyToken(%q) = %q, %v; want %q", a.Address, got, ok, token)
	}
	addr := "reply+" + token + "@reply.acme.example"
	// The reply address as an envelope recipient or a header's address may come back: in
	// angle brackets (RCPT TO), in upper case, quoted.
	for _, a := range []string{
		addr,
		"<" + addr + ">",
		" " + addr + " ",
		strings.ToUpper(addr),
		"<REPLY+" + strings.ToUpper(token) + "@Reply.Acme.Example>",
		`"reply+` + token + `"@reply.acme.example`,
	} {
		got, ok := mail.ReplyToken(a)
		if !ok || got != token {
			t.Errorf("ReplyToken(%q) = %q, %v; want %q", a, got, ok, token)
		}
	}
}

func TestE2_ReplyTokenReadsAddressesNeverDisplayNames(t *testing.T) {
	token := mail.NewReplyToken()
	for _, a := range []string{
		"",
		"support@acme.example",
		"reply+" + token,                         // no domain
		"reply+" + token + "@",                   // empty domain
		"noreply+" + token + "@acme.example",     // another local part
		"reply-" + token + "@acme.example",       // another separator
		"reply+" + token[:25] + "@acme.example",  // too short
		"reply+" + token + "a@acme.example",      // too long
		"reply+" + token[:25] + "1@acme.example", // not base32
		"reply+" + token[:25] + "_@acme.example", // not base32
		"reply+" + token[:13] + "+" + token[13:] + "@acme.example",
		`"reply+a/b"@acme.example`,
		// A display name is not an address, whatever it says: these are Jane's addresses, or
		// header values that the caller should have parsed into addresses first.
		`"reply+` + token + `@acme.example" <jane@acme.example>`,
		"Acme Support <reply+" + token + "@acme.example>",
		"bob@acme.example, reply+" + token + "@acme.example",
	} {
		if got, ok := mail.ReplyToken(a); ok {
			t.Errorf("ReplyToken(%q) = %q, want none", a, got)
		}
	}
}

func TestNewReplyToken_is_unguessable(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		token := mail.NewReplyToken()
		if len(token) != 26 { // 26 base32 characters: 130 bits
			t.Fatalf("token %q has %d characters, want 26", token, len(token))
		}
		if strings.Trim(token, "abcdefghijklmnopqrstuvwxyz234567") != "" {
			t.Fatalf("token %q is not lower-case base32", token)
		}
		if seen[token] {
			t.Fatalf("token %q came twice", token)
		}
		seen[token] = true
		if got, ok := mail.ReplyToken("reply+" + token + "@x.example"); !ok || got != token {
			t.Fatalf("ReplyToken does not read back token %q", token)
		}
	}
}
