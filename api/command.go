package api

import (
	"context"
	"net/http"

	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
)

// ExecFamily executes a domain command on the family of fr as the caller
// (actor: the user and the role the policy allowed them in; correlation id:
// the request id) and, when Config.WaitFor is set, waits until the read
// models have applied it, so the next read sees the change. Errors are the
// ledger's: *domain.RuleError (mapped to 422/404/409 with rule and field),
// store errors.
//
// A command route is then:
//
//	s.HandleFamily(api.FamilyRoute{Method: "POST", Path: "/api/v1/families/{family}/contacts",
//		Part: auth.PartTimeline, Handle: func(w http.ResponseWriter, r *http.Request, fr api.FamilyRequest) error {
//			var req logContactRequest
//			if err := api.DecodeJSON(r, &req); err != nil {
//				return err
//			}
//			res, err := s.ExecFamily(r, fr, domain.LogContact{...})
//			if err != nil {
//				return err
//			}
//			api.WriteJSON(w, http.StatusCreated, ...)
//			return nil
//		}})
func (s *Server) ExecFamily(r *http.Request, fr FamilyRequest, cmd domain.FamilyCommand) (ledger.Result, error) {
	if s.cfg.Ledger == nil {
		panic("api: ExecFamily needs Config.Ledger")
	}
	ctx := r.Context()
	meta := ledger.Meta{Actor: store.Actor{UserID: fr.Identity.User.ID, Role: string(fr.Decision.Role)}, CorrelationID: requestIDOf(ctx)}
	res, err := s.cfg.Ledger.ExecFamily(ctx, domain.FamilyID(fr.Family.ID), meta, cmd)
	if err != nil {
		return res, err
	}
	return res, s.waitFor(ctx, res.LastPosition)
}

// waitFor waits until the read models have applied position, when a
// WaitFor is configured.
func (s *Server) waitFor(ctx context.Context, position uint64) error {
	if s.cfg.WaitFor == nil {
		return nil
	}
	return s.cfg.WaitFor(ctx, position)
}
