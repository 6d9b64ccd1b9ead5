package api

import (
	"net/http"

	"github.com/helpdesk/helpdesk/internal/store"
)

type adminJSON struct {
	Type             string  `json:"type"`
	ID               string  `json:"id"`
	Name             string  `json:"name"`
	Email            string  `json:"email"`
	JobTitle         string  `json:"job_title"`
	AwayModeEnabled  bool    `json:"away_mode_enabled"`
	AwayModeReassign bool    `json:"away_mode_reassign"`
	HasInboxSeat     bool    `json:"has_inbox_seat"`
	TeamIDs          []int64 `json:"team_ids"`
	Avatar           *string `json:"avatar"`
}

type avatarJSON struct {
	Type     string `json:"type"`
	ImageURL string `json:"image_url,omitempty"`
}

type appJSON struct {
	Type                 string `json:"type"`
	IDCode               string `json:"id_code"`
	Name                 string `json:"name"`
	CreatedAt            int64  `json:"created_at"`
	Secure               bool   `json:"secure"`
	IdentityVerification bool   `json:"identity_verification"`
	Timezone             string `json:"timezone"`
	Region               string `json:"region"`
}

func toAdmin(a store.Admin) adminJSON {
	j := adminJSON{Type: "admin", ID: idString(a.ID), Name: a.Name, Email: a.Email, JobTitle: a.JobTitle,
		AwayModeEnabled: a.AwayModeEnabled, AwayModeReassign: a.AwayModeReassign, HasInboxSeat: true, TeamIDs: a.TeamIDs}
	if j.TeamIDs == nil {
		j.TeamIDs = []int64{}
	}
	if a.Avatar.Valid {
		j.Avatar = &a.Avatar.String
	}
	return j
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) error {
	a, err := s.db.Read().Admin(r.Context(), currentAdmin(r).ID)
	if err != nil {
		return err
	}
	// admin_with_app: the admin, with its avatar as an object, and the workspace ("app").
	j := struct {
		adminJSON
		Avatar        avatarJSON `json:"avatar"`
		EmailVerified bool       `json:"email_verified"`
		App           appJSON    `json:"app"`
	}{adminJSON: toAdmin(a), Avatar: avatarJSON{Type: "avatar", ImageURL: a.Avatar.String},
		EmailVerified: true,
		App:           appJSON{Type: "app", IDCode: "helpdesk", Name: "Helpdesk", CreatedAt: unix(a.CreatedAt), Timezone: "UTC", Region: "local"}}
	writeJSON(w, http.StatusOK, j)
	return nil
}

func (s *Server) listAdmins(w http.ResponseWriter, r *http.Request) error {
	admins, err := s.db.Read().Admins(r.Context())
	if err != nil {
		return err
	}
	list := make([]adminJSON, len(admins))
	for i, a := range admins {
		list[i] = toAdmin(a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "admin.list", "admins": list})
	return nil
}

func (s *Server) getAdmin(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Admin")
	if err != nil {
		return err
	}
	a, err := s.db.Read().Admin(r.Context(), id)
	if err != nil {
		return notFoundAs(err, "Admin")
	}
	writeJSON(w, http.StatusOK, toAdmin(a))
	return nil
}

type teamJSON struct {
	Type     string  `json:"type"`
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	AdminIDs []int64 `json:"admin_ids"`
}

func toTeam(t store.Team) teamJSON {
	j := teamJSON{Type: "team", ID: idString(t.ID), Name: t.Name, AdminIDs: t.AdminIDs}
	if j.AdminIDs == nil {
		j.AdminIDs = []int64{}
	}
	return j
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) error {
	teams, err := s.db.Read().Teams(r.Context())
	if err != nil {
		return err
	}
	list := make([]teamJSON, len(teams))
	for i, t := range teams {
		list[i] = toTeam(t)
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "team.list", "teams": list})
	return nil
}

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Team")
	if err != nil {
		return err
	}
	t, err := s.db.Read().Team(r.Context(), id)
	if err != nil {
		return notFoundAs(err, "Team")
	}
	writeJSON(w, http.StatusOK, toTeam(t))
	return nil
}
