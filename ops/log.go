package ops

import (
	"context"
	"io"
	"log/slog"
)

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "" if there is none.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// LogFormat selects the output of NewLogger.
type LogFormat int

const (
	// LogText writes logfmt-like text lines (for a terminal).
	LogText LogFormat = iota
	// LogJSON writes one JSON object per line (for log collectors).
	LogJSON
)

// NewLogger returns a logger writing to w in format at level. Records logged
// with a context that carries a request id (WithRequestID) get a
// "request_id" attribute. What is logged is the caller's responsibility:
// identifiers and codes only, never names, addresses or note text.
func NewLogger(w io.Writer, format LogFormat, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if format == LogJSON {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(ContextHandler{Handler: h})
}

// ContextHandler is a slog.Handler that adds the request id of the record's
// context to the record before passing it to Handler.
type ContextHandler struct {
	slog.Handler
}

// Handle adds "request_id" when ctx carries one and passes r on.
func (h ContextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs returns a ContextHandler around the inner handler with attrs.
func (h ContextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return ContextHandler{Handler: h.Handler.WithAttrs(attrs)}
}

// WithGroup returns a ContextHandler around the inner handler with a group.
func (h ContextHandler) WithGroup(name string) slog.Handler {
	return ContextHandler{Handler: h.Handler.WithGroup(name)}
}
