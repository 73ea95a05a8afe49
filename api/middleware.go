package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"

	"github.com/gorilla/mux"

	"spoor/auth"
	"spoor/ops"
)

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes flushes on (for streamed exports).
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// routeHolder carries the matched route template from the router back out
// to the metrics middleware, which runs before routing.
type routeHolder struct{ template string }

type routeKey struct{}

// validRequestID accepts incoming request ids of 1 to 64 characters of
// A-Z a-z 0-9 - _ . so a caller (a proxy) can correlate logs.
func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// outer wraps the whole server: request id, security headers, metrics by
// route template, panic recovery, and the body size limit.
func (s *Server) outer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			var b [12]byte
			if _, err := rand.Read(b[:]); err != nil {
				id = fmt.Sprintf("t%x", start.UnixNano())
			} else {
				id = hex.EncodeToString(b[:])
			}
		}
		holder := &routeHolder{template: "unmatched"}
		ctx := ops.WithRequestID(r.Context(), id)
		ctx = context.WithValue(ctx, routeKey{}, holder)
		r = r.WithContext(ctx)

		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if s.cfg.SecureCookies {
			// Served over TLS: browsers must keep using it.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}

		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				// The panic value may hold anything; log its type and the
				// stack, not its text.
				s.log.ErrorContext(ctx, "panic in handler", "route", holder.template,
					"panic_type", fmt.Sprintf("%T", p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					WriteError(sw, r, nil, &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"})
				}
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := s.now().Sub(start)
			s.cfg.Metrics.ObserveHTTP(holder.template, r.Method, status, d)
			s.log.DebugContext(ctx, "request", "method", r.Method, "route", holder.template, "status", status, "duration", d)
		}()

		if r.ContentLength > s.cfg.MaxBodyBytes {
			WriteError(sw, r, s.log, &http.MaxBytesError{Limit: s.cfg.MaxBodyBytes})
			return
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBodyBytes)
		}
		next.ServeHTTP(sw, r)
	})
}

// recordRoute is router middleware (it runs after matching) that hands the
// route template to the outer middleware.
func recordRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if holder, ok := r.Context().Value(routeKey{}).(*routeHolder); ok {
			if route := mux.CurrentRoute(r); route != nil {
				if t, err := route.GetPathTemplate(); err == nil {
					holder.template = t
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

type identityKey struct{}

// IdentityFrom returns the identity that authenticated the request, set by
// the server for every route that is not public.
func IdentityFrom(ctx context.Context) (auth.Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(auth.Identity)
	return id, ok
}

// WithIdentity returns ctx carrying id (for handlers of other packages, such
// as the web UI, that authenticate themselves).
func WithIdentity(ctx context.Context, id auth.Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// stateChanging reports whether method changes state (and so needs the CSRF
// token when authenticated by a cookie).
func stateChanging(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// CSRFHeader is the request header carrying the session's CSRF token.
const CSRFHeader = "X-CSRF-Token"

// CSRFField is the form field carrying the CSRF token in HTML forms.
const CSRFField = "csrf_token"

// CheckCSRF enforces the CSRF token for a state-changing request
// authenticated by a session cookie: the X-CSRF-Token header, or the
// csrf_token field of a URL-encoded or multipart form, must equal the
// session's token. Requests with bearer tokens and safe methods pass.
// Returns auth.ErrCSRF otherwise.
func CheckCSRF(r *http.Request, id auth.Identity) error {
	if id.Method != auth.MethodSession || !stateChanging(r.Method) {
		return nil
	}
	sent := r.Header.Get(CSRFHeader)
	if sent == "" {
		ct := r.Header.Get("Content-Type")
		if len(ct) >= 33 && ct[:33] == "application/x-www-form-urlencoded" || len(ct) >= 19 && ct[:19] == "multipart/form-data" {
			sent = r.PostFormValue(CSRFField)
		}
	}
	return id.Session.CheckCSRF(sent)
}

// clientAddr is the address a request came from: the peer's IP. Spoor does
// not trust X-Forwarded-For; behind a proxy, throttling then counts per
// proxy (see README).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// logger returns cfg's logger or a discarding one.
func loggerOrDiscard(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return slog.New(slog.DiscardHandler)
}

// requestIDOf is the request id of ctx (the correlation id of the events a
// request causes).
func requestIDOf(ctx context.Context) string { return ops.RequestID(ctx) }
