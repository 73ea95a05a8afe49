// Code in this file decodes the public parts of the most frequent event
// types without reflection, for read models that fold millions of events.

package domain

import (
	"time"
	"unicode/utf8"
)

// DecodePublic decodes an event's public part: the result and the errors
// are exactly those of Decode(typ, public, nil). For the most frequent
// types (ContactLogged, RecordViewed, MemberAdded, AssessmentRegistered,
// QuestionRaised, QuestionAnswered, SpendRecorded, and twelve of the
// case's and budget's steps: 93% of the demo ledger's events) a hand-written decoder
// reads the layout Encode writes (compact JSON, known keys each at most
// once, strings without escapes) several times faster than encoding/json;
// anything else, including every malformed input, goes to Decode.
//
// The strings of an event decoded this way share one copy of public.
func DecodePublic(typ string, public []byte) (Event, error) {
	if ev, ok := fastDecode(typ, public); ok {
		return ev, nil
	}
	return Decode(typ, public, nil)
}

// fastDecode decodes public when it is in the layout described at
// DecodePublic; ok=false means "not sure": the caller decodes with
// encoding/json. When ok, the event equals what encoding/json gives
// (FuzzDecodePublic checks this).
func fastDecode(typ string, public []byte) (Event, bool) {
	p := pubReader{b: public}
	var ev Event
	switch typ {
	case TypeContactLogged:
		ev = p.contactLogged()
	case TypeRecordViewed:
		ev = p.recordViewed()
	case TypeMemberAdded:
		ev = p.memberAdded()
	case TypeAssessmentRegistered:
		ev = p.assessmentRegistered()
	case TypeQuestionRaised:
		ev = p.questionRaised()
	case TypeQuestionAnswered:
		ev = p.questionAnswered()
	case TypeSpendRecorded:
		ev = p.spendRecorded()
	case TypeFamilyReferred:
		ev = p.familyReferred()
	case TypeCoachAssigned:
		ev = p.coachAssigned()
	case TypeGuidanceStarted:
		ev = p.guidanceStarted()
	case TypeProfessionalAdded:
		ev = p.professionalAdded()
	case TypeBudgetAllocated:
		ev = p.budgetAllocated()
	case TypeCoverArranged:
		ev = p.coverArranged()
	case TypeCaseClosed:
		ev = p.caseClosed()
	case TypeWaitingListEntered:
		ev = p.waitingListEntered()
	case TypeWaitingListLeft:
		ev = p.waitingListLeft()
	case TypeFamilyInformed:
		ev = p.familyInformed()
	case TypeSpendDecided:
		ev = p.spendDecided()
	case TypeSpendProposed:
		ev = p.spendProposed()
	default:
		return nil, false
	}
	if p.bad || p.i != len(p.b) {
		return nil, false
	}
	return ev, true
}

// pubReader reads compact JSON from b. Any byte it does not expect sets bad
// (sticky); values read after that are zero. Strings are slices of s, one
// copy of b made on the first string.
type pubReader struct {
	b   []byte
	s   string
	i   int
	bad bool
}

func (p *pubReader) fail() { p.bad = true }

// peek returns the next byte, or 0 at the end.
func (p *pubReader) peek() byte {
	if p.bad || p.i >= len(p.b) {
		return 0
	}
	return p.b[p.i]
}

func (p *pubReader) expect(c byte) {
	if p.peek() != c {
		p.fail()
		return
	}
	p.i++
}

// literal consumes lit (null, true, false).
func (p *pubReader) literal(lit string) bool {
	if p.bad || len(p.b)-p.i < len(lit) || string(p.b[p.i:p.i+len(lit)]) != lit {
		return false
	}
	p.i += len(lit)
	return true
}

// null consumes a null and reports whether there was one.
func (p *pubReader) null() bool { return p.peek() == 'n' && p.literal("null") }

