package mail_test

import (
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
	addr := "reply+" + token + "@reply.acme.example"
	// What an inbound message's To, Cc or Delivered-To may hold once the customer answers.
	for _, header := range []string{
		replyTo,
		addr,
		"<" + addr + ">",
		strings.ToUpper(addr),
		`"Acme Support" <REPLY+` + strings.ToUpper(token) + `@Reply.Acme.Example>`,
		"Acme Support <" + addr + ">",
		"=?utf-8?q?Acme_S=C3=BCpport?= <" + addr + ">",
		"bob@acme.example, Acme Support <" + addr + ">",
		"Acme Support <" + addr + ">; ",
	} {
		got, ok := mail.ReplyToken(header)
		if !ok || got != token {
			t.Errorf("ReplyToken(%q) = %q, %v; want %q", header, got, ok, token)
		}
	}
}

func TestReplyToken_refuses_what_is_no_reply_address(t *testing.T) {
	token := mail.NewReplyToken()
	for _, header := range []string{
		"",
		"support@acme.example",
		"Acme <support@acme.example>",
		"reply+" + token,                         // no domain
		"reply+" + token + "@",                   // empty domain
		"noreply+" + token + "@acme.example",     // another local part
		"reply-" + token + "@acme.example",       // another separator
		"reply+" + token[:25] + "@acme.example",  // too short
		"reply+" + token + "a@acme.example",      // too long
		"reply+" + token[:25] + "1@acme.example", // not base32
		"reply+" + token[:25] + "_@acme.example", // not base32
		"reply+" + token[:13] + "+" + token[13:] + "@acme.example",
	} {
		if got, ok := mail.ReplyToken(header); ok {
			t.Errorf("ReplyToken(%q) = %q, want none", header, got)
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
	}
}
