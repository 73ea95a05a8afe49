package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fastArgon keeps tests quick; production uses DefaultArgon2Params.
var fastArgon = Argon2Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery", DefaultArgon2Params(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected PHC string %q", h)
	}
	h2, _ := HashPassword("correct horse battery", DefaultArgon2Params(), rand.Reader)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	for _, tc := range []struct {
		pw string
		ok bool
	}{{"correct horse battery", true}, {"correct horse batterY", false}, {"", false}} {
		ok, err := VerifyPassword(h, tc.pw)
		if err != nil || ok != tc.ok {
			t.Errorf("verify %q = %v, %v; want %v", tc.pw, ok, err, tc.ok)
		}
	}
	if NeedsRehash(h, DefaultArgon2Params()) || !NeedsRehash(h, fastArgon) {
		t.Error("NeedsRehash wrong")
	}
	for _, bad := range []string{"", "$2a$10$abc", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA"} {
		if _, err := VerifyPassword(bad, "x"); !errors.Is(err, ErrBadPasswordHash) {
			t.Errorf("VerifyPassword(%q) err = %v, want ErrBadPasswordHash", bad, err)
		}
	}
	if err := CheckNewPassword("short"); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("short password accepted: %v", err)
	}
	if err := CheckNewPassword("a long enough passphrase"); err != nil {
		t.Error(err)
	}
	pw, err := RandomPassword(rand.Reader)
	if err != nil || len(pw) != 24 || CheckNewPassword(pw) != nil {
		t.Fatalf("RandomPassword = %q, %v", pw, err)
	}
}

func TestTokens(t *testing.T) {
	tok, h, err := NewToken(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, TokenPrefix) || len(tok) != len(TokenPrefix)+43 || HashToken(tok) != h {
		t.Fatalf("token %q / hash mismatch", tok)
	}
	if bearerToken("Bearer "+tok) != tok || bearerToken("bearer  "+tok) != tok || bearerToken("Basic abc") != "" || bearerToken("Bearer") != "" {
		t.Fatal("bearer header parsing wrong")
	}
}

