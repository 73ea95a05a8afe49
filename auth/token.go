package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// TokenHash is the SHA-256 of a bearer token's text: the only form in which
// a token is kept.
type TokenHash [32]byte

// String is the hash in hex.
func (h TokenHash) String() string { return hex.EncodeToString(h[:]) }

// TokenPrefix starts every bearer token, so a leaked one is recognisable by
// secret scanners.
const TokenPrefix = "spoor_"

// NewToken returns a new bearer token (TokenPrefix followed by 32 random
// bytes in unpadded base64url) and its hash. Show the token once and keep
// only the hash.
func NewToken(rand io.Reader) (string, TokenHash, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", TokenHash{}, fmt.Errorf("new token: %w", err)
	}
	tok := TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return tok, HashToken(tok), nil
}

// HashToken returns the hash under which a token is kept.
func HashToken(token string) TokenHash {
	return sha256.Sum256([]byte(token))
}

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header value, or "" when there is none.
func bearerToken(header string) string {
	const scheme = "bearer "
	if len(header) <= len(scheme) || !strings.EqualFold(header[:len(scheme)], scheme) {
		return ""
	}
	return strings.TrimSpace(header[len(scheme):])
}
