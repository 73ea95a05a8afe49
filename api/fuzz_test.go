package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"spoor/domain"
)

// FuzzDecodeCommand feeds arbitrary bodies to the command decoder: it must
// never panic, and every refusal is a 4xx *Error (or a body-size error).
func FuzzDecodeCommand(f *testing.F) {
	for _, seed := range []string{
		`{"spend_id":"s1","date":"2026-03-01","amount_cents":100,"instrument":"maatbudget","category":"paint"}`,
		`{"date":"2026-13-45"}`, `{"amount_cents":1e400}`, `{"scope":{"action":"share","data_categories":["health"]}}`,
		`{"items":[{"item":"x","status":"scored","level":3}]}`, `[]`, `null`, `{"":1}`, `{"decided_by":"u"}`,
	} {
		f.Add(seed)
	}
	shapes := []struct {
		sh  commandShape
		new func() any
	}{}
	for _, v := range []any{domain.ProposeSpend{}, domain.GiveConsent{}, domain.RegisterAssessment{}, domain.DecideSpend{}, domain.Refer{}} {
		tp := reflect.TypeOf(v)
		sh, err := shapeOf(tp)
		if err != nil {
			f.Fatal(err)
		}
		shapes = append(shapes, struct {
			sh  commandShape
			new func() any
		}{sh, func() any { return reflect.New(tp).Interface() }})
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, s := range shapes {
			r := httptest.NewRequest("POST", "/", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			err := decodeCommand(r, s.sh, s.new(), "u-caller", "")
			if err == nil {
				continue
			}
			var e *Error
			var mbe *http.MaxBytesError
			if !errors.As(err, &e) && !errors.As(err, &mbe) {
				t.Fatalf("body %q: error %T %v is not an *Error", body, err, err)
			}
			if e != nil && (e.Status < 400 || e.Status >= 500) {
				t.Fatalf("body %q: status %d", body, e.Status)
			}
		}
	})
}
