// Package ops is Spoor's operational wiring: Prometheus metrics registered on
// a registry the caller passes in (no global registry, no promauto), the
// /healthz and /readyz handlers, and structured logging with log/slog that
// carries a request id and never personal data.
//
// # Metrics
//
// Every metric is a field of Metrics, built once by NewMetrics from a
// prometheus.Registerer. Label values are closed sets chosen by the code
// (route templates, status codes, event types, read-model names, access
// outcomes, reasons): never identifiers of families or staff, never names,
// never request paths with identifiers in them, so the series count stays
// bounded and no personal data reaches a metrics system.
//
// # Logging
//
// NewLogger returns a slog.Logger whose handler adds the request id found in
// the context (see WithRequestID) to every record logged with a context.
// Callers log identifiers (request ids, route templates, opaque family and
// user ids where needed), never names, addresses or note text.
//
// The Dockerfile lives at the repository root; ops/kurrentdb holds the
// deployment files of a KurrentDB cluster.
package ops
