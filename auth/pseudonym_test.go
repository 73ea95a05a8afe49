package auth

import "testing"

func TestAddrClassAndPseudonym(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": AddrLoopback, "[::1]:1": AddrLoopback, "192.168.1.4:9": AddrPrivate,
		"fd00::1": AddrPrivate, "8.8.8.8:53": AddrPublic, "not an address": AddrUnknown,
	} {
		if got := AddrClass(addr); got != want {
			t.Errorf("AddrClass(%q) = %s, want %s", addr, got, want)
		}
	}
	a, b := Pseudonym([]byte("k1"), "login", "jan"), Pseudonym([]byte("k2"), "login", "jan")
	if a == b || a != Pseudonym([]byte("k1"), "login", "jan") || a == Pseudonym([]byte("k1"), "addr", "jan") || len(a) != 32 {
		t.Fatalf("pseudonyms %s %s", a, b)
	}
}
