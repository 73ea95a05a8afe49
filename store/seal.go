package store

import (
	"bytes"
	"container/list"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// KEKSize is the size of a key-encryption key and of a data key: AES-256.
const KEKSize = 32

const (
	// dekAADPrefix binds a wrapped data key to its scope.
	dekAADPrefix = "spoor-dek-v1|"
	// boxAADDomain starts the additional data of a sealed box.
	boxAADDomain = "spoor-box-v1"
	// wrapVersion is the first byte of a wrapped data key.
	wrapVersion = 1
	nonceSize   = 12
	tagSize     = 16
	// wrappedSize is version + nonce + encrypted key + tag.
	wrappedSize = 1 + nonceSize + KEKSize + tagSize
	// sealerCacheSize bounds the unwrapped data keys a Sealer keeps in memory.
	sealerCacheSize = 4096
)

// ParseKEK decodes a key-encryption key from text: 64 hex digits, or base64
// (standard or URL alphabet, padded or not) of exactly 32 bytes. Surrounding
// white space (a trailing newline in a key file) is ignored. Errors wrap
// ErrBadKey and name the problem, never the key.
func ParseKEK(text []byte) ([]byte, error) {
	s := strings.TrimSpace(string(text))
	if s == "" {
		return nil, fmt.Errorf("%w: key-encryption key is empty", ErrBadKey)
	}
	if len(s) == 2*KEKSize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		k, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(k) != KEKSize {
			return nil, fmt.Errorf("%w: key-encryption key decodes to %d bytes, need %d", ErrBadKey, len(k), KEKSize)
		}
		return k, nil
	}
	return nil, fmt.Errorf("%w: key-encryption key (%d characters) is neither 64 hex digits nor base64 of %d bytes", ErrBadKey, len(s), KEKSize)
}

// GenerateKEK returns a new random key-encryption key as 64 hex digits, the
// form ParseKEK reads. random is normally crypto/rand.Reader.
func GenerateKEK(random io.Reader) (string, error) {
	k := make([]byte, KEKSize)
	if _, err := io.ReadFull(random, k); err != nil {
		return "", fmt.Errorf("generate key-encryption key: %w", err)
	}
	return hex.EncodeToString(k), nil
}

// Opened is a Payload as read back by Sealer.Open.
type Opened struct {
	// Public is the public part, byte for byte as sealed (compacted JSON).
	Public json.RawMessage
	// Secret is the sealed part in the clear: nil when the payload has no
	// sealed part or when Erased; a non-nil empty slice when an empty secret
	// was sealed.
	Secret []byte
	// Scope is the sealing scope of the sealed part, "" if there is none.
	Scope string
	// Erased reports that the payload had a sealed part whose data key was
	// destroyed (crypto-shredding): the personal data is gone for good.
	Erased bool
}

// Sealer seals and opens event payloads. An event's data is a Payload, JSON
// of the form
//
//	{"public":{...},"sealed":{"scope":"family-x","nonce":"<b64>","box":"<b64>"}}
//
// where "sealed" is absent when the event holds no personal data. The box is
// AES-256-GCM under the scope's data key; its additional data is a domain tag,
// the scope and the exact public bytes, so a box cannot be moved to another
// scope or to an event with other public bytes. (Two events with
// byte-identical public parts in one scope could swap boxes without the
// Sealer noticing; the hash chains over the stored bytes catch that.)
//
// Each scope has one data key: 32 random bytes made on the first Seal for the
// scope, wrapped with AES-256-GCM under the key-encryption key (KEK) with the
// scope as additional data, and stored in the KeyStore with PutIfAbsent, so
// concurrent first Seals, in this process or another sharing the key store,
// agree on one key. Unwrapped keys are cached in memory (at most 4096 scopes,
// least recently used dropped first).
//
// A Sealer is safe for concurrent use. Destroy drops the cached key; use one
// Sealer per KeyStore, since a Destroy through another Sealer does not reach
// this one's cache.
type Sealer struct {
	kek  cipher.AEAD
	keys KeyStore
	rand io.Reader

	mu       sync.Mutex
	epoch    uint64 // incremented by every Destroy; see key
	cacheCap int
	lru      *list.List
	cache    map[string]*list.Element
}