// raw reads a string without escapes, control characters or invalid
// UTF-8 and returns the offsets of its contents.
func (p *pubReader) raw() (int, int) {
	p.expect('"')
	if p.bad {
		return 0, 0
	}
	start := p.i
	ascii := true
	for ; p.i < len(p.b); p.i++ {
		c := p.b[p.i]
		switch {
		case c == '"':
			end := p.i
			p.i++
			if !ascii && !utf8.Valid(p.b[start:end]) {
				p.fail()
			}
			return start, end
		case c == '\\' || c < 0x20:
			p.fail()
			return 0, 0
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	p.fail()
	return 0, 0
}

// str reads a string value; null leaves the zero string, as encoding/json
// does.
func (p *pubReader) str() string {
	if p.null() {
		return ""
	}
	start, end := p.raw()
	if p.bad {
		return ""
	}
	if p.s == "" {
		p.s = string(p.b)
	}
	return p.s[start:end]
}

// key reads an object key and the colon after it.
func (p *pubReader) key() []byte {
	start, end := p.raw()
	p.expect(':')
	if p.bad {
		return nil
	}
	return p.b[start:end]
}

// int reads a JSON integer that fits an int64 (no fraction or exponent:
// encoding/json refuses those for an integer field, and the caller then
// reports its error); null leaves 0.
func (p *pubReader) int() int64 {
	if p.null() {
		return 0
	}
	neg := p.peek() == '-'
	if neg {
		p.i++
	}
	start := p.i
	var v int64
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		v = v*10 + int64(p.b[p.i]-'0')
		p.i++
	}
	n := p.i - start
	switch {
	case n == 0 || n > 18 || (n > 1 && p.b[start] == '0'):
		p.fail()
	case p.i < len(p.b) && (p.b[p.i] == '.' || p.b[p.i] == 'e' || p.b[p.i] == 'E'):
		p.fail()
	}
	if neg {
		v = -v
	}
	return v
}

// bool reads true or false; null leaves false.
func (p *pubReader) bool() bool {
	switch {
	case p.null(), p.literal("false"):
		return false
	case p.literal("true"):
		return true
	}
	p.fail()
	return false
}

// date reads a Date: "" is the zero Date, as ParseDate has it; null leaves
// it zero. Anything but a valid YYYY-MM-DD (year 1 to 9999) is left to
// encoding/json and ParseDate.
func (p *pubReader) date() Date {
	if p.null() {
		return Date{}
	}
	start, end := p.raw()
	if p.bad {
		return Date{}
	}
	b := p.b[start:end]
	if len(b) == 0 {
		return Date{}
	}
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		p.fail()
		return Date{}
	}
	num := func(s []byte) int {
		v := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				p.fail()
				return 0
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, m, d := num(b[:4]), num(b[5:7]), num(b[8:])
	if p.bad || y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		p.fail()
		return Date{}
	}
	return Date{y, time.Month(m), d}
}

// daysIn returns the number of days of month m of year y.
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// stringsOf reads an array of strings; null leaves nil, [] gives an empty
// slice, as encoding/json does. A null element is left to encoding/json.
func stringsOf[T ~string](p *pubReader) []T {
	if p.null() {
		return nil
	}
	p.expect('[')
	out := []T{}
	if p.peek() == ']' {
		p.i++
		return out
	}
	for !p.bad {
		if p.peek() == 'n' {
			p.fail()
			break
		}
		out = append(out, T(p.str()))
		if p.peek() == ',' {
			p.i++
			continue
		}
		p.expect(']')
		break
	}
	return out
}

// object reads an object, calling field for each key; field returns the
// key's bit (0 for an unknown key, which fails: encoding/json would ignore
// it, or match it case-insensitively). A key seen twice fails too.
func (p *pubReader) object(field func(key []byte) uint32) {
	if p.null() {
		return
	}
	p.expect('{')
	if p.peek() == '}' {
		p.i++
		return
	}
	var seen uint32
	for !p.bad {
		bit := field(p.key())
		if bit == 0 || seen&bit != 0 {
			p.fail()
			break
		}
		seen |= bit
		if p.peek() == ',' {
			p.i++
			continue
		}
		p.expect('}')
		break
	}
}

func (p *pubReader) contactLogged() ContactLogged {
	var e ContactLogged
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "contact_id":
			e.ContactID = ContactID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "kind":
			e.Kind = ContactKind(p.str())
			return 1 << 2
		case "duration_minutes":
			e.DurationMinutes = int(p.int())
			return 1 << 3
		case "life_domains":
			e.LifeDomains = stringsOf[LifeDomain](p)
			return 1 << 4
		case "coach_id":
			e.CoachID = StaffID(p.str())
			return 1 << 5
		case "members":
			e.Members = stringsOf[MemberID](p)
			return 1 << 6
		case "in_confidence_of":
			e.InConfidenceOf = MemberID(p.str())
			return 1 << 7
		}
		return 0
	})
	return e
}

