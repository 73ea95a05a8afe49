package ledger

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"spoor/domain"
	"spoor/store"
	"spoor/store/keyfile"
	"spoor/store/pebble"
)

// fixture is a real Pebble store and a real key store in a temporary
// directory, a Sealer, a fixed clock (2026-06-01 10:00 in Brussels) and
// sequential event ids.
type fixture struct {
	dir  string
	st   *pebble.Store
	keys *keyfile.Store
	svc  *Service
	ctx  context.Context
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := pebble.Open(filepath.Join(dir, "log"), pebble.Options{ColdWAL: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, err := keyfile.Open(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keys.Close() })
	kek := make([]byte, store.KEKSize)
	if _, err := rand.Read(kek); err != nil {
		t.Fatal(err)
	}
	sealer, err := store.NewSealer(kek, keys, nil)
	if err != nil {
		t.Fatal(err)
	}
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		brussels = time.FixedZone("CEST", 2*3600)
	}
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, brussels)
	var n atomic.Int64
	svc, err := New(st, sealer, func() time.Time { return now }, func() string { return fmt.Sprintf("ev-%06d", n.Add(1)) }, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{dir: dir, st: st, keys: keys, svc: svc, ctx: context.Background()}
}

var (
	coach = Meta{Actor: store.Actor{UserID: "c1", Role: "coach"}, CorrelationID: "req-1"}
	d     = domain.MustDate
)

const fam = domain.FamilyID("fam-1")

