package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// DefaultMaxBody is the default bound on a request body: 1 MiB.
const DefaultMaxBody = 1 << 20

// Page size bounds of list endpoints.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// DecodeJSON reads r's body as one JSON value into v, strictly: the
// Content-Type must be application/json, unknown fields are refused naming
// the field, and nothing may follow the value. The body is bounded by the
// server's limit (413 beyond it). Errors are *Error values naming the field
// at fault where there is one.
func DecodeJSON(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "send the body as application/json"}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return BadRequest("malformed_json", "", "the body must hold exactly one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.Is(err, io.EOF):
		return BadRequest("malformed_json", "", "the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest("malformed_json", "", "the body ends in the middle of a JSON value")
	case errors.As(err, &syn):
		return BadRequest("malformed_json", "", fmt.Sprintf("malformed JSON at byte %d", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return BadRequest("invalid_type", field, fmt.Sprintf("%s must be a JSON %s", field, jsonKind(typ.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		if uerr != nil {
			name = "(unknown)"
		}
		return BadRequest("unknown_field", name, fmt.Sprintf("unknown field %q", name))
	}
	return BadRequest("malformed_json", "", "the body is not valid JSON")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	}
	return "number"
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"internal error"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// WriteJSON writes v as a JSON response with status. Handlers return nil
// after calling it.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// Page is a list request's bounds: at most Limit items after the cursor
// After ("" for the start).
type Page struct {
	Limit int
	After string
}

// ParsePage reads the limit and after query parameters. limit defaults to
// DefaultPageSize and must be 1..MaxPageSize; after is an opaque cursor of
// at most 200 bytes. Errors are 400 naming the parameter.
func ParsePage(r *http.Request) (Page, error) {
	q := r.URL.Query()
	p := Page{Limit: DefaultPageSize, After: q.Get("after")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageSize {
			return Page{}, BadRequest("invalid", "limit", fmt.Sprintf("limit must be a whole number from 1 to %d", MaxPageSize))
		}
		p.Limit = n
	}
	if len(p.After) > 200 {
		return Page{}, BadRequest("invalid", "after", "after is longer than 200 bytes")
	}
	return p, nil
}
