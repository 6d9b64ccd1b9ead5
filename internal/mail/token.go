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

// ReplyToken finds the token in an inbound message's recipient, as read from To, Cc or
// Delivered-To: a bare address, one with a display name ("Acme" <reply+TOKEN@x>) or a list of
// them, in any case. It reports false when no address there is a reply address with a
// well-formed token; the domain is not checked, it is whatever routed the mail here.
func ReplyToken(address string) (string, bool) {
	for _, word := range strings.FieldsFunc(strings.ToLower(address), notAddressChar) {
		local, domain, ok := strings.Cut(word, "@")
		if !ok || domain == "" {
			continue
		}
		token, ok := strings.CutPrefix(local, replyPrefix)
		if ok && validReplyToken(token) {
			return token, true
		}
	}
	return "", false
}

// notAddressChar splits a header value into the words that may be a reply address: display
// names, quotes, angle brackets, commas and spaces all fall away.
func notAddressChar(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
		return false
	}
	return !strings.ContainsRune("+-._@", r)
}

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