// must fails the test on an error and returns the result.
func must(t *testing.T) func(Result, error) Result {
	return func(res Result, err error) Result {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
}

// seedStaff registers c1 (coach), k1 (coordinator) and p1 (privacy officer).
func (fx *fixture) seedStaff(t *testing.T) {
	t.Helper()
	for id, role := range map[domain.StaffID]domain.Role{"c1": domain.RoleCoach, "k1": domain.RoleCoordinator, "p1": domain.RolePrivacyOfficer} {
		must(t)(fx.svc.ExecStaff(fx.ctx, id, coach, domain.RegisterStaff{StaffID: id, Date: d("2026-01-01"), Login: "user-" + string(id), DisplayName: "Staff NAME-" + string(id)}))
		must(t)(fx.svc.ExecStaff(fx.ctx, id, coach, domain.GrantRole{Role: role, Date: d("2026-01-01"), By: "a1"}))
	}
}

// seedFamily refers fam, adds a parent, holds the intake and starts
// guidance.
func (fx *fixture) seedFamily(t *testing.T) {
	t.Helper()
	cmds := []domain.FamilyCommand{
		domain.Refer{FamilyID: fam, Date: d("2026-01-12"), Source: domain.SourcePolice, ReferringOrg: "Politie Gent", ConsentGiven: true, ConsentForm: domain.FormWritten, Children: 2, Adults: 1, Sealed: domain.FamilyReferredSealed{FamilyName: "PERSONAL-Janssens"}},
		domain.AddMember{MemberID: "mem-p", Date: d("2026-01-12"), Role: domain.MemberParent, BirthYear: 1990, Sealed: domain.MemberSealed{Name: "PERSONAL-An"}},
		domain.HoldIntake{Date: d("2026-01-20"), Attendees: []domain.Attendee{domain.AttendeeParent}, CoachID: "c1", DefinitiveConsent: true, ConsentForm: domain.FormWritten},
		domain.StartGuidance{Date: d("2026-01-21"), AllocationID: "alc-1"},
	}
	for _, c := range cmds {
		must(t)(fx.svc.ExecFamily(fx.ctx, fam, coach, c))
	}
}

func contact(id string) domain.LogContact {
	return domain.LogContact{ContactID: domain.ContactID(id), Date: d("2026-03-01"), Kind: domain.ContactHomeVisitAnnounced, DurationMinutes: 45, LifeDomains: []domain.LifeDomain{domain.DomainHousing}, CoachID: "c1", Sealed: domain.ContactSealed{Note: "PERSONAL-note-" + id}}
}

func TestExecuteAndLoad(t *testing.T) {
	fx := newFixture(t, Options{})
	fx.seedStaff(t)
	fx.seedFamily(t)
	res := must(t)(fx.svc.ExecFamily(fx.ctx, fam, coach, contact("con-1")))
	// Refer, AddMember, HoldIntake, GuidanceStarted + BudgetAllocated, ContactLogged.
	if res.Version != 6 || res.Stream != "family-fam-1" || len(res.EventIDs) != 1 || res.Attempts != 1 {
		t.Fatalf("result %+v", res)
	}

	// The stored envelope carries actor, correlation and the clock's instant.
	var last store.Envelope
	for env, err := range fx.st.ReadStream(fx.ctx, "family-fam-1", 6) {
		if err != nil {
			t.Fatal(err)
		}
		last = env
	}
	if last.Type != domain.TypeContactLogged || last.Actor.UserID != "c1" || last.CorrelationID != "req-1" || !last.RecordedAt.Equal(time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("envelope %+v", last)
	}
	if bytes.Contains(last.Data, []byte("PERSONAL")) {
		t.Fatal("the note is stored in the clear")
	}
	pub, sealed, err := store.SplitPayload(last.Data)
	if err != nil || !sealed || !bytes.Contains(pub, []byte(`"kind":"home_visit_announced"`)) {
		t.Fatalf("payload public %s sealed %v err %v", pub, sealed, err)
	}

	// Public load: decisions' view; sealed parts withheld.
	v, err := fx.svc.Family(fx.ctx, fam, false)
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != 6 || v.Family.Status != domain.StatusActive || v.Family.BudgetLeft() != 200000 || v.Family.LastContactOn != d("2026-03-01") {
		t.Fatalf("public view %+v", v.Family)
	}
	if v.Records[5].Sealed != SealedWithheld || v.Records[5].Event.(domain.ContactLogged).Sealed.Note != "" || v.Records[4].Sealed != SealedNone {
		t.Fatalf("public records: %v %v", v.Records[5].Sealed, v.Records[4].Sealed)
	}
	// Opened load: the note is back.
	o, err := fx.svc.Family(fx.ctx, fam, true)
	if err != nil {
		t.Fatal(err)
	}
	if o.Records[5].Sealed != SealedOpen || o.Records[5].Event.(domain.ContactLogged).Sealed.Note != "PERSONAL-note-con-1" || o.Family.Members["mem-p"].Sealed.Name != "PERSONAL-An" || o.Erased {
		t.Fatalf("opened view %+v", o.Records[5])
	}

	// Staff personal data is sealed under the staff scope.
	st, _, err := fx.svc.Staff(fx.ctx, "c1", true)
	if err != nil || st.Sealed.DisplayName != "Staff NAME-c1" || !st.Has(domain.RoleCoach) {
		t.Fatalf("staff %+v %v", st, err)
	}
	if _, err := fx.svc.Family(fx.ctx, "fam-none", false); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown family: %v", err)
	}
}

