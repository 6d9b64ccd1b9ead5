package inbound

import (
	"slices"

	"github.com/helpdesk/helpdesk/internal/mail"
)

// ReplyTokens returns the tokens of the reply+TOKEN@... addresses the message was sent to, in
// To, Cc, Delivered-To and X-Original-To, in that order and each once (E2: the thread is found
// by its token first, then by InReplyTo and References). Each address is read by
// mail.ReplyToken, the one reader of reply addresses: addresses only, never display names, so
// "reply+x@..." <jane@acme.example> gives nothing, and only tokens as mail.NewReplyToken makes
// them, in lower case whatever case the mail systems gave them. An envelope recipient, which
// the SMTP listener knows even when no header shows it, goes to mail.ReplyToken directly.
func ReplyTokens(e Email) []string {
	var tokens []string
	add := func(addr string) {
		if t, ok := mail.ReplyToken(addr); ok && !slices.Contains(tokens, t) {
			tokens = append(tokens, t)
		}
	}
	for _, a := range e.To {
		add(a.Addr)
	}
	for _, a := range e.Cc {
		add(a.Addr)
	}
	for _, a := range e.DeliveredTo {
		add(a)
	}
	for _, a := range e.OriginalTo {
		add(a)
	}
	return tokens
}
