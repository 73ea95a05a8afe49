package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"spoor/auth"
	"spoor/auth/staffdir"
	"spoor/domain"
	"spoor/ledger"
	"spoor/store"
)

// firstAdmin creates the first administrator when the log holds no staff
// member yet. There is no default password: the password is read from
// passwordFile, or drawn at random and printed once. It returns the login
// and the password shown ("" when read from the file).
func firstAdmin(ctx context.Context, led *ledger.Service, dir *staffdir.Directory, login, passwordFile string, now time.Time) (string, error) {
	password := ""
	shown := ""
	if passwordFile != "" {
		b, err := os.ReadFile(passwordFile)
		if err != nil {
			return "", fmt.Errorf("read -admin-password-file: %w", err)
		}
		password = strings.TrimRight(string(b), "\r\n")
		if err := auth.CheckNewPassword(password); err != nil {
			return "", fmt.Errorf("-admin-password-file: %w", err)
		}
	} else {
		p, err := auth.RandomPassword(rand.Reader)
		if err != nil {
			return "", err
		}
		password, shown = p, p
	}
	hash, err := auth.HashPassword(password, auth.DefaultArgon2Params(), rand.Reader)
	if err != nil {
		return "", err
	}
	id := domain.StaffID(uuid.NewString())
	meta := ledger.Meta{Actor: store.Actor{UserID: "system", Role: "system"}, CorrelationID: "first-run"}
	today := domain.DateOf(now)
	var last uint64
	for _, cmd := range []domain.StaffCommand{
		domain.RegisterStaff{StaffID: id, Date: today, Login: login, DisplayName: "Administrator"},
		domain.GrantRole{Role: domain.RoleAdmin, Date: today, By: id},
		domain.SetPassword{Date: today, Hash: hash},
	} {
		res, err := led.ExecStaff(ctx, id, meta, cmd)
		if err != nil {
			return "", fmt.Errorf("create the first administrator: %w", err)
		}
		last = res.LastPosition
	}
	if err := dir.WaitFor(ctx, last); err != nil {
		return "", err
	}
	return shown, nil
}
