// Package api is Spoor's HTTP interface: a gorilla/mux router serving the
// JSON API under /api/v1, the health and metrics endpoints, and the
// building blocks every route uses (authentication, CSRF, the one mapping of
// errors to HTTP status codes, strict JSON decoding with bounded bodies,
// request ids, metrics by route template, panic recovery, and audit on read).
//
// # Adding a route
//
// A route is a HandlerFunc, which returns an error instead of writing one:
// the error is mapped to a status code and a JSON body in one place
// (WriteError). Register it with Server.Handle, saying who may call it:
//
//	s.Handle("GET", "/api/v1/caseload", api.Roles(auth.RoleCoach, auth.RoleCoordinator), h)
//
// Routes that return or change one family's file are registered with
// Server.HandleFamily, which does the whole access dance before the handler
// runs: it reads the family id from the {family} path variable, asks
// Families for the family's facts, asks the Policy for a Decision with the
// purpose and break-the-glass reason of the request, writes the access event
// through the AccessRecorder (for reads: allowed or refused; for refused
// writes: refused), answers 403 when refused and 503 when the access event
// cannot be written, and only then calls the handler. Lists of families call
// Server.RecordAccess for every family they return before writing the
// response. Every route added must also be described in openapi.yaml; a test
// walks the router and fails on any route missing from the document or any
// documented route that does not exist.
//
// # The routes
//
//   - server.go, session.go, staff.go, backup.go: health, metrics, the
//     OpenAPI document, login, logout, me, password change, tokens, staff
//     administration, online backups.
//   - commands.go: one POST route per domain command. The body holds the
//     command's fields in snake_case (shapeOf); the family comes from the
//     route and the "who decided" fields (By, DecidedBy, ...) are the caller.
//     A new domain command needs one line in familyCommands and its
//     generated entry in openapi.yaml (TestCommandDocsMatch says which).
//   - routes.go, queries.go: the read models' queries (timeline, caseload,
//     budget, parket, privacy, outcomes, waiting list); the timeline's text
//     search is a note access, for those who may read the notes.
//   - queries_more.go: the privacy officer's reviews (flags, unusual
//     volume, disclosures the family was not told of, consent violations,
//     information requests), the coordinator's budget views (totals,
//     envelopes, cost avoidance, every family's budget), assessments
//     (current picture, history, overdue), the parket overview (open
//     requests, counts) and the family export (recorded as ExportMade).
//   - queries_team.go: covers, contact recency, reviews due, the status
//     summary, the capacity check, the team settings, the deprivation
//     comparison, parket states and disclosures to the parket. Lists shown
//     to a coach hold only their own families.
//   - accounts.go: bearer tokens kept in the log (LedgerAccounts: the hash
//     on the user's staff stream) and the failed logins of the security
//     stream for the privacy officer.
//   - file.go: the personal data itself (a note, members, professionals),
//     loaded with sealed parts opened through the ledger.
//
// A handler that needs its input checked before anything is recorded gives
// its FamilyRoute a Prepare: bad input is then a 4xx and no access event.
//
// # Errors
//
// WriteError maps an error to a status and the body
//
//	{"error":{"code":"...","field":"...","message":"..."}}
//
// from errors.Is/As checks: *Error as given; *domain.RuleError with its
// Rule as code and its Field, 422 (404 when it wraps domain.ErrNotFound, 409
// for domain.ErrConflict); store.ErrVersionConflict 409; other errors with a
// Field() 400, or 422 when they also have a Rule(); not found 404; unauthenticated 401; CSRF and policy
// refusals 403; throttled logins 429; oversized bodies 413; an access event
// that cannot be written 503; anything else 500 with only the request id.
package api