type cacheEntry struct {
	scope string
	aead  cipher.AEAD
}

// NewSealer returns a Sealer that wraps data keys under kek (32 bytes, see
// ParseKEK), keeps them in keys, and draws keys and nonces from random
// (crypto/rand.Reader if nil; it must be safe for concurrent use). Errors
// wrap ErrBadKey for a malformed kek.
func NewSealer(kek []byte, keys KeyStore, random io.Reader) (*Sealer, error) {
	if len(kek) != KEKSize {
		return nil, fmt.Errorf("%w: key-encryption key is %d bytes, need %d", ErrBadKey, len(kek), KEKSize)
	}
	if keys == nil {
		return nil, errors.New("new sealer: key store is nil")
	}
	aead, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	if random == nil {
		random = rand.Reader
	}
	return &Sealer{
		kek:      aead,
		keys:     keys,
		rand:     random,
		cacheCap: sealerCacheSize,
		lru:      list.New(),
		cache:    make(map[string]*list.Element),
	}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	return aead, nil
}

// Seal returns the Payload holding public (a JSON object, stored compacted)
// and, unless secret is nil, secret sealed under the data key of scope; the
// key is created on the first Seal for the scope. With a nil secret the scope
// is ignored and the key store is not touched.
//
// Errors: ErrBadPayload if public is not a JSON object; ErrInvalidScope;
// ErrKeyDestroyed if the scope was shredded; ErrBadKey if the stored key does
// not unwrap under this Sealer's KEK; the key store's or rand's errors.
func (s *Sealer) Seal(ctx context.Context, scope string, public, secret []byte) ([]byte, error) {
	var pub bytes.Buffer
	if err := json.Compact(&pub, public); err != nil {
		return nil, fmt.Errorf("%w: public part is not valid JSON", ErrBadPayload)
	}
	if pub.Len() == 0 || pub.Bytes()[0] != '{' {
		return nil, fmt.Errorf("%w: public part is not a JSON object", ErrBadPayload)
	}
	if secret == nil {
		out := make([]byte, 0, len(`{"public":}`)+pub.Len())
		out = append(out, `{"public":`...)
		out = append(out, pub.Bytes()...)
		return append(out, '}'), nil
	}
	if err := ValidateScope(scope); err != nil {
		return nil, err
	}
	aead, err := s.key(ctx, scope, true)
	if err != nil {
		return nil, fmt.Errorf("seal for scope %s: %w", scope, err)
	}
	nonce := make([]byte, nonceSize)
	if _, err := io.ReadFull(s.rand, nonce); err != nil {
		return nil, fmt.Errorf("seal for scope %s: nonce: %w", scope, err)
	}
	box := aead.Seal(nil, nonce, secret, boxAAD(scope, pub.Bytes()))

	b64 := base64.StdEncoding
	out := make([]byte, 0, 64+pub.Len()+len(scope)+b64.EncodedLen(nonceSize)+b64.EncodedLen(len(box)))
	out = append(out, `{"public":`...)
	out = append(out, pub.Bytes()...)
	out = append(out, `,"sealed":{"scope":"`...)
	out = append(out, scope...) // ValidateScope: nothing to escape
	out = append(out, `","nonce":"`...)
	out = b64.AppendEncode(out, nonce)
	out = append(out, `","box":"`...)
	out = b64.AppendEncode(out, box)
	out = append(out, `"}}`...)
	return out, nil
}

