package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"time"
)

// Pseudonym returns a keyed hash (HMAC-SHA256 under key, 16 bytes in hex)
// of text in the domain kind ("login", "addr"): the same text gives the
// same pseudonym under the same key, and without the key the text cannot be
// recovered by guessing. Failed logins keep unknown login names and client
// addresses only in this form.
func Pseudonym(key []byte, kind, text string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(text))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Address classes (the same words as the domain's LoginFailed).
const (
	AddrLoopback = "loopback"
	AddrPrivate  = "private"
	AddrPublic   = "public"
	AddrUnknown  = "unknown"
)

// AddrClass classifies a client address ("ip" or "ip:port"): loopback,
// private (RFC 1918, unique local, link local), public, or unknown when it
// does not parse.
func AddrClass(addr string) string {
	a, err := netip.ParseAddrPort(addr)
	var ip netip.Addr
	if err == nil {
		ip = a.Addr()
	} else if ip, err = netip.ParseAddr(addr); err != nil {
		return AddrUnknown
	}
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return AddrLoopback
	case ip.IsPrivate() || ip.IsLinkLocalUnicast():
		return AddrPrivate
	}
	return AddrPublic
}

// addrHost is the address without its port.
func addrHost(addr string) string {
	if a, err := netip.ParseAddrPort(addr); err == nil {
		return a.Addr().Unmap().String()
	}
	return addr
}

// FailedLogin is a failed login as recorded in the log (the security
// stream) and shown to the privacy officer: no password, no login text, no
// address in clear.
type FailedLogin struct {
	// Position is the event's position in the log.
	Position uint64 `json:"position"`
	// UserID is the staff member whose login was tried; LoginHash the
	// pseudonym of an unknown login. Exactly one is set.
	UserID    string `json:"user_id,omitempty"`
	LoginHash string `json:"login_hash,omitempty"`
	// AddrClass and AddrHash describe the client address.
	AddrClass string `json:"addr_class"`
	AddrHash  string `json:"addr_hash,omitempty"`
	// Reason is unknown_login, bad_password, disabled or throttled.
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}
