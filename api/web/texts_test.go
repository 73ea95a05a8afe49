package web

import (
	"strings"
	"testing"
)

// TestTextsComplete: every message has a Dutch and an English text, and
// every key a template asks for exists.
func TestTextsComplete(t *testing.T) {
	txt := newTexts()
	addVocabulary(txt)
	addMoreTexts(txt)
	for k, v := range txt {
		if strings.TrimSpace(v[0]) == "" || strings.TrimSpace(v[1]) == "" {
			t.Errorf("message %q lacks a Dutch or English text: %q", k, v)
		}
	}
	names, err := assets.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := assets.ReadFile("templates/" + n.Name())
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		for {
			i := strings.Index(src, `.T "`)
			if i < 0 {
				break
			}
			src = src[i+4:]
			key := src[:strings.IndexByte(src, '"')]
			if _, ok := txt[key]; !ok {
				t.Errorf("%s asks for the unknown message %q", n.Name(), key)
			}
		}
	}
}

func TestParseEuro(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"45,90", 4590, true}, {"45.90", 4590, true}, {"1.200,50", 120050, true}, {"1,200.50", 120050, true},
		{"€ 12", 1200, true}, {"12,5", 1250, true}, {"0,07", 7, true}, {"1.200", 120000, true},
		{"", 0, false}, {"abc", 0, false}, {"-5", 0, false}, {"12,345", 1234500, true},
	} {
		got, ok := parseEuro(c.in)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("parseEuro(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestEur(t *testing.T) {
	for in, want := range map[int64]string{0: "€ 0,00", 7: "€ 0,07", 123456: "€ 1.234,56", -5000: "− € 50,00", 100000000: "€ 1.000.000,00"} {
		if got := eur(in); got != want {
			t.Errorf("eur(%d) = %q, want %q", in, got, want)
		}
	}
}
