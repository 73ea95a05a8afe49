package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"spoor/auth"
	"spoor/domain"
	"spoor/ops"
	"spoor/store"
)

// Sentinel errors handlers return; WriteError maps them.
var (
	// ErrNotFound: the thing asked for does not exist (404).
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the caller may not do this (403).
	ErrForbidden = errors.New("forbidden")
	// ErrAuditUnavailable: the access event could not be written, so the
	// data is not returned (503).
	ErrAuditUnavailable = errors.New("access could not be recorded; nothing was returned")
)

// Error is an error with its HTTP status, a stable code, the field at fault
// (if any) and a message for the caller. Its message must hold no personal
// data and no internals.
type Error struct {
	Status  int
	Code    string
	Field   string
	Message string
	// RetryAfter, if set, is sent as the Retry-After header.
	RetryAfter time.Duration
	// Err is the cause, for errors.Is/As and logs; never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// BadRequest returns a 400 error naming field.
func BadRequest(code, field, message string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Field: field, Message: message}
}

// fieldError is what other validation errors look like: they name the field
// at fault. Rule errors also name the rule (see ruleError). The domain's own
// *domain.RuleError is matched first, by type.
type fieldError interface {
	error
	Field() string
}

// ruleError is a domain rule violated by a well-formed request (a spend over
// the budget left, a disclosure without a legal basis): 422.
type ruleError interface {
	error
	Rule() string
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// classify maps err to the *Error to send.
func classify(err error) *Error {
	var e *Error
	var mbe *http.MaxBytesError
	var te *auth.ThrottledError
	var dre *domain.RuleError
	var re ruleError
	var fe fieldError
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &mbe):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large",
			Message: fmt.Sprintf("request body is larger than %d bytes", mbe.Limit), Err: err}
	case errors.As(err, &te):
		return &Error{Status: http.StatusTooManyRequests, Code: "throttled",
			Message: "too many failed logins; try again later", RetryAfter: te.RetryAfter, Err: err}
	case errors.As(err, &dre):
		status := http.StatusUnprocessableEntity
		switch {
		case errors.Is(dre, domain.ErrNotFound):
			status = http.StatusNotFound
		case errors.Is(dre, domain.ErrConflict):
			status = http.StatusConflict
		}
		return &Error{Status: status, Code: dre.Rule, Field: dre.Field, Message: dre.Message, Err: err}
	case errors.As(err, &re):
		f := ""
		if errors.As(err, &fe) {
			f = fe.Field()
		}
		return &Error{Status: http.StatusUnprocessableEntity, Code: re.Rule(), Field: f, Message: re.Error(), Err: err}
	case errors.As(err, &fe):
		return &Error{Status: http.StatusBadRequest, Code: "invalid", Field: fe.Field(), Message: fe.Error(), Err: err}
	case errors.Is(err, store.ErrVersionConflict):
		return &Error{Status: http.StatusConflict, Code: "version_conflict",
			Message: "the file changed meanwhile; reload and try again", Err: err}
	case errors.Is(err, store.ErrDuplicateEventID):
		return &Error{Status: http.StatusConflict, Code: "duplicate_id",
			Message: "this id was already used for something else", Err: err}
	case errors.Is(err, ErrNotFound), errors.Is(err, store.ErrStreamNotFound), errors.Is(err, auth.ErrUserNotFound),
		errors.Is(err, auth.ErrTokenNotFound):
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: "not found", Err: err}
	case errors.Is(err, auth.ErrUnauthenticated):
		return &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "log in or send a bearer token", Err: err}
	case errors.Is(err, auth.ErrBadCredentials):
		return &Error{Status: http.StatusUnauthorized, Code: "invalid_credentials", Message: "invalid credentials", Err: err}
	case errors.Is(err, auth.ErrCSRF):
		return &Error{Status: http.StatusForbidden, Code: "csrf", Message: "missing or wrong CSRF token (send the X-CSRF-Token header)", Err: err}
	case errors.Is(err, ErrForbidden):
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "you may not do this", Err: err}
	case errors.Is(err, ErrAuditUnavailable):
		return &Error{Status: http.StatusServiceUnavailable, Code: "audit_unavailable", Message: ErrAuditUnavailable.Error(), Err: err}
	case errors.Is(err, store.ErrKeyDestroyed):
		return &Error{Status: http.StatusGone, Code: "erased", Message: "this family's personal data was erased", Err: err}
	case errors.Is(err, store.ErrClosed), errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the server cannot answer now; try again", Err: err}
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error", Err: err}
}

// WriteError writes err as a JSON error response (see the package comment
// for the mapping) and logs server-side failures with the request id. The
// body never holds the text of an unclassified error.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	e := classify(err)
	ctx := r.Context()
	if e.Status >= 500 && log != nil {
		log.ErrorContext(ctx, "request failed", "status", e.Status, "code", e.Code, "err", err)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="spoor"`)
	}
	writeJSON(w, e.Status, errorBody{Error: errorDetail{Code: e.Code, Field: e.Field, Message: e.Message, RequestID: ops.RequestID(ctx)}})
}
