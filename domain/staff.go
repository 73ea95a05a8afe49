package domain

import (
	"slices"
	"strings"
)

// Staff is a staff member folded from its stream staff-<id>.
type Staff struct {
	ID      StaffID
	Version uint64
	Login   string
	Roles   map[Role]bool
	Active  bool
	Sealed  StaffSealed
	// HasPassword reports whether a password hash was ever set.
	HasPassword bool
	// PasswordHash is the latest hash, when the sealed parts were opened.
	PasswordHash string
	// Tokens are the bearer tokens ever issued, by token id (revoked ones
	// marked); nil until the first.
	Tokens map[string]IssuedToken
}

// NewStaff returns the empty state of staff member id.
func NewStaff(id StaffID) *Staff { return &Staff{ID: id, Roles: map[Role]bool{}} }

// Exists reports whether the staff member was registered.
func (s *Staff) Exists() bool { return s.Login != "" }

// Has reports whether s is active and holds role r.
func (s *Staff) Has(r Role) bool { return s != nil && s.Active && s.Roles[r] }

// Apply folds one event of the staff stream; it increments Version.
func (s *Staff) Apply(e Event) {
	s.Version++
	switch e := e.(type) {
	case StaffRegistered:
		s.Login, s.Active, s.Sealed = e.Login, true, e.Sealed
	case RoleGranted:
		s.Roles[e.Role] = true
	case RoleRevoked:
		delete(s.Roles, e.Role)
	case StaffDeactivated:
		s.Active = false
	case StaffReactivated:
		s.Active = true
	case PasswordSet:
		s.HasPassword = true
		s.PasswordHash = e.Sealed.Hash
	case TokenIssued, TokenRevoked:
		s.applyToken(e)
	}
}

// RegisterStaff registers a staff member. Login is public: 3 to 64 bytes of
// a-z 0-9 . _ - (no names are required in it, but a team may use them: the
// display name is the sealed personal data).
type RegisterStaff struct {
	StaffID     StaffID
	Date        Date
	Login       string
	DisplayName string
	Email       string
}

// GrantRole grants a role.
type GrantRole struct {
	Role Role
	Date Date
	By   StaffID
}

// RevokeRole revokes a role.
type RevokeRole struct {
	Role Role
	Date Date
	By   StaffID
}

// DeactivateStaff deactivates a staff member.
type DeactivateStaff struct {
	Date Date
	By   StaffID
}

// ReactivateStaff reactivates a staff member.
type ReactivateStaff struct {
	Date Date
	By   StaffID
}

// SetPassword records a new password hash (a PHC string: "$argon2id$..." or
// bcrypt "$2a$", "$2b$", "$2y$"); a plain password is refused.
type SetPassword struct {
	Date Date
	Hash string
}

// StaffCommand is a command on a staff stream.
type StaffCommand interface {
	decideStaff(s *Staff, env Env) ([]Event, error)
}

// Decide validates cmd against the staff member's state and returns the
// events to append, or a *RuleError.
func (s *Staff) Decide(cmd StaffCommand, env Env) ([]Event, error) {
	return cmd.decideStaff(s, env)
}

func validLogin(l string) bool {
	if len(l) < 3 || len(l) > 64 {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (c RegisterStaff) decideStaff(s *Staff, env Env) ([]Event, error) {
	var k checker
	k.id("staff_id", string(c.StaffID))
	if k.ok() && c.StaffID != s.ID {
		k.fail(ruleErr("field.invalid", "staff_id", "the command names another staff member than its stream"))
	}
	k.date("date", c.Date, env)
	if !validLogin(c.Login) {
		k.fail(ruleErr("staff.login", "login", "a login is 3 to 64 characters of a-z 0-9 . _ -"))
	}
	if strings.TrimSpace(c.DisplayName) == "" {
		k.fail(ruleErr("field.required", "display_name", "a display name is required"))
	}
	k.sealedText("display_name", c.DisplayName, MaxShortText)
	k.sealedText("email", c.Email, MaxShortText)
	if k.ok() && s.Exists() {
		k.fail(conflict("staff.exists", "staff_id", "the staff member is already registered"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{StaffRegistered{StaffID: c.StaffID, Date: c.Date, Login: c.Login, Sealed: StaffSealed{DisplayName: c.DisplayName, Email: c.Email}}}, nil
}

func staffExists(s *Staff) *RuleError {
	if !s.Exists() {
		return notFound("staff.not_found", "staff_id", "no such staff member")
	}
	return nil
}

func (c GrantRole) decideStaff(s *Staff, env Env) ([]Event, error) {
	var k checker
	if err := staffExists(s); err != nil {
		return nil, err
	}
	k.valid("role", c.Role.Valid(), string(c.Role))
	k.date("date", c.Date, env)
	k.id("by", string(c.By))
	if k.ok() && s.Roles[c.Role] {
		k.fail(conflict("staff.role_held", "role", "the role is already granted"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{RoleGranted{Role: c.Role, Date: c.Date, GrantedBy: c.By}}, nil
}

func (c RevokeRole) decideStaff(s *Staff, env Env) ([]Event, error) {
	var k checker
	if err := staffExists(s); err != nil {
		return nil, err
	}
	k.valid("role", c.Role.Valid(), string(c.Role))
	k.date("date", c.Date, env)
	k.id("by", string(c.By))
	if k.ok() && !s.Roles[c.Role] {
		k.fail(conflict("staff.role_not_held", "role", "the role is not granted"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{RoleRevoked{Role: c.Role, Date: c.Date, RevokedBy: c.By}}, nil
}

func (c DeactivateStaff) decideStaff(s *Staff, env Env) ([]Event, error) {
	var k checker
	if err := staffExists(s); err != nil {
		return nil, err
	}
	k.date("date", c.Date, env)
	k.id("by", string(c.By))
	if k.ok() && !s.Active {
		k.fail(conflict("staff.inactive", "", "the staff member is already deactivated"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{StaffDeactivated{Date: c.Date, By: c.By}}, nil
}

func (c ReactivateStaff) decideStaff(s *Staff, env Env) ([]Event, error) {
	var k checker
	if err := staffExists(s); err != nil {
		return nil, err
	}
	k.date("date", c.Date, env)
	k.id("by", string(c.By))
	if k.ok() && s.Active {
		k.fail(conflict("staff.active", "", "the staff member is active"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{StaffReactivated{Date: c.Date, By: c.By}}, nil
}

func (c SetPassword) decideStaff(s *Staff, env Env) ([]Event, error) {
	var k checker
	if err := staffExists(s); err != nil {
		return nil, err
	}
	k.date("date", c.Date, env)
	phc := slices.ContainsFunc([]string{"$argon2id$", "$2a$", "$2b$", "$2y$"}, func(p string) bool { return strings.HasPrefix(c.Hash, p) })
	if !phc || len(c.Hash) < 50 || len(c.Hash) > 500 {
		k.fail(ruleErr("staff.password_hash", "hash", "a password hash (argon2id or bcrypt) is required, never a password"))
	}
	if !k.ok() {
		return nil, k.result()
	}
	return []Event{PasswordSet{Date: c.Date, Sealed: PasswordSealed{Hash: c.Hash}}}, nil
}
