package outcomes

import (
	"bytes"
	"fmt"
	"strconv"
)

// Decimal is a number with one decimal, held as an integer count of tenths
// (667 is 66.7), so that reports never show binary floating-point artefacts.
// Its JSON form is a plain number with one decimal (66.7, 0.0, 10.0).
type Decimal int64

// String returns the value with exactly one decimal, e.g. "66.7" or "-0.5".
func (d Decimal) String() string {
	sign, v := "", int64(d)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%d", sign, v/10, v%10)
}

// MarshalJSON writes the number with one decimal.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON reads a number with at most one decimal.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	whole, frac, found := bytes.Cut([]byte(s), []byte("."))
	if len(whole) == 0 || found && len(frac) != 1 {
		return fmt.Errorf("outcomes: decimal %q: want digits with at most one decimal", b)
	}
	w, err := strconv.ParseInt(string(whole), 10, 64)
	if err != nil || w < 0 {
		return fmt.Errorf("outcomes: decimal %q: want digits with at most one decimal", b)
	}
	v := w * 10
	if found {
		if frac[0] < '0' || frac[0] > '9' {
			return fmt.Errorf("outcomes: decimal %q: want digits with at most one decimal", b)
		}
		v += int64(frac[0] - '0')
	}
	if neg {
		v = -v
	}
	*d = Decimal(v)
	return nil
}

// roundDiv returns num/den rounded half up to an integer, for num >= 0 and
// den > 0, in exact integer arithmetic.
func roundDiv(num, den int64) int64 { return (2*num + den) / (2 * den) }

// Percent returns count/n as a percentage with one decimal, rounded half up
// (2 of 3 is 66.7, 1 of 8 is 12.5). It returns nil when n is 0 (no
// percentage over nobody).
func Percent(count, n int) *Decimal {
	if n <= 0 {
		return nil
	}
	d := Decimal(roundDiv(1000*int64(count), int64(n)))
	return &d
}

// meanOfHundredths returns the mean of n values whose sum is sum hundredths,
// with one decimal rounded half up (a mean of 0.05 is 0.1); nil when n is 0.
func meanOfHundredths(sum int64, n int) *Decimal {
	if n <= 0 {
		return nil
	}
	d := Decimal(roundDiv(sum, 10*int64(n)))
	return &d
}

// meanOfCounts returns sum/n with one decimal rounded half up; nil when n
// is 0.
func meanOfCounts(sum, n int) *Decimal {
	if n <= 0 {
		return nil
	}
	d := Decimal(roundDiv(10*int64(sum), int64(n)))
	return &d
}
