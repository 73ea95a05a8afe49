package web

import (
	"net/http"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"spoor/api"
	"spoor/auth"
	"spoor/domain"
	"spoor/projections/privacy"
)

// The privacy officer's further pages: failed logins (the security log),
// the unusual-volume and information-request reviews, and finding a
// family by name for an access request (GDPR art. 15).

func (u *UI) registerPrivacyMore() {
	if u.cfg.LoginFailures != nil {
		u.team(http.MethodGet, "/privacy/aanmeldingen", auth.PartSecurityLog, u.failuresPage)
	}
	u.team(http.MethodGet, "/privacy/controles", auth.PartDisclosureRegister, u.reviewsPage)
	u.team(http.MethodGet, "/privacy/zoeken", auth.PartAccessLog, u.findFamilyPage)
}

type failureRow struct {
	auth.FailedLogin
	User string
}

// failuresPage lists failed logins, newest first. They hold staff ids and
// pseudonyms, no family data: no access events (as the API's route).
func (u *UI) failuresPage(w http.ResponseWriter, r *http.Request, _ api.TeamRequest) error {
	p := u.newPage(r, "failures.title")
	since := u.cfg.Now().AddDate(0, 0, -30)
	names := map[string]string{}
	var rows []failureRow
	for _, f := range u.cfg.LoginFailures.LoginFailures(since, 500) {
		row := failureRow{FailedLogin: f}
		if f.UserID != "" {
			if _, ok := names[f.UserID]; !ok {
				names[f.UserID] = u.staffName(r.Context(), f.UserID)
			}
			row.User = names[f.UserID]
		}
		rows = append(rows, row)
	}
	p.Data = map[string]any{"Rows": rows, "Days": 30}
	u.render(w, http.StatusOK, "failures", p)
	return nil
}

type volumeRow struct {
	privacy.VolumeDay
	User string
}

// reviewsPage shows the reviews beyond the register: days with an unusual
// number of families per user (30 days) and the information requests
// received with their outcome. Family ids only: no access events.
func (u *UI) reviewsPage(w http.ResponseWriter, r *http.Request, _ api.TeamRequest) error {
	p := u.newPage(r, "reviews.title")
	today := u.today()
	vol, err := u.cfg.Privacy.UnusualVolume(today.AddDays(-30), today, time.Time{})
	if err != nil {
		return err
	}
	var vrows []volumeRow
	for _, v := range vol {
		vrows = append(vrows, volumeRow{VolumeDay: v, User: u.staffName(r.Context(), string(v.UserID))})
	}
	reqs, err := u.cfg.Privacy.InfoRequests(privacy.RegisterQuery{}, time.Time{})
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Volume": vrows, "Requests": reqs}
	u.render(w, http.StatusOK, "reviews", p)
	return nil
}

type foundFamily struct {
	ID, Name, Status string
	ByMember         bool
}

// findFamilyPage finds families by name for an access request. Names are
// sealed, so every referred family's file is opened (one stream read and
// decryption per family: for a team of a few hundred families some tens
// of milliseconds to a second, proportional to the ledger's size) and its
// referral name and members' names matched case-insensitively. Only
// families whose name the page shows get an access event (part summary,
// purpose access_request), written before the page is sent; the names of
// the families not shown are opened in memory only.
func (u *UI) findFamilyPage(w http.ResponseWriter, r *http.Request, tr api.TeamRequest) error {
	p := u.newPage(r, "find.title")
	q := strings.TrimSpace(r.URL.Query().Get("naam"))
	data := map[string]any{"Query": q}
	p.Data = data
	if q == "" {
		u.render(w, http.StatusOK, "findfamily", p)
		return nil
	}
	if utf8.RuneCountInString(q) < 2 || len(q) > 200 {
		data["Error"] = u.txt.tr(p.Lang, "find.too_short")
		u.render(w, http.StatusUnprocessableEntity, "findfamily", p)
		return nil
	}
	needle := strings.ToLower(q)
	var found []foundFamily
	for _, fb := range u.cfg.Budget.Families(time.Time{}) {
		v, err := u.load(r.Context(), string(fb.FamilyID))
		if err != nil || v.Erased {
			continue
		}
		name := familyName(v)
		hit := strings.Contains(strings.ToLower(name), needle)
		byMember := false
		if !hit {
			for _, m := range v.Family.Members {
				if strings.Contains(strings.ToLower(m.Sealed.Name), needle) {
					hit, byMember = true, true
					break
				}
			}
		}
		if hit {
			found = append(found, foundFamily{ID: string(fb.FamilyID), Name: name, Status: string(v.Family.Status), ByMember: byMember})
		}
	}
	sort.Slice(found, func(i, j int) bool {
		return found[i].Name < found[j].Name || found[i].Name == found[j].Name && found[i].ID < found[j].ID
	})
	ids := make([]string, len(found))
	for i, f := range found {
		ids[i] = f.ID
	}
	tr.Purpose = string(domain.PurposeAccessRequest)
	if err := u.s.RecordAccess(r, tr, auth.PartSummary, ids); err != nil {
		return err
	}
	data["Found"] = found
	u.render(w, http.StatusOK, "findfamily", p)
	return nil
}