// Open reads a Payload made by Seal. If the sealed part's data key was
// destroyed, Open returns the public part with Erased set and no error.
//
// Errors: ErrBadPayload if data is not a Payload or the box does not
// authenticate (tampered, moved, other key); ErrBadKey if the scope's wrapped
// key does not unwrap under this Sealer's KEK (wrong KEK); ErrKeyNotFound if
// the key store has no key for the scope; the key store's errors. Error texts
// name the scope, never the data.
func (s *Sealer) Open(ctx context.Context, data []byte) (Opened, error) {
	p, err := parsePayload(data)
	if err != nil {
		return Opened{}, err
	}
	o := Opened{Public: p.Public}
	if p.Sealed == nil {
		return o, nil
	}
	o.Scope = p.Sealed.Scope
	aead, err := s.key(ctx, p.Sealed.Scope, false)
	if errors.Is(err, ErrKeyDestroyed) {
		o.Erased = true
		return o, nil
	}
	if err != nil {
		return Opened{}, fmt.Errorf("open sealed part of scope %s: %w", p.Sealed.Scope, err)
	}
	secret, err := aead.Open(make([]byte, 0, len(p.Sealed.Box)), p.Sealed.Nonce, p.Sealed.Box, boxAAD(p.Sealed.Scope, p.Public))
	if err != nil {
		return Opened{}, fmt.Errorf("%w: sealed part of scope %s does not authenticate (tampered, moved from another event, or sealed under another data key)", ErrBadPayload, p.Sealed.Scope)
	}
	o.Secret = secret
	return o, nil
}

// Destroy shreds the data key of scope: it destroys the key in the KeyStore
// (durable when Destroy returns nil) and drops it from this Sealer's cache.
// Afterwards Seal for the scope fails with ErrKeyDestroyed and Open returns
// Erased for every payload sealed under it. Destroy is idempotent and also
// tombstones a scope that never had a key.
func (s *Sealer) Destroy(ctx context.Context, scope string) error {
	if err := ValidateScope(scope); err != nil {
		return err
	}
	// Bump the epoch before and after the key store call: a key loaded
	// concurrently is then never cached once Destroy has begun.
	s.mu.Lock()
	s.epoch++
	s.dropLocked(scope)
	s.mu.Unlock()
	err := s.keys.Destroy(ctx, scope)
	s.mu.Lock()
	s.epoch++
	s.dropLocked(scope)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("destroy key of scope %s: %w", scope, err)
	}
	return nil
}

func (s *Sealer) dropLocked(scope string) {
	if el, ok := s.cache[scope]; ok {
		s.lru.Remove(el)
		delete(s.cache, scope)
	}
}

// key returns the data key of scope as an AEAD, from the cache or the key
// store; with create it makes and stores the key if the scope has none.
func (s *Sealer) key(ctx context.Context, scope string, create bool) (cipher.AEAD, error) {
	s.mu.Lock()
	if el, ok := s.cache[scope]; ok {
		s.lru.MoveToFront(el)
		aead := el.Value.(*cacheEntry).aead
		s.mu.Unlock()
		return aead, nil
	}
	epoch := s.epoch
	s.mu.Unlock()

	wrapped, err := s.keys.Get(ctx, scope)
	if errors.Is(err, ErrKeyNotFound) && create {
		wrapped, err = s.newKey(ctx, scope)
	}
	if err != nil {
		return nil, err
	}
	dek, err := s.unwrap(scope, wrapped)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(dek)
	clear(dek)
	if err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.epoch != epoch {
		// A Destroy ran meanwhile: use the key for this call only.
		return aead, nil
	}
	if el, ok := s.cache[scope]; ok {
		s.lru.MoveToFront(el)
		return el.Value.(*cacheEntry).aead, nil
	}
	s.cache[scope] = s.lru.PushFront(&cacheEntry{scope: scope, aead: aead})
	for s.lru.Len() > s.cacheCap {
		old := s.lru.Remove(s.lru.Back()).(*cacheEntry)
		delete(s.cache, old.scope)
	}
	return aead, nil
}

