package api

import (
	"context"
	"net/http"
	"time"
)

// Backup is the result of an online backup.
type Backup struct {
	// LogDir is where the event log was copied.
	LogDir string `json:"log_dir"`
	// KeysDir is where the key store was copied, "" when key-store backups
	// are not configured.
	KeysDir string `json:"keys_dir,omitempty"`
	// Head is the log's head position when the backup began; the backup holds
	// at least the events up to it.
	Head uint64    `json:"head"`
	At   time.Time `json:"at"`
}

// Backuper makes an online backup of the running server's data into
// directories chosen by the server's configuration (never by the caller).
type Backuper interface {
	Backup(ctx context.Context) (Backup, error)
}

// backup: POST /api/v1/backups (admin) -> 201 with where the backup went.
func (s *Server) backup(w http.ResponseWriter, r *http.Request) error {
	id, _ := IdentityFrom(r.Context())
	b, err := s.cfg.Backups.Backup(r.Context())
	if err != nil {
		return err
	}
	s.log.InfoContext(r.Context(), "backup made", "by", id.User.ID, "head", b.Head)
	WriteJSON(w, http.StatusCreated, b)
	return nil
}
