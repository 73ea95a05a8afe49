package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds on command fields.
const (
	// MaxAmountCents bounds any single amount: EUR 1,000,000.
	MaxAmountCents = 100_000_000
	// MaxOrgLen bounds organisation, role and supplier names (public text).
	MaxOrgLen = 200
	// MaxSealedText bounds a sealed free text (a note, a justification).
	MaxSealedText = 20_000
	// MaxShortText bounds sealed names, phone numbers and e-mail addresses.
	MaxShortText = 300
	// MaxDurationMinutes bounds a contact's duration: one day.
	MaxDurationMinutes = 24 * 60
	// MaxChildren bounds the number of children or adults of a family.
	MaxChildren = 30
)

// sameOrg compares organisation names case-insensitively, ignoring
// surrounding white space.
func sameOrg(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// Env is what a decision needs besides the state and the command: the
// current instant (in the team's time zone: "today" is DateOf(Now)), the
// team's settings, the instrument catalogue, and the staff members the
// command names (see StaffReferrer), folded from their streams by the
// caller. Domain does no I/O: the caller gathers all of this.
type Env struct {
	Now         time.Time
	Settings    TeamSettings
	Instruments *Catalogue
	Staff       map[StaffID]*Staff
}

// Today is the calendar date of Now.
func (e Env) Today() Date { return DateOf(e.Now) }

// checker accumulates the first rule broken while a command is validated.
type checker struct {
	err *RuleError
}

func (c *checker) fail(err *RuleError) {
	if c.err == nil {
		c.err = err
	}
}

func (c *checker) ok() bool { return c.err == nil }

func (c *checker) result() error {
	if c.err == nil {
		return nil
	}
	return c.err
}

// id requires a well-formed identifier.
func (c *checker) id(field, v string) {
	if v == "" {
		c.fail(ruleErr("field.required", field, "an identifier is required"))
	} else if !validID(v) {
		c.fail(ruleErr("field.invalid_id", field, "identifiers are 1 to 100 characters of A-Z a-z 0-9 . _ : -"))
	}
}

// optID accepts an empty or well-formed identifier.
func (c *checker) optID(field, v string) {
	if v != "" && !validID(v) {
		c.fail(ruleErr("field.invalid_id", field, "identifiers are 1 to 100 characters of A-Z a-z 0-9 . _ : -"))
	}
}

// date requires a date that is not in the future.
func (c *checker) date(field string, d Date, env Env) {
	switch {
	case d.IsZero():
		c.fail(ruleErr("date.required", field, "a date is required"))
	case d.After(env.Today()):
		c.fail(ruleErr("date.future", field, "the date %s lies in the future", d))
	}
}

// caseDate requires a date that is neither in the future nor before the
// family's referral.
func (c *checker) caseDate(field string, d Date, f *Family, env Env) {
	c.date(field, d, env)
	if c.ok() && !f.ReferredOn.IsZero() && d.Before(f.ReferredOn) {
		c.fail(ruleErr("date.before_referral", field, "the date %s lies before the referral on %s", d, f.ReferredOn))
	}
}

// notBefore requires d on or after earlier (a non-zero earlier).
func (c *checker) notBefore(field string, d, earlier Date, what string) {
	if c.ok() && !earlier.IsZero() && !d.IsZero() && d.Before(earlier) {
		c.fail(ruleErr("date.order", field, "the date %s lies before %s (%s)", d, what, earlier))
	}
}

// text bounds a public organisation-like text; required says it must be set.
func (c *checker) org(field, v string, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		c.fail(ruleErr("field.required", field, "this field is required"))
	case len(v) > MaxOrgLen:
		c.fail(ruleErr("field.too_long", field, "at most %d bytes", MaxOrgLen))
	case !utf8.ValidString(v) || strings.ContainsAny(v, "\n\r\t"):
		c.fail(ruleErr("field.invalid", field, "must be one line of valid text"))
	}
}

// sealedText bounds a sealed text.
func (c *checker) sealedText(field, v string, max int) {
	if len(v) > max {
		c.fail(ruleErr("field.too_long", field, "at most %d bytes", max))
	} else if !utf8.ValidString(v) {
		c.fail(ruleErr("field.invalid", field, "must be valid UTF-8 text"))
	}
}

// code requires a configurable code (a-z0-9_).
func (c *checker) code(field, v string) {
	if v == "" {
		c.fail(ruleErr("field.required", field, "a code is required"))
	} else if !validCode(v) {
		c.fail(ruleErr("field.invalid", field, "a code is 1 to 50 characters of a-z 0-9 _ starting with a letter"))
	}
}

// valid requires an enumerated value to be known.
func (c *checker) valid(field string, ok bool, v string) {
	if v == "" {
		c.fail(ruleErr("field.required", field, "this field is required"))
	} else if !ok {
		c.fail(ruleErr("field.invalid", field, "unknown value"))
	}
}

// amount requires 0 < cents <= MaxAmountCents.
func (c *checker) amount(field string, cents int64) {
	if cents <= 0 {
		c.fail(ruleErr("amount.positive", field, "the amount must be positive"))
	} else if cents > MaxAmountCents {
		c.fail(ruleErr("amount.too_large", field, "the amount is above %d cents", MaxAmountCents))
	}
}

// count requires 0 <= n <= max.
func (c *checker) count(field string, n, max int) {
	if n < 0 || n > max {
		c.fail(ruleErr("count.range", field, "must be between 0 and %d", max))
	}
}

// domains requires known, distinct life domains; required says at least one.
func (c *checker) domains(field string, ds []LifeDomain, required bool) {
	if required && len(ds) == 0 {
		c.fail(ruleErr("field.required", field, "at least one life domain is required"))
	}
	seen := map[LifeDomain]bool{}
	for i, d := range ds {
		if !d.Valid() {
			c.fail(ruleErr("field.invalid", field, "entry %d is not a life domain", i))
		} else if seen[d] {
			c.fail(ruleErr("field.duplicate", field, "life domain %q given twice", string(d)))
		}
		seen[d] = true
	}
}

// dataCategories requires known, distinct, at least one.
func (c *checker) dataCategories(field string, ds []DataCategory) {
	if len(ds) == 0 {
		c.fail(ruleErr("field.required", field, "at least one data category is required"))
	}
	seen := map[DataCategory]bool{}
	for i, d := range ds {
		if !d.Valid() {
			c.fail(ruleErr("field.invalid", field, "entry %d is not a data category", i))
		} else if seen[d] {
			c.fail(ruleErr("field.duplicate", field, "data category %q given twice", string(d)))
		}
		seen[d] = true
	}
}
