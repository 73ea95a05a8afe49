package domain

import (
	"fmt"
	"time"
)

// Date is a calendar date without a time zone (a referral date, the day of a
// home visit). Its JSON form is "2006-01-02"; the zero Date is "" in JSON and
// means "not given". Dates compare in calendar order with Compare, Before and
// After; Date is comparable with ==.
type Date struct {
	y int
	m time.Month
	d int
}

// dateLayout is the JSON and text form of a Date.
const dateLayout = "2006-01-02"

// NewDate returns the date y-m-d; out-of-range values are normalised as
// time.Date does (January 32 is February 1).
func NewDate(y int, m time.Month, d int) Date {
	t := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	return Date{t.Year(), t.Month(), t.Day()}
}

// DateOf returns the calendar date of t in t's own location. Callers pass
// the clock's instant already in the team's time zone (Europe/Brussels), so
// that "today" is the team's today.
func DateOf(t time.Time) Date { return Date{t.Year(), t.Month(), t.Day()} }

// ParseDate reads "2006-01-02". The empty string is the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("date (%d bytes) is not of the form YYYY-MM-DD", len(s))
	}
	return DateOf(t), nil
}

// MustDate is ParseDate for literals in tests and examples; it panics on a
// malformed literal.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date ("not given").
func (d Date) IsZero() bool { return d == Date{} }

// Year returns the year of d.
func (d Date) Year() int { return d.y }

// Month returns the month of d.
func (d Date) Month() time.Month { return d.m }

// Day returns the day of the month of d.
func (d Date) Day() int { return d.d }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC) }

// AddDays returns d plus n days (n may be negative).
func (d Date) AddDays(n int) Date { return NewDate(d.y, d.m, d.d+n) }

// AddMonths returns d plus n calendar months (n may be negative): the same
// day of the month, normalised as time.Date does (31 August + 6 months is
// 3 March, 30 November + 3 months is 2 March).
func (d Date) AddMonths(n int) Date { return NewDate(d.y, d.m+time.Month(n), d.d) }

// DaysSince returns the number of days from e to d (positive when d is later).
func (d Date) DaysSince(e Date) int {
	return int(d.Time().Sub(e.Time()).Hours() / 24)
}

func (d Date) key() int { return d.y*10000 + int(d.m)*100 + d.d }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	a, b := d.key(), e.key()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.key() < e.key() }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.key() > e.key() }

// String is "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.y, int(d.m), d.d)
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
