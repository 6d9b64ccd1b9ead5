package auth

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	hash, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q is not an argon2id PHC string", hash)
	}
	if err := CheckPassword(hash, "correct horse battery staple"); err != nil {
		t.Errorf("right password refused: %v", err)
	}
	if err := CheckPassword(hash, "Correct horse battery staple"); !errors.Is(err, ErrMismatch) {
		t.Errorf("wrong password: %v, want ErrMismatch", err)
	}
	other, _ := HashPassword("correct horse battery staple")
	if other == hash {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$bcrypt$x", "$argon2id$v=19$m=x$a$b"} {
		if err := CheckPassword(bad, "x"); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("CheckPassword(%q) = %v, want a format error", bad, err)
		}
	}
}

func TestTokens(t *testing.T) {
	a, ha := NewToken()
	b, hb := NewToken()
	if a == b || bytes.Equal(ha, hb) {
		t.Fatal("two tokens are equal")
	}
	if !strings.HasPrefix(a, TokenPrefix) || len(a) < 40 {
		t.Errorf("token %q is too short or lacks its prefix", a)
	}
	if !bytes.Equal(HashToken(a), ha) || !bytes.Equal(HashToken(" "+a+"\n"), ha) {
		t.Errorf("HashToken does not match the hash NewToken gave")
	}
}

func BenchmarkHashToken(b *testing.B) {
	token, _ := NewToken()
	for b.Loop() {
		HashToken(token)
	}
}
