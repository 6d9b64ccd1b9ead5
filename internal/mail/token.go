package mail

import (
	"crypto/rand"
	"strings"
)

// replyPrefix starts the local part of every reply address: reply+TOKEN@domain.
const replyPrefix = "reply+"

// replyTokenLen is the length of NewReplyToken's tokens: rand.Text's 26 base32 characters.
const replyTokenLen = 26

// NewReplyToken returns a new token for a reply address (E2): 130 random bits in lower-case
// base32 (a-z, 2-7), safe in URLs and in the local part of an address, and immune to the mail
// systems that change the case of addresses. The caller stores it with the thread (preferably one
// per thread and recipient, so that a reply tells both) and passes it in every Notification of
// that thread; whoever holds it can post into the thread, so it is never shown anywhere else.
func NewReplyToken() string {
	return strings.ToLower(rand.Text())
}

// ReplyToken returns the token of one reply address, reply+TOKEN@domain: an SMTP envelope
// recipient (RCPT TO, with or without its angle brackets) or an address already read from a
// header such as To, Cc or Delivered-To (inbound.ReplyTokens reads them all). It is the one
// reader of reply addresses, for the listener and the parser alike.
//
// It reads an address, never a display name: "reply+TOKEN@x" <jane@acme.example> is Jane's
// address, and gives nothing. The local part may be in any case, or quoted, since mail systems
// change both; the token is returned in lower case, as NewReplyToken makes it, and only when it
// is one that NewReplyToken could have made, so that nothing else reaches a database query. The
// domain is not checked: it is whatever routed the mail here.
func ReplyToken(addr string) (string, bool) {
	addr = strings.TrimSpace(addr)
	if strings.HasPrefix(addr, "<") && strings.HasSuffix(addr, ">") {
		addr = addr[1 : len(addr)-1]
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || at == len(addr)-1 {
		return "", false
	}
	local := addr[:at]
	if len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"' {
		local = local[1 : len(local)-1]
	}
	token, ok := strings.CutPrefix(strings.ToLower(local), replyPrefix)
	if !ok || !validReplyToken(token) {
		return "", false
	}
	return token, true
}

// validReplyToken tells whether token is one NewReplyToken could have made.
func validReplyToken(token string) bool {
	if len(token) != replyTokenLen {
		return false
	}
	for _, r := range token {
		if !('a' <= r && r <= 'z' || '2' <= r && r <= '7') {
			return false
		}
	}
	return true
}
