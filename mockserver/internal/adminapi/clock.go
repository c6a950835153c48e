package adminapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/mockserver/clock"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
)

func (a *API) clockState() admin.ClockState {
	mode := "real"
	if _, ok := a.cfg.Clock.(*clock.Virtual); ok {
		mode = "virtual"
	}
	return admin.ClockState{Mode: mode, Now: a.cfg.Clock.Now()}
}

// GetClock answers the server clock.
func (a *API) GetClock(w http.ResponseWriter, r *http.Request) {
	exchange.WriteJSON(w, http.StatusOK, a.clockState())
}

// virtualClock returns the server's virtual clock, or answers 409.
func (a *API) virtualClock(w http.ResponseWriter, r *http.Request) *clock.Virtual {
	v, ok := a.cfg.Clock.(*clock.Virtual)
	if !ok {
		fail(w, r, http.StatusConflict, "INVALID_REQUEST", "The server runs on the real clock; start it with --clock virtual to move time")
	}
	return v
}

// AdvanceClock moves a virtual clock forward: {"by": "10m"}.
func (a *API) AdvanceClock(w http.ResponseWriter, r *http.Request) {
	v := a.virtualClock(w, r)
	if v == nil {
		return
	}
	var body admin.ClockAdvance
	if err := json.Unmarshal(exchange.Body(r), &body); err != nil {
		badRequest(w, r, "Request body: "+exchange.JSONProblem(err))
		return
	}
	d, err := time.ParseDuration(body.By)
	if err != nil || d < 0 {
		badRequest(w, r, fmt.Sprintf("\"by\" %q must be a positive duration such as \"10s\" or \"30m\"", body.By))
		return
	}
	now, _ := v.Advance(d) // d is not negative
	a.cfg.Log.Info("clock advanced", "by", d, "now", now)
	exchange.WriteJSON(w, http.StatusOK, a.clockState())
}

// SetClock moves a virtual clock to a time: {"now": "2026-11-24T10:00:00Z"}.
func (a *API) SetClock(w http.ResponseWriter, r *http.Request) {
	v := a.virtualClock(w, r)
	if v == nil {
		return
	}
	var body admin.ClockSet
	if err := json.Unmarshal(exchange.Body(r), &body); err != nil {
		badRequest(w, r, "Request body: \"now\" must be a time such as \"2026-11-24T10:00:00Z\"")
		return
	}
	if err := v.Set(body.Now); err != nil {
		badRequest(w, r, err.Error())
		return
	}
	a.cfg.Log.Info("clock set", "now", v.Now())
	exchange.WriteJSON(w, http.StatusOK, a.clockState())
}
