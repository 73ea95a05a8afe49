package web

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"spoor/domain"
	"spoor/projections/outcomes"
)

func muxVars(r *http.Request) map[string]string { return mux.Vars(r) }

// funcs are the template functions that do not depend on the language;
// instants are shown in loc, the team's time zone.
func funcs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"eur":  eur,
		"esc":  url.PathEscape,
		"date": func(d domain.Date) string { return dateStr(d) },
		"ts":   func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") },
		"num": func(f float64) string {
			return strings.TrimSuffix(strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), "0"), ".")
		},
		"anchor": lineAnchor,
		"join":   strings.Join,
		"checked": func(m map[string]bool, k string) bool {
			return m[k]
		},
		"errid":   func(f *form, fd *field) string { return f.ID + "-" + fd.Name + "-fout" },
		"fid":     func(f *form, fd *field) string { return f.ID + "-" + fd.Name },
		"oid":     func(f *form, fd *field, i int) string { return fmt.Sprintf("%s-%s-%d", f.ID, fd.Name, i) },
		"add":     func(a, b int) int { return a + b },
		"short":   shortID,
		"neg":     func(a int) int { return -a },
		"mul":     func(a, b float64) float64 { return a * b },
		"compact": func(f *form) *form { c := *f; c.Compact = true; return &c },
		"pf":      func(p *page, f *form) map[string]any { return map[string]any{"Page": p, "Form": f} },
		"rows":    func(p *page, rows any) map[string]any { return map[string]any{"Page": p, "Rows": rows} },
		"mk2":     func(a, b outcomes.MomentTable) []outcomes.MomentTable { return []outcomes.MomentTable{a, b} },
		"countAt": func(rows []outcomes.CountRow, i int) *outcomes.CountRow {
			if i < 0 || i >= len(rows) {
				return nil
			}
			return &rows[i]
		},
		"deref": func(p *int) string {
			if p == nil {
				return "—"
			}
			return strconv.Itoa(*p)
		},
		"dec": func(d fmt.Stringer) string {
			if d == nil || fmt.Sprint(d) == "<nil>" {
				return "—"
			}
			return d.String()
		},
	}
}

// eur formats cents as "€ 1.234,56" (Belgian notation).
func eur(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	s := fmt.Sprintf("€ %s,%02d", b.String(), cents%100)
	if neg {
		s = "− " + s
	}
	return s
}

// levelLabel is the Dutch or English label of a leefsituatie level
// (DOMAIN.md's table); the instrument's English label otherwise.
func levelLabel(lang, item string, i int, en string) string {
	if lang == "en" {
		return en
	}
	nl := map[string][5]string{
		"safety":           {"geregeld geweld, politie-interventie", "geregeld geweld, geen politie", "zelden geweld, geen politie", "enkel verbaal geweld", "geen geweld"},
		"housing":          {"dakloos", "geen degelijke woning, herstellingen nodig", "degelijke woning, herstellingen bezig", "degelijke woning, meeste herstellingen gedaan", "degelijke woning"},
		"parents_health":   {"slechte gezondheid, zeer veel beperkingen", "slechte gezondheid, veel beperkingen", "slechte gezondheid, enkele beperkingen", "vrij goede gezondheid, weinig beperkingen", "goede gezondheid"},
		"work":             {"vier problemen", "drie problemen", "twee problemen", "één probleem", "werkt"},
		"income":           {"geen inkomen", "te laag om voor het gezin te zorgen", "net genoeg, geen buffer", "genoeg, met buffer", "genoeg, met spaargeld"},
		"debts":            {"schulden, niet afbetaald, geen inzicht", "schulden niet geregeld afbetaald, weinig inzicht", "meeste schulden afbetaald, inzicht", "alle schulden afbetaald, inzicht", "geen schulden, inzicht"},
		"social_capital":   {"geen netwerk, geen vangnet", "klein netwerk, geen vangnet", "netwerk, geen vangnet", "netwerk, klein vangnet", "netwerk en vangnet"},
		"cultural_capital": {"geen Nederlands, 3 of meer problemen", "beperkt Nederlands, 3 of meer problemen", "voldoende Nederlands, 3 of meer problemen", "voldoende Nederlands, 1 of 2 problemen", "voldoende Nederlands, geen problemen"},
		"children":         {"vier problemen", "drie problemen", "twee problemen", "één probleem", "geen problemen"},
	}
	if l, ok := nl[item]; ok && i >= 0 && i < 5 {
		return l[i]
	}
	return en
}

// bar is one bar of a chart.
type bar struct {
	Label string
	Cents int64
}

// barChart draws a horizontal bar chart as inline SVG: one bar per label
// with its amount written next to it, a title and a description for
// screen readers (the same figures are in a table below every chart).
func barChart(id, title, desc string, bars []bar) template.HTML {
	const (
		width  = 640
		labelW = 210
		valueW = 110
		rowH   = 26
	)
	var maxC int64 = 1
	for _, b := range bars {
		if b.Cents > maxC {
			maxC = b.Cents
		}
	}
	h := rowH*len(bars) + 10
	if len(bars) == 0 {
		h = rowH
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, width, h, id, id)
	fmt.Fprintf(&sb, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, html.EscapeString(title), id, html.EscapeString(desc))
	barW := float64(width - labelW - valueW)
	for i, b := range bars {
		y := 5 + i*rowH
		w := 0.0
		if b.Cents > 0 {
			w = barW * float64(b.Cents) / float64(maxC)
		}
		lbl := b.Label
		if len([]rune(lbl)) > 28 {
			lbl = string([]rune(lbl)[:27]) + "…"
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" class="chart-label" text-anchor="end">%s</text>`, labelW-8, y+17, html.EscapeString(lbl))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%.1f" height="%d" class="chart-bar"/>`, labelW, y+4, w, rowH-8)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d" class="chart-value">%s</text>`, float64(labelW)+w+6, y+17, html.EscapeString(eur(b.Cents)))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String()) // built from escaped parts only
}

// shortID shows a long opaque id (a UUID) by its first 8 characters; short
// ids as they are.
func shortID(id string) string {
	if len(id) > 13 {
		return id[:8] + "…"
	}
	return id
}
