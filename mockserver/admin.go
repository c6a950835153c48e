package mockserver

import (
	"net/http"
)

type healthBody struct {
	Status string `json:"status"`
}

// health answers 200 once the server exists: New only returns after the
// contract and every scenario have loaded.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, healthBody{Status: "ok"})
}

// loginListing is one login as GET /__admin/scenarios shows it.
type loginListing struct {
	Name          string   `json:"name"`
	Description   string   `json:"description,omitempty"`
	Username      string   `json:"username"`
	Password      string   `json:"password"`
	LoginID       string   `json:"loginId"`
	Institution   string   `json:"institution"`
	TokenRequired bool     `json:"tokenRequired"`
	MFA           string   `json:"mfa,omitempty"`
	Prompts       []string `json:"prompts,omitempty"`
}

// listScenarios lists the logins the server knows.
func (s *Server) listScenarios(w http.ResponseWriter, r *http.Request) {
	out := make([]loginListing, 0, len(s.lib.Logins))
	for _, l := range s.lib.Logins {
		item := loginListing{
			Name:          l.Name,
			Description:   l.Description,
			Username:      l.Username,
			Password:      l.Password,
			LoginID:       l.LoginID,
			Institution:   l.Institution,
			TokenRequired: *l.TokenRequired,
		}
		if l.MFA != nil {
			item.MFA = l.MFA.When
			for _, round := range l.MFA.Rounds {
				for _, c := range round.Challenges {
					item.Prompts = append(item.Prompts, c.Prompt)
				}
			}
		}
		out = append(out, item)
	}
	writeJSON(w, http.StatusOK, out)
}
