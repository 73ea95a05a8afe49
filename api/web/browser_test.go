package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"spoor/domain"
)

// chromiumPath is Debian's chromium, which CI installs.
const chromiumPath = "/usr/bin/chromium"

// screenshotDir is where the browser tests put their screenshots:
// SPOOR_SCREENSHOTS, or screenshots/ at the repository root.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("SPOOR_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tab is one browser tab in a browser context of its own (its own cookies),
// for one user.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot string
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

func (b *tab) open(path string) { b.t.Helper(); b.do(chromedp.Navigate(b.base + path)) }

func (b *tab) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *tab) eval(js string) any {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func (b *tab) location() string {
	b.t.Helper()
	l, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(l, b.base)
}

// submit clicks the submit button of form sel and waits for the next page.
func (b *tab) submit(formSel string) {
	b.t.Helper()
	before := b.location()
	b.do(chromedp.Click(chromedp.CSS(formSel + ` button[type="submit"]`)))
	b.waitNavigated(before)
}

// waitNavigated waits until the tab has loaded a page other than before;
// a form that answers on its own URL (errors render in place) ends the wait
// when the page is ready.
func (b *tab) waitNavigated(before string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		// While the page navigates, evaluations may fail: try again.
		ready, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.readyState`))
		if err == nil && ready == "complete" {
			if l, err := chromedp.Run(b.ctx, chromedp.Location()); err == nil && strings.TrimPrefix(l, b.base) != before {
				return
			}
		}
		time.Sleep(30 * time.Millisecond)
	}
	b.do(chromedp.WaitReady(chromedp.CSS("main")))
}

func (b *tab) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shot, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// checkPage asserts what every page must have: a main landmark, one h1,
// a label for every visible form control, and no horizontal scrolling at
// the current width.
func (b *tab) checkPage(width int) {
	b.t.Helper()
	if n := b.eval(`document.querySelectorAll('main h1').length`); n != float64(1) {
		b.t.Errorf("%s: %v h1 elements in main", b.location(), n)
	}
	unlabelled := b.eval(`[...document.querySelectorAll('input:not([type=hidden]),select,textarea')].filter(e => !e.labels || e.labels.length === 0).map(e => e.name).join(',')`)
	if unlabelled != "" {
		b.t.Errorf("%s: controls without a label: %v", b.location(), unlabelled)
	}
	if w := b.eval(`document.documentElement.scrollWidth`); w.(float64) > float64(width) {
		wide := b.eval(`[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > ` + fmt.Sprint(width) + `).slice(0, 3).map(e => e.tagName + '.' + e.className).join(' ')`)
		b.t.Errorf("%s: page is %v px wide at a %d px viewport (wide: %v)", b.location(), w, width, wide)
	}
}

func (b *tab) login(user string) {
	b.t.Helper()
	b.open("/login")
	b.do(chromedp.SetValue(chromedp.CSS("#login"), user), chromedp.SetValue(chromedp.CSS("#password"), demoPassword))
	b.submit("form")
	if strings.HasPrefix(b.location(), "/login") {
		b.t.Fatalf("login %s failed: %s", user, b.text("main"))
	}
}

// TestBrowser drives Debian's chromium through the main tasks of each role
// on the demo team's data, and writes screenshots of the main pages.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("chromium not installed at %s", chromiumPath)
	}
	e := startEnv(t)
	shots := screenshotDir(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	root, cancelRoot := chromedp.NewContext(alloc)
	defer cancelRoot()
	if err := chromedp.Do(root, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	newTab := func(width, height int64) (*tab, func()) {
		ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		b := &tab{t: t, ctx: ctx, base: e.URL, shot: shots}
		// The first action allocates the tab: no timeout on it (a timeout
		// there would end the tab with it).
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
			t.Fatal(err)
		}
		return b, cancel
	}

	coach1 := e.user(t, "coach1")
	own, _ := familyOf(t, e, coach1)
	coach3 := e.user(t, "coach3")
	_, outside := familyOf(t, e, coach3)
	staff3, err := e.Dir.UserByID(context.Background(), coach3)
	if err != nil {
		t.Fatal(err)
	}
	coachName := staff3.Name
	today := time.Now().In(e.Loc).Format("2006-01-02")

	t.Run("coach on a phone logs a contact from the caseload in two screens", func(t *testing.T) {
		b, done := newTab(360, 740)
		defer done()
		b.t = t
		b.login("coach1")
		if b.location() != "/caseload" {
			t.Fatalf("coach lands on %s, want /caseload", b.location())
		}
		b.checkPage(360)
		b.screenshot("01-coach-caseload-360")
		// screen 1 -> screen 2: the first family's "Contact loggen"
		b.do(chromedp.Click(chromedp.CSS(`.card a.button`)))
		b.do(chromedp.WaitVisible(chromedp.CSS(`#form-contact`)))
		if !strings.HasSuffix(b.location(), "/contact") {
			t.Fatalf("second screen is %s", b.location())
		}
		b.checkPage(360)
		if got := b.eval(`document.querySelector('#contact-date').value`); got != today {
			t.Errorf("date defaults to %v, want today %s", got, today)
		}
		note := fmt.Sprintf("Huisbezoek aan de telefoon afgesproken %d", time.Now().UnixNano())
		b.do(chromedp.SetValue(chromedp.CSS("#contact-kind"), "phone"),
			chromedp.SetValue(chromedp.CSS("#contact-duration_minutes"), "10"),
			chromedp.Click(chromedp.CSS("#contact-life_domains-4")),
			chromedp.SetValue(chromedp.CSS("#contact-note"), note))
		b.screenshot("02-coach-contact-form-360")
		b.submit("#form-contact")
		// the result: the family's timeline with the contact
		if !strings.Contains(b.location(), "/gezin/") || strings.HasSuffix(b.location(), "/contact") {
			t.Fatalf("after logging: %s", b.location())
		}
		if main := b.text("main"); !strings.Contains(main, note) || !strings.Contains(main, "Contact opgeslagen") {
			t.Fatalf("timeline lacks the new contact")
		}
		b.checkPage(360)
		b.screenshot("03-coach-timeline-360")
		// every part of the file reflows at 360 px (tables scroll in their box)
		for _, part := range []string{"/hulpvragen", "/toestemming", "/budget", "/delen", "/parket", "/leefsituatie", "/traject",
			"/gezinsleden", "/politie", "/voorstellen", "/coachwissel", "/netwerk"} {
			b.open("/gezin/" + own + part)
			b.checkPage(360)
			if part == "/traject" {
				b.screenshot("03b-coach-traject-360")
			}
		}
		b.screenshot("03c-coach-network-360")
	})

	t.Run("keyboard only: skip link, caseload to contact form, save", func(t *testing.T) {
		b, done := newTab(1280, 900)
		defer done()
		b.t = t
		b.login("coach1")
		active := func() string {
			return b.eval(`(document.activeElement.className || '') + '|' + (document.activeElement.textContent || '').trim()`).(string)
		}
		b.do(chromedp.KeyEvent("\t"))
		if a := active(); !strings.HasPrefix(a, "skip|") {
			t.Fatalf("first Tab lands on %q, want the skip link", a)
		}
		// Tab on to the first "Contact loggen" link and follow it with Enter
		found := false
		for i := 0; i < 15 && !found; i++ {
			b.do(chromedp.KeyEvent("\t"))
			found = strings.HasSuffix(active(), "|Contact loggen")
		}
		if !found {
			t.Fatal("no 'Contact loggen' link within 15 Tabs")
		}
		b.do(chromedp.KeyEvent("\r"))
		b.do(chromedp.WaitVisible(chromedp.CSS("#form-contact")))
		note := fmt.Sprintf("Met het toetsenbord gelogd %d", time.Now().UnixNano())
		b.do(chromedp.Focus(chromedp.CSS("#contact-note")), chromedp.SendKeys(chromedp.CSS("#contact-note"), note),
			chromedp.KeyEvent("\t"))
		if a := active(); !strings.HasSuffix(a, "|Contact opslaan") {
			t.Fatalf("Tab after the note lands on %q, want the save button", a)
		}
		before := b.location()
		b.do(chromedp.KeyEvent("\r"))
		b.waitNavigated(before)
		b.do(chromedp.WaitVisible(chromedp.CSS("#tijdlijn")))
		if !strings.Contains(b.text("main"), note) {
			t.Fatal("contact saved with the keyboard is not on the timeline")
		}
	})

	t.Run("coach records a spend and sees what is left change", func(t *testing.T) {
		b, done := newTab(1280, 900)
		defer done()
		b.t = t
		b.login("coach1")
		b.open("/gezin/" + own + "/budget")
		b.checkPage(1280)
		before, err := e.Models.Budget.Family(domain.FamilyID(own), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if got := b.text("#budget-left"); got != eurText(before.LeftCents) {
			t.Fatalf("left shown %q, model %s", got, eurText(before.LeftCents))
		}
		b.do(chromedp.SetValue(chromedp.CSS("#spend-amount"), "7,50"),
			chromedp.SetValue(chromedp.CSS("#spend-category"), "toothbrushes"),
			chromedp.SetValue(chromedp.CSS("#spend-supplier"), "Apotheek Demostad"),
			chromedp.Click(chromedp.CSS("#spend-path-1")))
		b.submit("#form-spend")
		if got, want := b.text("#budget-left"), eurText(before.LeftCents-750); got != want {
			t.Fatalf("left after the spend: %q, want %q", got, want)
		}
		b.screenshot("04-coach-budget")
	})

	recipient := fmt.Sprintf("CLB Demostad %d", time.Now().UnixNano()%100000)
	t.Run("coach records a disclosure and the privacy officer sees it in the register", func(t *testing.T) {
		b, done := newTab(1280, 900)
		defer done()
		b.t = t
		b.login("coach1")
		b.open("/gezin/" + own + "/delen")
		b.do(chromedp.SetValue(chromedp.CSS("#disclosure-recipient_org"), recipient),
			chromedp.SetValue(chromedp.CSS("#disclosure-recipient_role"), "CLB-medewerker"),
			chromedp.SetValue(chromedp.CSS("#disclosure-recipient_category"), "clb"),
			chromedp.Click(chromedp.CSS("#disclosure-data_categories-8")),
			chromedp.SetValue(chromedp.CSS("#disclosure-purpose"), "school"),
			chromedp.SetValue(chromedp.CSS("#disclosure-legal_basis"), "shared_professional_secrecy"),
			chromedp.SetValue(chromedp.CSS("#disclosure-summary"), "Afspraken over het huiswerk"))
		b.submit("#form-disclosure")
		if main := b.text("main"); !strings.Contains(main, recipient) {
			t.Fatalf("disclosure not listed on the family page: %.500s", main)
		}
		b.screenshot("05-coach-disclosures")

		p, done2 := newTab(1280, 900)
		defer done2()
		p.t = t
		p.login("privacy")
		p.open("/privacy/register")
		if main := p.text("main"); !strings.Contains(main, recipient) {
			t.Fatalf("register lacks the disclosure to %s", recipient)
		}
		p.checkPage(1280)
		p.screenshot("06-privacy-register")
	})

	t.Run("coordinator opens the council report and downloads the XLSX", func(t *testing.T) {
		b, done := newTab(1280, 900)
		defer done()
		b.t = t
		b.login("coordinator")
		b.checkPage(1280)
		b.screenshot("07-coordinator-team")
		b.open("/budget")
		b.checkPage(1280)
		if n := b.eval(`document.querySelectorAll('svg.chart[role=img] title').length`); n.(float64) < 4 {
			t.Errorf("budget page has %v titled charts", n)
		}
		b.screenshot("08-coordinator-budget")
		from := time.Now().In(e.Loc).AddDate(-1, 0, 0).Format("2006-01-02")
		b.open("/raad?van=" + from + "&tot=" + today)
		b.checkPage(1280)
		shown := b.text("#total-net")
		b.screenshot("09-council-report")
		// the print stylesheet: no navigation, no buttons, the lines kept
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		if d := b.eval(`[document.querySelector('header.top'), document.querySelector('#download-xlsx')].map(e => e.offsetParent === null).join(' ')`); d != "true true" {
			t.Errorf("printed council report shows navigation or buttons (hidden: %v)", d)
		}
		b.screenshot("09b-council-report-print")
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
			t.Fatal(err)
		}
		b.open("/uitkomsten")
		b.checkPage(1280)
		b.screenshot("10-outcomes")
		b.open("/raad?van=" + from + "&tot=" + today)

		dl := t.TempDir()
		c := chromedp.FromContext(b.ctx)
		if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: c.BrowserContextID, DownloadPath: dl,
		}); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.Click(chromedp.CSS("#download-xlsx")))
		var file string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && file == ""; time.Sleep(50 * time.Millisecond) {
			names, _ := filepath.Glob(filepath.Join(dl, "*.xlsx"))
			if len(names) == 1 {
				file = names[0]
			}
		}
		if file == "" {
			t.Fatal("no XLSX downloaded")
		}
		x, err := excelize.OpenFile(file)
		if err != nil {
			t.Fatalf("downloaded XLSX does not open: %v", err)
		}
		defer x.Close()
		rows, err := x.GetRows("Samenvatting")
		if err != nil {
			t.Fatal(err)
		}
		var net string
		for _, r := range rows {
			if len(r) > 2 && r[0] == "total" {
				net = r[2]
			}
		}
		fd, _ := domain.ParseDate(from)
		td, _ := domain.ParseDate(today)
		rep, err := e.Models.Budget.CouncilReport(fd, td, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if shown != eurText(rep.Total.NetCents) {
			t.Errorf("page total %q, model %s", shown, eurText(rep.Total.NetCents))
		}
		if net != fmt.Sprint(float64(rep.Total.NetCents)/100) && net != fmt.Sprintf("%.2f", float64(rep.Total.NetCents)/100) {
			t.Errorf("XLSX total %q, model %d cents", net, rep.Total.NetCents)
		}
		lines, _ := x.GetRows("Lijnen")
		if len(lines)-1 != len(rep.Total.Lines) {
			t.Errorf("XLSX has %d lines, model %d", len(lines)-1, len(rep.Total.Lines))
		}
	})

	t.Run("coach is refused a family outside the caseload and the privacy officer sees it", func(t *testing.T) {
		b, done := newTab(1280, 900)
		defer done()
		b.t = t
		b.login("coach3")
		b.open("/gezin/" + outside)
		if main := b.text("main"); !strings.Contains(main, "niet op je caseload") {
			t.Fatalf("no Dutch refusal: %.300s", main)
		}
		b.screenshot("11-coach-refused")

		p, done2 := newTab(1280, 900)
		defer done2()
		p.t = t
		p.login("privacy")
		p.checkPage(1280)
		p.screenshot("12-privacy-flags")
		// the access log is a read model following the log: look again
		// for a moment if the refusal is not in yet
		var rows string
		for i := 0; i < 20 && !strings.Contains(rows, coachName); i++ {
			p.open("/privacy/gezin/" + outside)
			rows = p.eval(`[...document.querySelectorAll('tr.outcome-refused')].map(r => r.innerText).join('\n')`).(string)
		}
		if !strings.Contains(rows, coachName) || !strings.Contains(rows, "geweigerd") || !strings.Contains(rows, "tijdlijn") {
			t.Fatalf("who-saw page lacks the refused attempt: %q", rows)
		}
		p.screenshot("13-privacy-who-saw")
		p.open("/privacy/gezin/" + own + "/art15")
		p.checkPage(1280)
		p.screenshot("14-privacy-art15")
		// a failed login (the security log follows the log: look again
		// for a moment)
		x := newBrowser(t, e)
		x.get("/login")
		x.post("/login", url.Values{"login": {"coach1"}, "password": {"niet-het-wachtwoord"}})
		for i := 0; i < 20; i++ {
			p.open("/privacy/aanmeldingen")
			if strings.Contains(p.text("main"), "verkeerd wachtwoord") {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(p.text("main"), "verkeerd wachtwoord") {
			t.Fatalf("the failed login is not listed: %s", p.text("main"))
		}
		p.checkPage(1280)
		p.screenshot("15-privacy-failed-logins")
		p.open("/privacy/zoeken")
		p.checkPage(1280)
	})

	t.Run("admin registers a coach who then logs in", func(t *testing.T) {
		a, done := newTab(1280, 900)
		defer done()
		a.t = t
		a.login("admin")
		if a.location() != "/beheer/medewerkers" {
			t.Fatalf("admin lands on %s, want /beheer/medewerkers", a.location())
		}
		a.checkPage(1280)
		a.screenshot("16-admin-staff")
		login := "coach.browser" + time.Now().Format("150405")
		pw := "browser-wachtwoord-2026"
		a.do(chromedp.SetValue(chromedp.CSS("#staff-login"), login), chromedp.SetValue(chromedp.CSS("#staff-display_name"), "Browser Coach"),
			chromedp.Click(chromedp.CSS(`#form-staff input[name="roles"][value="coach"]`)), chromedp.SetValue(chromedp.CSS("#staff-password"), pw))
		a.submit("#form-staff")
		if !strings.HasPrefix(a.location(), "/beheer/medewerkers/") || !strings.Contains(a.text("main"), "Medewerker geregistreerd") {
			t.Fatalf("after registering: %s %s", a.location(), a.text("main"))
		}
		a.checkPage(1280)
		a.screenshot("17-admin-staff-member")

		c, done2 := newTab(360, 740)
		defer done2()
		c.t = t
		c.open("/login")
		c.do(chromedp.SetValue(chromedp.CSS("#login"), login), chromedp.SetValue(chromedp.CSS("#password"), pw))
		c.submit("form")
		if c.location() != "/caseload" {
			t.Fatalf("the new coach lands on %s: %s", c.location(), c.text("main"))
		}
		c.checkPage(360)
	})

	t.Run("back office sees the team's spends", func(t *testing.T) {
		b, done := newTab(1280, 900)
		defer done()
		b.t = t
		b.login("backoffice")
		if b.location() != "/backoffice" {
			t.Fatalf("back office lands on %s", b.location())
		}
		b.checkPage(1280)
		b.screenshot("18-backoffice")
	})
}
