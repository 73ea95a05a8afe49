// Package web is Spoor's server-rendered web UI for coaches, coordinators
// and privacy officers: html/template pages and one stylesheet embedded
// with embed.FS, Dutch (nl-BE) by default and English on request, usable
// without JavaScript.
//
// # The same path as the API
//
// The UI adds its routes to the api.Server (Register) through the server's
// own wrappers: Handle (authentication, the CSRF token of every form),
// HandleTeam (the policy for team views; RecordAccess for every family a
// list names) and HandleFamily (the policy for a part of one family's
// file, and the access event written before the page is rendered). So a
// page and the JSON API decide and record access in exactly one way, and a
// refused attempt is recorded the same. The wrappers answer errors in JSON;
// a router middleware that acts only on the UI's routes turns those into
// HTML pages: 401 becomes a redirect to the login page, a refusal that a
// reason would lift shows the break-the-glass form (a GET with reason and
// reason_note, which HandleFamily reads), other errors a Dutch page with the
// request id.
//
// # Forms
//
// Every form is a form value (fields, what the user typed, an error per
// field) rendered by one template, so labels, error messages
// (aria-describedby), required marks and keyboard order are the same
// everywhere. A POST reads the fields, runs the domain command through the
// ledger and, on success, waits until the read models show it and
// redirects (POST-redirect-GET). A refused command's *domain.RuleError
// names the command field at fault; the form puts the message next to that
// field, keeps everything typed, and answers 422. Other failures keep the
// input too.
//
// # Pages
//
//	/caseload                     coach: my families, days since contact, cover families
//	/gezin/{family}               timeline with filters and the quick "Contact loggen" form
//	/gezin/{family}/contact       the contact form alone (caseload -> form on a phone)
//	/gezin/{family}/hulpvragen    the family's questions for help: note, close
//	/gezin/{family}/toestemming   consents: give, withdraw
//	/gezin/{family}/budget        maatbudget: allocated, spent, left; spends, reversals, reviews
//	                              of urgent purchases
//	/gezin/{family}/delen         disclosures: record, confidentiality lifted, family told
//	/gezin/{family}/parket        parket state, history, steps
//	/gezin/{family}/leefsituatie  leefsituatie T0/review/T1
//	/gezin/{family}/traject       intake, guidance, coach, cover, closure, reopening, members
//	/gezin/{family}/gezinsleden   members: correct (a new event), remove
//	/gezin/{family}/netwerk       professionals involved (organisation, role, phone, e-mail): add, remove
//	/gezin/{family}/politie       police facts (interventions, pv's, kantschriften) per period
//	/gezin/{family}/voorstellen   spend proposals, the team's decision, the coordinator's overspend
//	                              approval, cost-avoidance figures
//	/gezin/{family}/coachwissel   the family asks for another coach; the coordinator handles it
//	/aanmelding                   a new referral
//	/team                         coordinator: caseload per coach, waiting list, no contact, reviews
//	/budget                       spend per category, month, referral type, funding source (SVG)
//	/raad, /raad.csv, /raad.xlsx  the council report, printable, every figure linked to its lines
//	/uitkomsten                   leefsituatie tables T0/T1
//	/privacy                      privacy officer: flagged accesses
//	/privacy/register             disclosure register, consent problems, families not told
//	/privacy/gezin/{family}       who saw this family (art15, wissen below it)
//	/privacy/medewerker/{staff}   what a staff member saw
//	/privacy/gezin/{family}/vragen information requests: record, refuse (a coach answers one with
//	                              a disclosure that names it)
//	/privacy/controles            unusual volume per user and day, information requests
//	/privacy/zoeken               find a family by name for an art. 15 request (below)
//	/privacy/aanmeldingen         failed logins (Config.LoginFailures)
//	/backoffice                   back office: the team's spends to pay and reversed, read-only
//	/beheer/medewerkers[/{staff}] admin: staff, roles, activation, passwords, API tokens
//	                              (Config.Staff, Config.Accounts); no case content
//
// # Login
//
// The login form carries a pre-session CSRF token (double submit): GET
// /login sets it in an HttpOnly, SameSite=Strict cookie scoped to /login and
// in the form's csrf_token field; a POST without both, equal, is refused
// (403) before any password is checked, with the login typed kept.
//
// # Secrets shown once
//
// A password Spoor draws and an API token are shown on the answer to the
// POST that created them (Cache-Control: no-store), not after a redirect:
// they are kept nowhere readable, so a reload cannot show them again.
//
// # Finding a family by name
//
// Names are sealed, so /privacy/zoeken opens every referred family's file
// (one stream read and decryption per family; about 30 ms for the demo
// team, growing linearly with the ledger: well under a second for a team
// of a few hundred families) and matches the referral name and the
// members' names case-insensitively. Each family whose name the page shows
// gets an access event (part summary, purpose access_request) before the
// page is sent.
//
// # The back office
//
// The back office's list is not a family route: its access is decided by
// the same auth.Policy (part budget, Config.Hours for the outside-hours
// flag) and one access event per family listed is written through
// api.Server.RecordAccess. The ledger has no "paid" event, so "to pay"
// means recorded and not reversed.
//
// Charts are inline SVG drawn on the server, with a title and description
// and the same figures in a table under each. The council page prints with
// its own stylesheet (no navigation, tables kept whole).
package web
