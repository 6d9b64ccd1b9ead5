package inbound

import (
	"slices"
	"strings"
)

// replyPrefix starts the local part of the help desk's reply addresses: reply+TOKEN@domain.
const replyPrefix = "reply+"

// ReplyTokens returns the tokens of the reply+TOKEN@... addresses the message was sent to, in
// To, Cc, Delivered-To and X-Original-To, in that order and each once (E2: the thread is found
// by its token first, then by InReplyTo and References). Tokens are lower-cased, as the help
// desk makes them (lower-case base32), because mail systems may change the case of a local
// part; the domain is not checked, it is whatever routed the mail here. Only the addresses are
// read, never display names, so "reply+x@..." <jane@acme.example> gives nothing.
func ReplyTokens(e Email) []string {
	var tokens []string
	add := func(addr string) {
		if t, ok := ReplyToken(addr); ok && !slices.Contains(tokens, t) {
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

// ReplyToken returns the token of one address, such as an SMTP envelope recipient (RCPT TO),
// which the listener knows even when no header shows it.
func ReplyToken(addr string) (string, bool) {
	addr = strings.Trim(strings.TrimSpace(addr), "<>")
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "", false
	}
	local := strings.ToLower(strings.Trim(addr[:at], `"`))
	token, ok := strings.CutPrefix(local, replyPrefix)
	if !ok || !validToken(token) {
		return "", false
	}
	return token, true
}

// validToken keeps what a token can be made of (letters, digits, "-" and "_", at most 128):
// anything else is not one of ours and need not reach a database query.
func validToken(t string) bool {
	if t == "" || len(t) > 128 {
		return false
	}
	for _, r := range t {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
