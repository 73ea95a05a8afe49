package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"spoor/domain"
)

// form is a form as a template renders it: fields with what the user
// typed and the error next to each field. One generic template renders
// every form of the UI, so labels, error messages (aria-describedby) and
// keyboard order are the same everywhere.
type form struct {
	ID     string
	Title  string
	Action string
	Submit string
	// Error is a message about the form as a whole.
	Error  string
	Fields []*field
	// Compact renders the form without its heading (inline in a page).
	Compact bool
}

// field is one form field. Type is text, password, textarea, date, number, amount,
// select, checkboxes, radio, checkbox or hidden.
type field struct {
	Name     string
	Label    string
	Type     string
	Value    string
	Values   map[string]bool
	Options  []option
	Error    string
	Required bool
	Hint     string
}

type option struct{ Value, Label string }

// fieldByName returns the field called name, or nil.
func (f *form) field(name string) *field {
	for _, fd := range f.Fields {
		if fd.Name == name {
			return fd
		}
	}
	return nil
}

// fill puts the submitted values back into the form.
func (f *form) fill(v url.Values) {
	for _, fd := range f.Fields {
		if fd.Type == "hidden" && fd.Value != "" {
			continue
		}
		switch fd.Type {
		case "checkboxes":
			fd.Values = map[string]bool{}
			for _, x := range v[fd.Name] {
				fd.Values[x] = true
			}
		case "checkbox":
			if v.Get(fd.Name) != "" {
				fd.Value = "on"
			} else {
				fd.Value = ""
			}
		default:
			if _, ok := v[fd.Name]; ok {
				fd.Value = v.Get(fd.Name)
			}
		}
	}
}

// hasErrors reports whether any field or the form has an error.
func (f *form) hasErrors() bool {
	if f.Error != "" {
		return true
	}
	for _, fd := range f.Fields {
		if fd.Error != "" {
			return true
		}
	}
	return false
}

// setError puts msg next to the field called name; a name the form does
// not have puts it on the form.
func (f *form) setError(name, msg string) {
	if fd := f.field(name); fd != nil && fd.Type != "hidden" {
		if fd.Error == "" {
			fd.Error = msg
		}
		return
	}
	f.Error = msg
}

// ruleError maps a refused command to the form: the rule's Field names the
// command field (snake_case, as in the event JSON); aliases map it to the
// form field where they differ. It returns false for other errors.
func (f *form) ruleError(t texts, lang string, err error, aliases map[string]string) bool {
	var re *domain.RuleError
	if !errors.As(err, &re) {
		return false
	}
	msg := re.Message
	if _, ok := t["rule."+re.Rule]; ok {
		msg = t.tr(lang, "rule."+re.Rule)
	}
	name := re.Field
	if a, ok := aliases[name]; ok {
		name = a
	}
	if name == "" {
		f.Error = msg
	} else {
		f.setError(name, msg)
	}
	return true
}

// reader reads typed values from a submitted form and records the errors
// on the form, next to their fields.
type reader struct {
	t    texts
	f    *form
	v    url.Values
	lang string
}

func (rd *reader) str(name string, required bool, max int) string {
	s := strings.TrimSpace(rd.v.Get(name))
	switch {
	case required && s == "":
		rd.f.setError(name, rd.t.tr(rd.lang, "form.required"))
	case !utf8.ValidString(s) || len(s) > max:
		rd.f.setError(name, fmt.Sprintf("%s (max. %d)", rd.t.tr(rd.lang, "form.required"), max))
		return ""
	}
	return s
}

func (rd *reader) date(name string, required bool) domain.Date {
	s := strings.TrimSpace(rd.v.Get(name))
	if s == "" {
		if required {
			rd.f.setError(name, rd.t.tr(rd.lang, "form.required"))
		}
		return domain.Date{}
	}
	d, err := domain.ParseDate(s)
	if err != nil {
		rd.f.setError(name, rd.t.tr(rd.lang, "form.bad_date"))
	}
	return d
}

func (rd *reader) int(name string, required bool) int {
	s := strings.TrimSpace(rd.v.Get(name))
	if s == "" {
		if required {
			rd.f.setError(name, rd.t.tr(rd.lang, "form.required"))
		}
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1_000_000 {
		rd.f.setError(name, rd.t.tr(rd.lang, "form.bad_number"))
	}
	return n
}

// cents reads an amount in euro ("45,90", "45.90", "1.200,50", "€ 12")
// as cents.
func (rd *reader) cents(name string) int64 {
	s := strings.TrimSpace(rd.v.Get(name))
	if s == "" {
		rd.f.setError(name, rd.t.tr(rd.lang, "form.required"))
		return 0
	}
	c, ok := parseEuro(s)
	if !ok {
		rd.f.setError(name, rd.t.tr(rd.lang, "form.bad_amount"))
	}
	return c
}

func parseEuro(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	s = strings.ReplaceAll(s, " ", "")
	// The last separator is the decimal one if 1 or 2 digits follow it.
	whole, frac := s, ""
	if i := strings.LastIndexAny(s, ",."); i >= 0 && len(s)-i-1 <= 2 {
		whole, frac = s[:i], s[i+1:]
	}
	whole = strings.NewReplacer(".", "", ",", "").Replace(whole)
	if whole == "" || len(whole) > 9 {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	c, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || c < 0 {
		return 0, false
	}
	return w*100 + c, true
}

func (rd *reader) list(name string) []string {
	var out []string
	for _, s := range rd.v[name] {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (rd *reader) bool(name string) bool { return rd.v.Get(name) != "" }

// parseForm reads the posted form; the body was bounded by the server.
func parseForm(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("read form: %w", err)
	}
	return r.PostForm, nil
}

// options builds select options of codes labelled by prefix.
func options[T ~string](t texts, lang, prefix string, codes []T) []option {
	out := make([]option, 0, len(codes))
	for _, c := range codes {
		out = append(out, option{Value: string(c), Label: t.label(lang, prefix, string(c))})
	}
	return out
}