// newKey makes a data key for scope, wraps it and stores it unless another
// writer was first; it returns the wrapped key now stored.
func (s *Sealer) newKey(ctx context.Context, scope string) ([]byte, error) {
	dek := make([]byte, KEKSize)
	defer clear(dek)
	if _, err := io.ReadFull(s.rand, dek); err != nil {
		return nil, fmt.Errorf("new data key: %w", err)
	}
	wrapped := make([]byte, 1+nonceSize, wrappedSize)
	wrapped[0] = wrapVersion
	if _, err := io.ReadFull(s.rand, wrapped[1:]); err != nil {
		return nil, fmt.Errorf("new data key: nonce: %w", err)
	}
	wrapped = s.kek.Seal(wrapped, wrapped[1:1+nonceSize], dek, []byte(dekAADPrefix+scope))
	stored, err := s.keys.PutIfAbsent(ctx, scope, wrapped)
	if err != nil {
		return nil, fmt.Errorf("store new data key: %w", err)
	}
	return stored, nil
}

func (s *Sealer) unwrap(scope string, wrapped []byte) ([]byte, error) {
	if len(wrapped) != wrappedSize || wrapped[0] != wrapVersion {
		return nil, fmt.Errorf("%w: wrapped data key is malformed (%d bytes)", ErrBadKey, len(wrapped))
	}
	dek, err := s.kek.Open(nil, wrapped[1:1+nonceSize], wrapped[1+nonceSize:], []byte(dekAADPrefix+scope))
	if err != nil {
		return nil, fmt.Errorf("%w: wrapped data key does not decrypt under this key-encryption key", ErrBadKey)
	}
	return dek, nil
}

// boxAAD is the additional data of a sealed box: a domain tag, the scope
// (length-prefixed) and the exact public bytes.
func boxAAD(scope string, public []byte) []byte {
	aad := make([]byte, 0, len(boxAADDomain)+4+len(scope)+len(public))
	aad = append(aad, boxAADDomain...)
	aad = binary.BigEndian.AppendUint32(aad, uint32(len(scope)))
	aad = append(aad, scope...)
	return append(aad, public...)
}

// payload is the decoded form of a Payload.
type payload struct {
	Public json.RawMessage `json:"public"`
	Sealed *sealedPart     `json:"sealed,omitempty"`
}

type sealedPart struct {
	Scope string `json:"scope"`
	Nonce []byte `json:"nonce"` // base64 in JSON
	Box   []byte `json:"box"`   // base64 in JSON
}

// parsePayload decodes and checks a Payload: in the layout Seal writes by a
// fast path, in any other JSON layout by encoding/json.
func parsePayload(data []byte) (payload, error) {
	if p, ok := parseCanonical(data); ok {
		return p, nil
	}
	return parseGeneral(data)
}

const (
	canonPrefix     = `{"public":`
	canonSealed     = `,"sealed":{"scope":"`
	canonNonce      = `","nonce":"`
	canonBox        = `","box":"`
	canonSealedTail = `"}}`
)

// parseCanonical reads a payload in exactly the layout Seal writes, without
// reflection. It reports ok only for a payload that parseGeneral reads the
// same way and accepts (FuzzPayloadParsers checks this); anything else,
// including every malformed payload, is left to parseGeneral.
//
// Why the split is unambiguous: the public part must be one complete JSON
// object (json.Valid, starting with '{' and ending with '}'), and the sealed
// tail holds only scope characters and base64, neither of which can contain
// a quote, so the last `,"sealed":{"scope":"` is where the tail starts.
func parseCanonical(data []byte) (payload, bool) {
	if !bytes.HasPrefix(data, []byte(canonPrefix)) {
		return payload{}, false
	}
	body := data[len(canonPrefix):]
	var p payload
	if i := bytes.LastIndex(body, []byte(canonSealed)); i >= 0 && i+len(canonSealed)+len(canonSealedTail) <= len(body) &&
		bytes.HasSuffix(body, []byte(canonSealedTail)) {
		tail := body[i+len(canonSealed) : len(body)-len(canonSealedTail)]
		scope, rest, ok := bytes.Cut(tail, []byte(canonNonce))
		if !ok {
			return payload{}, false
		}
		nonce64, box64, ok := bytes.Cut(rest, []byte(canonBox))
		if !ok || ValidateScope(string(scope)) != nil {
			return payload{}, false
		}
		nonce, err := base64.StdEncoding.AppendDecode(nil, nonce64)
		if err != nil || len(nonce) != nonceSize {
			return payload{}, false
		}
		box, err := base64.StdEncoding.AppendDecode(nil, box64)
		if err != nil || len(box) < tagSize {
			return payload{}, false
		}
		p.Sealed = &sealedPart{Scope: string(scope), Nonce: nonce, Box: box}
		body = body[:i]
	} else {
		if len(body) == 0 || body[len(body)-1] != '}' {
			return payload{}, false
		}
		body = body[:len(body)-1]
	}
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' || !json.Valid(body) {
		return payload{}, false
	}
	p.Public = bytes.Clone(body)
	return p, true
}

