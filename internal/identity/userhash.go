package identity

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// VerifyUserHash checks Intercom's legacy identity verification: userHash must be the hex
// HMAC-SHA256 of userID keyed with the workspace's identity secret. Hex of either case is
// accepted; the comparison takes the same time whatever the hash. The legacy scheme carries no
// expiry, email or name: whoever holds a user's hash is that user for as long as the secret lasts,
// which is why the JWT of Verify is preferred.
func VerifyUserHash(userID, userHash string, secret []byte) error {
	if len(secret) == 0 {
		return refuse(ErrNoSecret, "")
	}
	if err := checkUserID(userID); err != nil {
		return err
	}
	if userHash == "" {
		return refuse(ErrMissing, "no user_hash")
	}
	got, err := hex.DecodeString(userHash)
	if err != nil || len(got) != sha256.Size {
		return refuse(ErrBadUserHash, "not the hex of 32 bytes")
	}
	if !hmac.Equal(got, userHash256(userID, secret)) {
		return refuse(ErrBadUserHash, "")
	}
	return nil
}

// UserHash returns the legacy user_hash of userID, as a host product computes it; for tests and the
// documentation.
func UserHash(userID string, secret []byte) string {
	return hex.EncodeToString(userHash256(userID, secret))
}

func userHash256(userID string, secret []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(userID))
	return mac.Sum(nil)
}
