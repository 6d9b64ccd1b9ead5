package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Team is a group of teammates that conversations can be assigned to.
type Team struct {
	ID        int64
	Name      string
	AdminIDs  []int64
	CreatedAt time.Time
}

// CreateTeam adds a team. ErrConflict when the name is taken.
func (q *Q) CreateTeam(ctx context.Context, t *Team) error {
	id, err := q.insert(ctx, `INSERT INTO teams (name, created_at) VALUES ($1, $2)`, t.Name, Unix(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create team: %w", err)
	}
	t.ID = id
	return nil
}

// AddTeamMember puts a teammate in a team; adding one twice is not an error.
func (q *Q) AddTeamMember(ctx context.Context, teamID, adminID int64) error {
	_, err := q.exec(ctx, `INSERT INTO team_members (team_id, admin_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, teamID, adminID)
	if err != nil {
		return fmt.Errorf("store: add team member: %w", err)
	}
	return nil
}

// Team returns one team with its members.
func (q *Q) Team(ctx context.Context, id int64) (Team, error) {
	var t Team
	var created int64
	err := q.row(ctx, `SELECT id, name, created_at FROM teams WHERE id = $1`, id).Scan(&t.ID, &t.Name, &created)
	if err != nil {
		return t, fmt.Errorf("store: team %d: %w", id, translate(err))
	}
	t.CreatedAt = time.Unix(created, 0)
	t.AdminIDs, err = q.int64s(ctx, `SELECT admin_id FROM team_members WHERE team_id = $1 ORDER BY admin_id`, id)
	return t, err
}

// TeamByName finds a team by name, ignoring case.
func (q *Q) TeamByName(ctx context.Context, name string) (Team, error) {
	var id int64
	if err := q.row(ctx, `SELECT id FROM teams WHERE lower(name) = lower($1)`, name).Scan(&id); err != nil {
		return Team{}, fmt.Errorf("store: team %q: %w", name, translate(err))
	}
	return q.Team(ctx, id)
}

// Teams lists every team with its members.
func (q *Q) Teams(ctx context.Context) ([]Team, error) {
	rows, err := q.query(ctx, `SELECT id, name, created_at FROM teams ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	teams, err := collect(rows, func(r *sql.Rows) (Team, error) {
		var t Team
		var created int64
		err := r.Scan(&t.ID, &t.Name, &created)
		t.CreatedAt = time.Unix(created, 0)
		t.AdminIDs = []int64{}
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	members, err := q.teamMembers(ctx)
	if err != nil {
		return nil, err
	}
	for i := range teams {
		for _, m := range members {
			if m.team == teams[i].ID {
				teams[i].AdminIDs = append(teams[i].AdminIDs, m.admin)
			}
		}
	}
	return teams, nil
}

type membership struct{ team, admin int64 }

func (q *Q) teamMembers(ctx context.Context) ([]membership, error) {
	rows, err := q.query(ctx, `SELECT team_id, admin_id FROM team_members ORDER BY team_id, admin_id`)
	if err != nil {
		return nil, fmt.Errorf("store: team members: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (membership, error) {
		var m membership
		return m, r.Scan(&m.team, &m.admin)
	})
}
