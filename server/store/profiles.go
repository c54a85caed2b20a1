package store

import (
	"context"
	"errors"
	"fmt"
)

// EnsureProfile returns the profile with this id, creating an active one the
// first time the user is seen: every authenticated request has a profile.
func (db *DB) EnsureProfile(ctx context.Context, id string) (*Profile, error) {
	// Every authenticated request calls this; the profile almost always
	// exists, so one read is the common path.
	if p, err := db.Profile(ctx, id); !errors.Is(err, ErrNotFound) {
		return p, err
	}
	t := now()
	p := &Profile{ID: id, Status: ProfileActive, ProfileMeta: map[string]any{}, CreatedAt: t, UpdatedAt: t}
	if _, err := db.Bun.NewInsert().Model(p).On("CONFLICT (id) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("store: create profile: %w", err)
	}
	return db.Profile(ctx, id)
}

// Profile loads one profile.
func (db *DB) Profile(ctx context.Context, id string) (*Profile, error) {
	p := new(Profile)
	if err := db.Bun.NewSelect().Model(p).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "profile")
	}
	if p.ProfileMeta == nil {
		p.ProfileMeta = map[string]any{}
	}
	return p, nil
}

// SaveProfile persists display_name, status and profile_meta and bumps
// updated_at (the seed never committed these, so profile edits were lost).
func (db *DB) SaveProfile(ctx context.Context, p *Profile) error {
	p.UpdatedAt = now()
	if p.ProfileMeta == nil {
		p.ProfileMeta = map[string]any{}
	}
	res, err := db.Bun.NewUpdate().Model(p).
		Column("display_name", "status", "profile_meta", "updated_at").WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("store: save profile: %w", err)
	}
	return mustAffect(res, "profile")
}
