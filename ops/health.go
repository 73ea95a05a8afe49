package ops

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// ReadyFunc reports whether the server can serve: the store is reachable
// and the read models have caught up. It returns nil when ready, or an error
// whose text says what is not ready (it is shown to the caller of /readyz,
// so it must hold no personal data).
type ReadyFunc func(ctx context.Context) error

// HealthzHandler answers 200 {"status":"ok"} as long as the process serves
// HTTP at all (liveness).
func HealthzHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// ReadyzHandler answers 200 {"status":"ready"} when ready returns nil within
// timeout, and 503 {"status":"not ready","reason":...} otherwise
// (readiness). A nil ready is always ready.
func ReadyzHandler(ready ReadyFunc, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			defer cancel()
			if err := ready(ctx); err != nil {
				writeStatus(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready", "reason": err.Error()})
				return
			}
		}
		writeStatus(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

func writeStatus(w http.ResponseWriter, code int, body map[string]string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