func (p *pubReader) recordViewed() RecordViewed {
	var e RecordViewed
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "family_id":
			e.FamilyID = FamilyID(p.str())
			return 1 << 0
		case "user_id":
			e.UserID = StaffID(p.str())
			return 1 << 1
		case "role":
			e.Role = Role(p.str())
			return 1 << 2
		case "part":
			e.Part = FilePart(p.str())
			return 1 << 3
		case "item_id":
			e.ItemID = p.str()
			return 1 << 4
		case "purpose":
			e.Purpose = Purpose(p.str())
			return 1 << 5
		case "break_glass":
			e.BreakGlass = p.bool()
			return 1 << 6
		case "reason":
			e.Reason = BreakGlassReason(p.str())
			return 1 << 7
		}
		return 0
	})
	return e
}

func (p *pubReader) memberAdded() MemberAdded {
	var e MemberAdded
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "member_id":
			e.MemberID = MemberID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "role":
			e.Role = MemberRole(p.str())
			return 1 << 2
		case "birth_year":
			e.BirthYear = int(p.int())
			return 1 << 3
		}
		return 0
	})
	return e
}

func (p *pubReader) assessmentRegistered() AssessmentRegistered {
	var e AssessmentRegistered
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "assessment_id":
			e.AssessmentID = AssessmentID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "instrument_id":
			e.InstrumentID = p.str()
			return 1 << 2
		case "instrument_version":
			e.InstrumentVersion = int(p.int())
			return 1 << 3
		case "moment":
			e.Moment = AssessmentMoment(p.str())
			return 1 << 4
		case "items":
			e.Items = p.items()
			return 1 << 5
		case "coach_id":
			e.CoachID = StaffID(p.str())
			return 1 << 6
		}
		return 0
	})
	return e
}

// items reads an array of ItemAnswer objects (null: nil; []: empty).
func (p *pubReader) items() []ItemAnswer {
	if p.null() {
		return nil
	}
	p.expect('[')
	out := []ItemAnswer{}
	if p.peek() == ']' {
		p.i++
		return out
	}
	for !p.bad {
		if p.peek() == 'n' {
			p.fail() // a null element: left to encoding/json
			break
		}
		var it ItemAnswer
		p.object(func(k []byte) uint32 {
			switch string(k) {
			case "item":
				it.Item = p.str()
				return 1 << 0
			case "member":
				it.Member = MemberID(p.str())
				return 1 << 1
			case "status":
				it.Status = AnswerStatus(p.str())
				return 1 << 2
			case "level":
				it.Level = int(p.int())
				return 1 << 3
			}
			return 0
		})
		out = append(out, it)
		if p.peek() == ',' {
			p.i++
			continue
		}
		p.expect(']')
		break
	}
	return out
}

func (p *pubReader) questionRaised() QuestionRaised {
	var e QuestionRaised
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "question_id":
			e.QuestionID = QuestionID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "life_domain":
			e.LifeDomain = LifeDomain(p.str())
			return 1 << 2
		case "member_id":
			e.MemberID = MemberID(p.str())
			return 1 << 3
		}
		return 0
	})
	return e
}

func (p *pubReader) questionAnswered() QuestionAnswered {
	var e QuestionAnswered
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "question_id":
			e.QuestionID = QuestionID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "outcome":
			e.Outcome = QuestionOutcome(p.str())
			return 1 << 2
		}
		return 0
	})
	return e
}

func (p *pubReader) spendRecorded() SpendRecorded {
	var e SpendRecorded
	p.object(func(k []byte) uint32 {
		switch string(k) {
		case "spend_id":
			e.SpendID = SpendID(p.str())
			return 1 << 0
		case "date":
			e.Date = p.date()
			return 1 << 1
		case "trajectory":
			e.Trajectory = int(p.int())
			return 1 << 2
		case "amount_cents":
			e.AmountCents = p.int()
			return 1 << 3
		case "instrument":
			e.Instrument = SpendInstrument(p.str())
			return 1 << 4
		case "category":
			e.Category = p.str()
			return 1 << 5
		case "supplier":
			e.Supplier = p.str()
			return 1 << 6
		case "receipt_ref":
			e.ReceiptRef = p.str()
			return 1 << 7
		case "funding_source":
			e.FundingSource = p.str()
			return 1 << 8
		case "path":
			e.Path = SpendPath(p.str())
			return 1 << 9
		case "decided_on":
			e.DecidedOn = p.date()
			return 1 << 10
		case "body":
			e.Body = DecidingBody(p.str())
			return 1 << 11
		case "proposed_by":
			e.ProposedBy = StaffID(p.str())
			return 1 << 12
		case "approval_id":
			e.ApprovalID = ApprovalID(p.str())
			return 1 << 13
		}
		return 0
	})
	return e
}