func TestRefusedCommandWritesNothing(t *testing.T) {
	fx := newFixture(t, Options{})
	fx.seedStaff(t)
	fx.seedFamily(t)
	before, _ := fx.st.Head(fx.ctx)
	_, err := fx.svc.ExecFamily(fx.ctx, fam, coach, domain.RecordSpend{SpendID: "sp-1", Date: d("2026-03-10"), AmountCents: 250000, Instrument: domain.InstrumentMaatbudget, Category: "furniture", Supplier: "Shop", Path: domain.PathUrgent, ProposedBy: "c1"})
	var re *domain.RuleError
	if !errors.As(err, &re) || re.Rule != "budget.overspend" || re.Field != "amount_cents" || !errors.Is(err, domain.ErrRule) {
		t.Fatalf("want budget.overspend, got %v", err)
	}
	after, _ := fx.st.Head(fx.ctx)
	if after != before {
		t.Fatalf("head moved from %d to %d on a refused command", before, after)
	}
	// The coach assignment reads staff streams: an unregistered coach is refused.
	_, err = fx.svc.ExecFamily(fx.ctx, fam, coach, domain.AssignCoach{Date: d("2026-01-21"), CoachID: "ghost", Reason: domain.AssignStart})
	if !errors.As(err, &re) || re.Rule != "coach.not_found" {
		t.Fatalf("want coach.not_found, got %v", err)
	}
	must(t)(fx.svc.ExecFamily(fx.ctx, fam, coach, domain.AssignCoach{Date: d("2026-01-21"), CoachID: "c1", Reason: domain.AssignStart}))
	// A coordinator's approval (read from k1's stream) allows the overspend.
	must(t)(fx.svc.ExecFamily(fx.ctx, fam, coach, domain.ApproveOverspend{ApprovalID: "apr-1", SpendID: "sp-1", Date: d("2026-03-09"), AmountCents: 50000, ApprovedBy: "k1"}))
	res := must(t)(fx.svc.ExecFamily(fx.ctx, fam, coach, domain.RecordSpend{SpendID: "sp-1", Date: d("2026-03-10"), AmountCents: 250000, Instrument: domain.InstrumentMaatbudget, Category: "furniture", Supplier: "Shop", Path: domain.PathUrgent, ProposedBy: "c1"}))
	if res.Events[0].(domain.SpendRecorded).ApprovalID != "apr-1" {
		t.Fatalf("spend %+v", res.Events[0])
	}
	v, _ := fx.svc.Family(fx.ctx, fam, false)
	if v.Family.BudgetLeft() != -50000 {
		t.Fatalf("budget left %d", v.Family.BudgetLeft())
	}
}

func TestTeamSettingsDriveDecisions(t *testing.T) {
	fx := newFixture(t, Options{})
	s := domain.DefaultTeamSettings()
	s.Allocations[domain.SourcePolice] = 123400
	must(t)(fx.svc.ExecTeam(fx.ctx, coach, domain.ChangeTeamSettings{Date: d("2026-01-01"), Settings: s, By: "k1"}))
	must(t)(fx.svc.ExecTeam(fx.ctx, coach, domain.SetBudgetEnvelope{Year: 2026, FundingLine: "maatbudget", Instrument: domain.InstrumentMaatbudget, AmountCents: 1000000, Date: d("2026-01-02"), By: "k1"}))
	fx.seedFamily(t)
	v, _ := fx.svc.Family(fx.ctx, fam, false)
	if v.Family.BudgetLeft() != 123400 {
		t.Fatalf("allocation %d, want the team's 123400", v.Family.BudgetLeft())
	}
	team, version, err := fx.svc.Team(fx.ctx)
	if err != nil || version != 2 || team.Envelopes[domain.EnvelopeKey{Year: 2026, FundingLine: "maatbudget"}] != 1000000 {
		t.Fatalf("team %+v %d %v", team, version, err)
	}
}

// TestConcurrentWritersRetry: many writers log contacts on one family at
// once; every command lands exactly once, in some order, after retries.
func TestConcurrentWritersRetry(t *testing.T) {
	fx := newFixture(t, Options{MaxAttempts: 20})
	fx.seedStaff(t)
	fx.seedFamily(t)
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	var attempts atomic.Int64
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := fx.svc.ExecFamily(fx.ctx, fam, coach, contact(fmt.Sprintf("con-%d", i)))
			attempts.Add(int64(res.Attempts))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	v, err := fx.svc.Family(fx.ctx, fam, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Family.Contacts) != writers || v.Version != 5+writers {
		t.Fatalf("%d contacts, version %d", len(v.Family.Contacts), v.Version)
	}
	t.Logf("%d writers took %d attempts", writers, attempts.Load())
}

// racingStore is the real store with one competing append slipped in
// before the service's next append: a deterministic version conflict.
type racingStore struct {
	store.Store
	race func()
}

func (r *racingStore) Append(ctx context.Context, stream string, exp store.ExpectedVersion, evs []store.Event) (store.AppendResult, error) {
	if r.race != nil {
		race := r.race
		r.race = nil
		race()
	}
	return r.Store.Append(ctx, stream, exp, evs)
}

