// Package auth is who a caller is and what they may see: staff accounts
// (User, Role, Directory), password hashing with argon2id, browser sessions
// with a CSRF token bound to each session, bearer tokens for API clients,
// login throttling, and the authorisation policy (Policy.Decide) that is the
// one place deciding who may see which part of a family's file.
//
// # Authentication
//
// Authentication sits behind one interface, Authenticator: given a request,
// it says which Identity made it. Service implements it for the two ways of
// proving identity Spoor has today: a session cookie obtained by logging in
// with a password, and a bearer token. An identity provider (OIDC) can come
// later as another way to start a session, without touching the handlers.
//
// Sessions are kept server-side, in memory (Sessions): the cookie holds 32
// random bytes and the table is keyed by their SHA-256, so logout revokes a
// session for real and a leaked table does not yield usable cookies. A
// restart of the server ends every session; users log in again. Each session
// has an idle timeout and an absolute lifetime.
//
// Bearer tokens are 32 random bytes shown once when issued; only their
// SHA-256 is kept (Token.Hash), in the event log through the staff read
// model, so the Directory can find a token's user by hash.
//
// # Users
//
// Users live in the event log (staff-<id> streams). The Directory interface
// is how this package reads them; the staff read model implements it by
// folding those events. MemDirectory is an in-memory Directory that such a
// fold (or a test) fills: it is not a storage of its own.
//
// # Authorisation
//
// Policy.Decide takes the user, the facts about the family concerned
// (assigned coach, cover assignments, closed or not), the part of the file,
// the purpose, a break-the-glass reason and the time, and returns a Decision:
// allowed or refused, flagged for the privacy officer's review or not, and a
// reason code. Handlers never decide access themselves.
package auth
