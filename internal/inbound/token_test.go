package inbound_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/inbound"
)

// Tokens as mail.NewReplyToken makes them: 26 characters of lower-case base32.
const (
	tok1 = "k3vq7x2mzp4hfw6ta5bnrjcd2e"
	tok2 = "a2bc3de4fg5hi6jk7lmnopqrst"
)

func TestE2_ReplyTokens(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		want   []string
	}{
		{"To with a display name", "To: \"Acme Support\" <reply+" + tok1 + "@support.example.com>\r\n", []string{tok1}},
		{"bare address", "To: reply+" + tok1 + "@support.example.com\r\n", []string{tok1}},
		{"any case", "To: REPLY+" + strings.ToUpper(tok1) + "@SUPPORT.EXAMPLE.COM\r\n", []string{tok1}},
		{"Cc, among others", "To: bob@acme.example\r\nCc: Ann <ann@acme.example>, Acme <reply+" + tok2 + "@s.example>\r\n", []string{tok2}},
		{"only in Delivered-To (Bcc)", "To: undisclosed-recipients:;\r\nDelivered-To: reply+" + tok1 + "@s.example\r\n", []string{tok1}},
		{"only in X-Original-To (forwarded by a server)", "To: support@acme.example\r\nX-Original-To: reply+" + tok1 + "@s.example\r\n", []string{tok1}},
		{"each once, in order", "To: reply+" + tok1 + "@s.example, reply+" + strings.ToUpper(tok2) + "@s.example\r\nCc: reply+" + tok1 + "@s.example\r\nDelivered-To: reply+" + tok2 + "@s.example\r\n", []string{tok1, tok2}},
		{"a display name is not an address", "To: \"reply+" + tok1 + "@s.example\" <jane@acme.example>\r\n", nil},
		{"noreply+ is not reply+", "To: noreply+" + tok1 + "@s.example\r\n", nil},
		{"no token", "To: reply+@s.example\r\n", nil},
		{"not a token NewReplyToken makes", "To: reply+abc123@s.example\r\n", nil},
		{"not a token at all", "To: \"reply+a/b\"@s.example\r\n", nil},
		{"no reply address", "To: support@s.example\r\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := inbound.Parse([]byte("From: jane@acme.example\r\n" + tc.header + "\r\nHi\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := inbound.ReplyTokens(e); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ReplyTokens = %q, want %q", got, tc.want)
			}
		})
	}
}

// An email that answers nothing starts a conversation (CV1): it has no reply token and no
// Message-ID to thread by, and all of it is the customer's text.
func TestCV1_AnEmailThatAnswersNothing(t *testing.T) {
	e := parseFile(t, "no_quote.eml")
	if tokens := inbound.ReplyTokens(e); tokens != nil || e.InReplyTo != nil || e.References != nil {
		t.Errorf("tokens %q InReplyTo %q References %q, want none", tokens, e.InReplyTo, e.References)
	}
	if e.IsAutoReply() || e.NewText() != "Hello,\n\nI can’t log in since this morning: the page says “session expired”.\n\nRegards,\nRené" {
		t.Errorf("IsAutoReply %v, NewText %q", e.IsAutoReply(), e.NewText())
	}
}

// A reply is threaded by its token first, and by the Message-IDs of our emails it names.
func TestE2_ThreadingOfRealReplies(t *testing.T) {
	for _, tc := range []struct {
		file      string
		inReplyTo string
	}{
		{"gmail.eml", "ticket-reply.43.7b21de@support.example.com"},
		{"outlook_desktop.eml", "ticket-reply.44.9c0ffe@support.example.com"},
		{"apple_mail.eml", "ticket-reply.46.cc22dd@support.example.com"},
		{"top_posted_history.eml", "conversation-reply.77.ee33ff@support.example.com"},
	} {
		e := parseFile(t, tc.file)
		if got := inbound.ReplyTokens(e); !reflect.DeepEqual(got, []string{"k3vq7x2mzp4hfw6ta5bnrjcd2e"}) {
			t.Errorf("%s: ReplyTokens %q", tc.file, got)
		}
		if !reflect.DeepEqual(e.InReplyTo, []string{tc.inReplyTo}) {
			t.Errorf("%s: InReplyTo %q, want %q", tc.file, e.InReplyTo, tc.inReplyTo)
		}
	}
}
