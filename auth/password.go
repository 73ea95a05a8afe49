package auth

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// ErrBadPasswordHash: a stored password hash is not an argon2id PHC string
// this package can check, or its parameters are out of bounds.
var ErrBadPasswordHash = errors.New("malformed password hash")

// ErrWeakPassword: a new password is too short, too long or not UTF-8.
var ErrWeakPassword = errors.New("password does not meet the rules")

// Password length bounds, in characters (MinPasswordLen) and bytes
// (MaxPasswordLen). Long passphrases are welcome; the upper bound only keeps
// hashing cost bounded.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 1024
)

// Argon2Params are the argon2id cost parameters.
type Argon2Params struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
	SaltLen     uint32 // bytes
	KeyLen      uint32 // bytes
}

// DefaultArgon2Params returns the parameters of OWASP's password storage
// recommendation for argon2id (19 MiB, 2 iterations, 1 thread): about 30 ms
// per hash on a small server, and memory-hard.
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLen: 16, KeyLen: 32}
}

// Bounds on parameters read from a stored hash, so a corrupt or hostile
// record cannot make a login allocate gigabytes.
const (
	maxArgonMemory     = 1 << 20 // 1 GiB in KiB
	maxArgonIterations = 64
	maxArgonKeyLen     = 128
)

// CheckNewPassword applies the password rules: valid UTF-8, at least
// MinPasswordLen characters, at most MaxPasswordLen bytes. Errors wrap
// ErrWeakPassword.
func CheckNewPassword(password string) error {
	switch {
	case !utf8.ValidString(password):
		return fmt.Errorf("%w: not valid UTF-8", ErrWeakPassword)
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return fmt.Errorf("%w: at least %d characters", ErrWeakPassword, MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return fmt.Errorf("%w: at most %d bytes", ErrWeakPassword, MaxPasswordLen)
	}
	return nil
}

// HashPassword hashes password with argon2id under p and a fresh salt drawn
// from rand, and returns the PHC string
//
//	$argon2id$v=19$m=<KiB>,t=<iterations>,p=<threads>$<salt>$<hash>
//
// (salt and hash in unpadded standard base64). It does not apply the
// password rules; call CheckNewPassword first for passwords chosen by users.
func HashPassword(password string, p Argon2Params, rand io.Reader) (string, error) {
	if p.Memory == 0 || p.Iterations == 0 || p.Parallelism == 0 || p.SaltLen < 8 || p.KeyLen < 16 {
		return "", fmt.Errorf("hash password: argon2 parameters out of bounds")
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("hash password: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC string encoded,
// comparing in constant time. It returns ErrBadPasswordHash (wrapped) when
// encoded cannot be checked; a wrong password is (false, nil).
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	if len(password) > MaxPasswordLen {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than p
// (a login is a good moment to rehash with the current parameters).
func NeedsRehash(encoded string, p Argon2Params) bool {
	q, _, key, err := parsePHC(encoded)
	if err != nil {
		return true
	}
	return q.Memory != p.Memory || q.Iterations != p.Iterations || q.Parallelism != p.Parallelism || uint32(len(key)) != p.KeyLen
}

func parsePHC(encoded string) (Argon2Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Argon2Params{}, nil, nil, fmt.Errorf("%w: not an argon2id PHC string", ErrBadPasswordHash)
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Argon2Params{}, nil, nil, fmt.Errorf("%w: unsupported argon2 version", ErrBadPasswordHash)
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations, &p.Parallelism); err != nil {
		return Argon2Params{}, nil, nil, fmt.Errorf("%w: parameters unreadable", ErrBadPasswordHash)
	}
	if p.Memory < 8 || p.Memory > maxArgonMemory || p.Iterations < 1 || p.Iterations > maxArgonIterations || p.Parallelism < 1 {
		return Argon2Params{}, nil, nil, fmt.Errorf("%w: parameters out of bounds", ErrBadPasswordHash)
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return Argon2Params{}, nil, nil, fmt.Errorf("%w: salt unreadable", ErrBadPasswordHash)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > maxArgonKeyLen {
		return Argon2Params{}, nil, nil, fmt.Errorf("%w: hash unreadable", ErrBadPasswordHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// RandomPassword returns a password of 24 characters drawn from an
// unambiguous alphabet (about 137 bits), for first-run admin accounts and
// resets.
func RandomPassword(rand io.Reader) (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	const n = 24
	out := make([]byte, 0, n)
	var b [1]byte
	// Rejection sampling keeps the distribution uniform.
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return "", fmt.Errorf("random password: %w", err)
		}
		if int(b[0]) >= limit {
			continue
		}
		out = append(out, alphabet[int(b[0])%len(alphabet)])
	}
	return string(out), nil
}