func TestVersionConflictRetriesAndGivesUp(t *testing.T) {
	fx := newFixture(t, Options{})
	fx.seedStaff(t)
	fx.seedFamily(t)
	rs := &racingStore{Store: fx.st}
	svc2, err := New(rs, fx.svc.sealer, fx.svc.clock, fx.svc.newID, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A competing writer takes the same contact id first: the retry
	// re-decides against the new state and is refused as a duplicate.
	rs.race = func() {
		if _, err := fx.svc.ExecFamily(fx.ctx, fam, coach, contact("con-1")); err != nil {
			t.Error(err)
		}
	}
	_, err = svc2.ExecFamily(fx.ctx, fam, coach, contact("con-1"))
	var re *domain.RuleError
	if !errors.As(err, &re) || re.Rule != "contact.exists" {
		t.Fatalf("want contact.exists after the retry, got %v", err)
	}
	// A competing writer with another contact: the retry succeeds.
	rs.race = func() { must(t)(fx.svc.ExecFamily(fx.ctx, fam, coach, contact("con-2"))) }
	res, err := svc2.ExecFamily(fx.ctx, fam, coach, contact("con-3"))
	if err != nil || res.Attempts != 2 || res.Version != 8 {
		t.Fatalf("retry: %+v %v", res, err)
	}
	// With one attempt the conflict is returned.
	svc1, _ := New(rs, fx.svc.sealer, fx.svc.clock, fx.svc.newID, Options{MaxAttempts: 1})
	rs.race = func() { must(t)(fx.svc.ExecFamily(fx.ctx, fam, coach, contact("con-4"))) }
	if _, err := svc1.ExecFamily(fx.ctx, fam, coach, contact("con-5")); !errors.Is(err, store.ErrVersionConflict) {
		t.Fatalf("want a version conflict, got %v", err)
	}
}

func TestErasureShredsAndKeepsStatistics(t *testing.T) {
	fx := newFixture(t, Options{})
	fx.seedStaff(t)
	fx.seedFamily(t)
	must(t)(fx.svc.ExecFamily(fx.ctx, fam, coach, contact("con-1")))
	must(t)(fx.svc.RecordView(fx.ctx, coach, domain.ViewRecord{FamilyID: fam, UserID: "c1", Role: domain.RoleCoach, Part: domain.PartNote, ItemID: "con-1", Purpose: domain.PurposeGuidance, BreakGlass: true, Reason: domain.GlassUrgentSafety, Sealed: domain.NoteSealed{Note: "PERSONAL-why"}}))
	must(t)(fx.svc.ExecFamily(fx.ctx, fam, coach, domain.CloseCase{Date: d("2026-05-01"), Reason: domain.ClosurePositive, DecidedBy: "k1"}))
	// A coordinator may not approve an erasure.
	_, err := fx.svc.ExecFamily(fx.ctx, fam, coach, domain.EraseFamily{Date: d("2026-05-02"), Reason: domain.ErasureRequest, ApprovedBy: "k1"})
	if !errors.Is(err, domain.ErrRule) {
		t.Fatalf("erasure approved by a coordinator: %v", err)
	}
	must(t)(fx.svc.ExecFamily(fx.ctx, fam, coach, domain.EraseFamily{Date: d("2026-05-02"), Reason: domain.ErasureRequest, ApprovedBy: "p1"}))

	v, err := fx.svc.Family(fx.ctx, fam, true)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Erased || !v.Family.Erased {
		t.Fatal("family not marked erased")
	}
	for _, r := range v.Records {
		if domain.HasSealedPart(r.Envelope.Type) && r.Sealed == SealedOpen {
			t.Fatalf("%s still opens after erasure", r.Envelope.Type)
		}
	}
	c := v.Family.Contacts["con-1"]
	if c.Sealed.Note != "" || c.Kind != domain.ContactHomeVisitAnnounced || v.Family.Children != 2 || v.Family.ClosureReason != domain.ClosurePositive {
		t.Fatalf("after erasure: contact %+v", c)
	}
	// No new case events, except statistics.
	if _, err := fx.svc.ExecFamily(fx.ctx, fam, coach, domain.ReopenCase{Date: d("2026-05-03")}); !errors.Is(err, domain.ErrRule) {
		t.Fatalf("reopen after erasure: %v", err)
	}
	must(t)(fx.svc.ExecFamily(fx.ctx, fam, coach, domain.RecordCostAvoidance{RecordID: "cost-1", Date: d("2026-05-03"), PeriodFrom: d("2026-01-01"), PeriodUntil: d("2026-04-30"), Category: domain.CostPolice, ActualCents: 198300, ComparisonCents: 579200, Basis: "matched_family_study"}))
	if err := fx.svc.Erase(fx.ctx, fam); err != nil {
		t.Fatalf("Erase is idempotent: %v", err)
	}
	// Access events stay readable as public facts; the note is gone.
	acc, err := fx.svc.Access(fx.ctx, fam)
	if err != nil || len(acc) != 1 || acc[0].Event.(domain.RecordViewed).Reason != domain.GlassUrgentSafety || acc[0].Sealed != SealedWithheld {
		t.Fatalf("access %+v %v", acc, err)
	}
	// The hash chains still verify after shredding, and no plain personal
	// data is in the data directory.
	if _, err := store.Verify(fx.ctx, fx.st, store.VerifyOptions{}); err != nil {
		t.Fatalf("verify after erasure: %v", err)
	}
	if err := fx.st.Close(); err != nil {
		t.Fatal(err)
	}
	filepath.Walk(fx.dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("PERSONAL")) {
			t.Errorf("%s holds personal data in the clear", path)
		}
		return nil
	})
}

