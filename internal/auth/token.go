package auth

import (
	"crypto/sha256"
	"strings"
)

// TokenPrefix starts every API token, so that leaked tokens are easy to recognise in logs and scanners.
const TokenPrefix = "hd_"

// NewToken returns a new API token (shown once) and the hash to store.
func NewToken() (token string, hash []byte) {
	token = TokenPrefix + RandomString(32)
	return token, HashToken(token)
}

// HashToken returns the key a token is stored and looked up by.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return sum[:]
}
