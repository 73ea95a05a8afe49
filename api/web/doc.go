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
//	/aanmelding                   a new referral
//	/team                         coordinator: caseload per coach, waiting list, no contact, reviews
//	/budget                       spend per category, month, referral type, funding source (SVG)
//	/raad, /raad.csv, /raad.xlsx  the council report, printable, every figure linked to its lines
//	/uitkomsten                   leefsituatie tables T0/T1
//	/privacy                      privacy officer: flagged accesses
//	/privacy/register             disclosure register, consent problems, families not told
//	/privacy/gezin/{family}       who saw this family (art15, wissen below it)
//	/privacy/medewerker/{staff}   what a staff member saw
//
// Charts are inline SVG drawn on the server, with a title and description
// and the same figures in a table under each. The council page prints with
// its own stylesheet (no navigation, tables kept whole).
package web