func TestAccessEventsNeverConflict(t *testing.T) {
	fx := newFixture(t, Options{})
	fx.seedStaff(t)
	fx.seedFamily(t)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := fx.svc.RecordView(fx.ctx, coach, domain.ViewRecord{FamilyID: fam, UserID: "c1", Role: domain.RoleCoach, Part: domain.PartTimeline, Purpose: domain.PurposeGuidance}); err != nil {
				t.Error(err)
			}
			if i%3 == 0 {
				if _, err := fx.svc.ExecFamily(fx.ctx, fam, coach, contact(fmt.Sprintf("con-%d", i))); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	must(t)(fx.svc.RecordRefusal(fx.ctx, coach, domain.RefuseAccess{FamilyID: fam, UserID: "b1", Role: domain.RoleBackOffice, Part: domain.PartNote, Purpose: domain.PurposeOther, Rule: "access.not_on_caseload"}))
	must(t)(fx.svc.RecordExport(fx.ctx, coach, domain.MakeExport{ExportID: "x1", FamilyID: fam, UserID: "p1", Role: domain.RolePrivacyOfficer, Kind: domain.ExportArt15, Purpose: domain.PurposeAccessRequest, Format: "pdf"}))
	acc, err := fx.svc.Access(fx.ctx, fam)
	if err != nil || len(acc) != 12 {
		t.Fatalf("%d access events, %v", len(acc), err)
	}
	if _, err := fx.svc.RecordView(fx.ctx, coach, domain.ViewRecord{FamilyID: fam, UserID: "c1", Role: domain.RoleCoach, Part: "diary", Purpose: domain.PurposeGuidance}); !errors.Is(err, domain.ErrRule) {
		t.Fatalf("bad view recorded: %v", err)
	}
}

func TestBadIdentifiers(t *testing.T) {
	fx := newFixture(t, Options{})
	var re *domain.RuleError
	_, err := fx.svc.ExecFamily(fx.ctx, "a/b", coach, domain.EnterWaitingList{Date: d("2026-01-01")})
	if !errors.Is(err, domain.ErrRule) || !errors.As(err, &re) || re.Field != "family_id" {
		t.Fatalf("bad family id: %v", err)
	}
	_, err = fx.svc.ExecStaff(fx.ctx, "", coach, domain.DeactivateStaff{Date: d("2026-01-01"), By: "a"})
	if !errors.Is(err, domain.ErrRule) || !errors.As(err, &re) || re.Field != "staff_id" {
		t.Fatalf("bad staff id: %v", err)
	}
	if head, err := fx.st.Head(fx.ctx); err != nil || head != 0 {
		t.Fatalf("head %d (%v) after refused commands, want nothing written", head, err)
	}
	if _, err := New(nil, nil, nil, nil, Options{}); err == nil {
		t.Fatal("New accepted nil dependencies")
	}
}