// parseGeneral decodes a payload in any JSON layout and checks it.
func parseGeneral(data []byte) (payload, error) {
	var p payload
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return payload{}, fmt.Errorf("%w: not a payload object (%d bytes)", ErrBadPayload, len(data))
	}
	if _, err := dec.Token(); err != io.EOF {
		return payload{}, fmt.Errorf("%w: data after the payload object", ErrBadPayload)
	}
	if len(p.Public) == 0 || p.Public[0] != '{' {
		return payload{}, fmt.Errorf("%w: public part is missing or not a JSON object", ErrBadPayload)
	}
	if p.Sealed != nil {
		if err := ValidateScope(p.Sealed.Scope); err != nil {
			return payload{}, fmt.Errorf("%w: sealed part: %w", ErrBadPayload, err)
		}
		if len(p.Sealed.Nonce) != nonceSize {
			return payload{}, fmt.Errorf("%w: sealed part of scope %s: nonce is %d bytes, need %d", ErrBadPayload, p.Sealed.Scope, len(p.Sealed.Nonce), nonceSize)
		}
		if len(p.Sealed.Box) < tagSize {
			return payload{}, fmt.Errorf("%w: sealed part of scope %s: box is %d bytes, shorter than its tag", ErrBadPayload, p.Sealed.Scope, len(p.Sealed.Box))
		}
	}
	return p, nil
}

// SplitPayload returns the public part of a Payload and whether it has a
// sealed part, without keys: for readers such as statistics that never need
// personal data. Errors wrap ErrBadPayload.
func SplitPayload(data []byte) (public json.RawMessage, sealed bool, err error) {
	p, err := parsePayload(data)
	if err != nil {
		return nil, false, err
	}
	return p.Public, p.Sealed != nil, nil
}

// PublicPart returns the public part of a Payload without keys, copies or
// checks of the sealed part: the fast path for read models folding millions
// of events. For a payload in the layout Seal writes, the result aliases
// data (the caller must not modify data while using it) and the public
// object's JSON is not validated here: the caller decodes it, and that
// decoding rejects malformed JSON. Any other layout goes through the checks
// of SplitPayload. Errors wrap ErrBadPayload.
func PublicPart(data []byte) (json.RawMessage, error) {
	if body, ok := bytes.CutPrefix(data, []byte(canonPrefix)); ok {
		if rest, ok := bytes.CutSuffix(body, []byte(canonSealedTail)); ok {
			// Walk back over the sealed tail: scope, nonce and box hold no
			// quotes, so the ninth quote from the end closes canonSealed:
			// scope"  ,"nonce":"  nonce"  ,"box":"  make eight.
			i := len(rest)
			for range 9 {
				i = bytes.LastIndexByte(rest[:i], '"')
				if i < 0 {
					break
				}
			}
			if i >= 0 {
				if pub, ok := bytes.CutSuffix(rest[:i+1], []byte(canonSealed)); ok && len(pub) >= 2 && pub[0] == '{' && pub[len(pub)-1] == '}' {
					return pub, nil
				}
			}
		}
		// No sealed part (a public part ending in a string also ends the
		// payload in "}}, so the branch above may have found none).
		if n := len(body); n >= 3 && body[0] == '{' && body[n-2] == '}' && body[n-1] == '}' && !bytes.Contains(body, []byte(canonSealed)) {
			return body[:n-1], nil
		}
	}
	pub, _, err := SplitPayload(data)
	return pub, err
}