func TestSessions(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	s := NewSessions(SessionOptions{Idle: 30 * time.Minute, Lifetime: 2 * time.Hour, Max: 3}, rand.Reader, c.Now)
	cookie, sess, err := s.Create("u1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Lookup(cookie)
	if err != nil || got.UserID != "u1" || got.CSRF != sess.CSRF || len(sess.CSRF) < 40 {
		t.Fatalf("lookup = %+v, %v", got, err)
	}
	if got.CheckCSRF(sess.CSRF) != nil || got.CheckCSRF("") == nil || got.CheckCSRF(sess.CSRF+"x") == nil {
		t.Fatal("CSRF check wrong")
	}
	if _, err := s.Lookup(cookie + "x"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unknown cookie: %v", err)
	}
	// Kept alive by use for 1h50m, then the lifetime ends it.
	for range 11 {
		c.Advance(10 * time.Minute)
		if _, err := s.Lookup(cookie); err != nil {
			t.Fatalf("session ended early at %v: %v", c.Now(), err)
		}
	}
	c.Advance(10 * time.Minute)
	if _, err := s.Lookup(cookie); !errors.Is(err, ErrBadCredentials) {
		t.Fatal("session outlived its lifetime")
	}
	// Idle timeout.
	cookie2, _, _ := s.Create("u2")
	c.Advance(31 * time.Minute)
	if _, err := s.Lookup(cookie2); !errors.Is(err, ErrBadCredentials) {
		t.Fatal("idle session still valid")
	}
	// Logout and the bound.
	a, _, _ := s.Create("u3")
	s.Create("u3")
	s.Create("u4")
	if _, _, err := s.Create("u5"); !errors.Is(err, ErrTooManySessions) {
		t.Fatalf("fourth session: %v, want ErrTooManySessions", err)
	}
	s.Delete(a)
	if _, err := s.Lookup(a); err == nil {
		t.Fatal("deleted session still valid")
	}
	if n := s.DeleteUser("u3"); n != 1 {
		t.Fatalf("DeleteUser ended %d sessions, want 1", n)
	}
}

func TestThrottle(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	th := NewThrottle(ThrottleOptions{PerLogin: 3, PerAddress: 5, Window: 10 * time.Minute, Lockout: 5 * time.Minute}, c.Now)
	for i := range 2 {
		if th.Fail("ann", "10.0.0.1") {
			t.Fatalf("locked after %d failures", i+1)
		}
	}
	if err := th.Check("ann", "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if !th.Fail("ann", "10.0.0.1") {
		t.Fatal("third failure did not lock")
	}
	var te *ThrottledError
	if err := th.Check("ann", "10.0.0.9"); !errors.As(err, &te) || te.RetryAfter != 5*time.Minute || !errors.Is(err, ErrThrottled) {
		t.Fatalf("locked login from another address: %v", err)
	}
	if err := th.Check("bob", "10.0.0.1"); err != nil {
		t.Fatalf("other login, address below its limit: %v", err)
	}
	th.Fail("bob", "10.0.0.1")
	th.Fail("carl", "10.0.0.1") // fifth failure from the address
	if err := th.Check("dora", "10.0.0.1"); !errors.Is(err, ErrThrottled) {
		t.Fatalf("address not locked after 5 failures: %v", err)
	}
	c.Advance(5 * time.Minute)
	if err := th.Check("ann", "10.0.0.1"); err != nil {
		t.Fatalf("lock outlived lockout: %v", err)
	}
	// Failures outside the window do not add up.
	th.Fail("erik", "10.0.0.2")
	th.Fail("erik", "10.0.0.2")
	c.Advance(11 * time.Minute)
	if th.Fail("erik", "10.0.0.2") {
		t.Fatal("failures older than the window counted")
	}
	th.Succeed("erik")
	th.Fail("erik", "10.0.0.2")
	if th.Fail("erik", "10.0.0.2") {
		t.Fatal("success did not reset the login's failures")
	}
}

func TestServiceLoginAndAuthenticate(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	dir := NewMemDirectory()
	hash, _ := HashPassword("a very good password", fastArgon, rand.Reader)
	if err := dir.PutUser(User{ID: "u1", Login: "ann", Roles: []Role{RoleCoach}, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	if err := dir.PutUser(User{ID: "u2", Login: "ann", Roles: []Role{RoleCoach}}); !errors.Is(err, ErrLoginTaken) {
		t.Fatalf("duplicate login: %v", err)
	}
	var failures []LoginFailure
	svc := NewService(Config{
		Directory: dir, Sessions: NewSessions(DefaultSessionOptions(), rand.Reader, c.Now),
		Throttle: NewThrottle(ThrottleOptions{PerLogin: 2, PerAddress: 10, Window: time.Hour, Lockout: time.Minute}, c.Now),
		Argon2:   fastArgon, Now: c.Now, Rand: rand.Reader,
		OnLoginFailure: func(_ context.Context, f LoginFailure) error { failures = append(failures, f); return nil },
	})
	ctx := context.Background()
	if u, err := svc.Login(ctx, " ANN ", "a very good password", "1.2.3.4"); err != nil || u.ID != "u1" {
		t.Fatalf("login = %+v, %v", u, err)
	}
	if _, err := svc.Login(ctx, "nobody", "x", "1.2.3.4"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unknown login: %v", err)
	}
	if _, err := svc.Login(ctx, "ann", "wrong", "1.2.3.4"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("bad password: %v", err)
	}
	if _, err := svc.Login(ctx, "ann", "wrong again", "1.2.3.4"); !errors.Is(err, ErrBadCredentials) {
		t.Fatal(err)
	}
	if _, err := svc.Login(ctx, "ann", "a very good password", "1.2.3.4"); !errors.Is(err, ErrThrottled) {
		t.Fatalf("right password while locked: %v, want ErrThrottled", err)
	}
	reasons := []string{}
	for _, f := range failures {
		reasons = append(reasons, f.UserID+":"+f.Reason)
	}
	if strings.Join(reasons, ",") != ":unknown_login,u1:bad_password,u1:bad_password,u1:throttled" {
		t.Fatalf("failures reported: %v", reasons)
	}

	// Session cookie and bearer token.
	cookie, _, _ := svc.Sessions().Create("u1")
	r := httptest.NewRequest("GET", "/api/v1/me", nil)
	r.Header.Set("Cookie", SessionCookie+"="+cookie)
	id, err := svc.Authenticate(r)
	if err != nil || id.User.ID != "u1" || id.Method != MethodSession {
		t.Fatalf("cookie auth = %+v, %v", id, err)
	}
	tok, h, _ := NewToken(rand.Reader)
	if err := dir.PutToken(Token{ID: "t1", UserID: "u1", Hash: h, CreatedAt: c.Now(), ExpiresAt: c.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	r = httptest.NewRequest("GET", "/api/v1/me", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	if id, err := svc.Authenticate(r); err != nil || id.Method != MethodToken || id.TokenID != "t1" {
		t.Fatalf("token auth = %+v, %v", id, err)
	}
	c.Advance(time.Hour)
	if _, err := svc.Authenticate(r); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("expired token: %v", err)
	}
	r.Header.Set("Authorization", "Bearer spoor_nope")
	if _, err := svc.Authenticate(r); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("unknown token: %v", err)
	}
	if _, err := svc.Authenticate(httptest.NewRequest("GET", "/", nil)); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("no credentials: %v", err)
	}
	// A disabled user's session stops working.
	u, _ := dir.UserByID(ctx, "u1")
	u.Disabled = true
	dir.PutUser(u)
	r = httptest.NewRequest("GET", "/api/v1/me", nil)
	r.Header.Set("Cookie", SessionCookie+"="+cookie)
	if _, err := svc.Authenticate(r); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("disabled user: %v", err)
	}
}

func TestLoginHashingIsBounded(t *testing.T) {
	dir := NewMemDirectory()
	hash, _ := HashPassword("a very good password", fastArgon, rand.Reader)
	dir.PutUser(User{ID: "u1", Login: "ann", Roles: []Role{RoleCoach}, PasswordHash: hash})
	now := time.Now
	svc := NewService(Config{Directory: dir, Sessions: NewSessions(DefaultSessionOptions(), rand.Reader, now),
		Throttle: NewThrottle(DefaultThrottleOptions(), now), Argon2: fastArgon, MaxHashing: 1})
	// Hold the only slot: a login waits, and gives up with its context.
	release, err := svc.hashSlot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := svc.Login(ctx, "ann", "a very good password", "1.2.3.4"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("login without a free slot: %v", err)
	}
	release()
	if u, err := svc.Login(context.Background(), "ann", "a very good password", "1.2.3.4"); err != nil || u.ID != "u1" {
		t.Fatalf("login with a free slot: %v", err)
	}
}
