package domain

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error a decision returns wraps one of them, so
// callers (the ledger, the HTTP layer) test them with errors.Is and map them
// to outcomes (400/404/409) in one place.
var (
	// ErrRule: the command breaks a rule of the practice. Returned as a
	// *RuleError that names the rule and the field.
	ErrRule = errors.New("rule violated")

	// ErrNotFound: the command refers to something the family (or team, or
	// staff member) does not have: an unknown spend, consent, disclosure,
	// contact, member, request. Returned as a *RuleError.
	ErrNotFound = errors.New("not found")

	// ErrConflict: the command is valid but the state it acts on has moved
	// on: the thing was already done (a consent already withdrawn, a spend
	// already reversed, a family already referred). Returned as a *RuleError.
	ErrConflict = errors.New("conflict with the current state")

	// ErrUnknownEventType: Decode met a type name it does not know.
	ErrUnknownEventType = errors.New("unknown event type")

	// ErrBadEvent: an event's JSON does not decode into its type.
	ErrBadEvent = errors.New("bad event encoding")
)

// RuleError is a refused command: Rule is a stable code such as
// "budget.overspend" (documented in doc.go and safe to show to users and to
// put in logs and metrics labels), Field names the command field at fault
// (snake_case, as in the JSON of the command's event, "" when the rule is
// about the state as a whole), Message says what is wrong in words. None of
// them ever holds personal data: only codes, identifiers, dates and amounts.
type RuleError struct {
	Rule    string
	Field   string
	Message string
	// Kind is the sentinel this error unwraps to: ErrRule, ErrNotFound or
	// ErrConflict.
	Kind error
}

// Error reads "rule budget.overspend (field amount_cents): ...".
func (e *RuleError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("rule %s: %s", e.Rule, e.Message)
	}
	return fmt.Sprintf("rule %s (field %s): %s", e.Rule, e.Field, e.Message)
}

// Unwrap returns the sentinel (ErrRule, ErrNotFound or ErrConflict).
func (e *RuleError) Unwrap() error {
	if e.Kind == nil {
		return ErrRule
	}
	return e.Kind
}

func ruleErr(rule, field, format string, args ...any) *RuleError {
	return &RuleError{Rule: rule, Field: field, Message: fmt.Sprintf(format, args...), Kind: ErrRule}
}

func notFound(rule, field, format string, args ...any) *RuleError {
	return &RuleError{Rule: rule, Field: field, Message: fmt.Sprintf(format, args...), Kind: ErrNotFound}
}

func conflict(rule, field, format string, args ...any) *RuleError {
	return &RuleError{Rule: rule, Field: field, Message: fmt.Sprintf(format, args...), Kind: ErrConflict}
}
