package flinksapi

import (
	"net/http"
	"strconv"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/shape"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// shapeOf is the shape of a library's answers: its settings', else the
// server's (--shapes).
func (a *API) shapeOf(lib *scenarios.Library) scenarios.Shape {
	if sh, ok := lib.Settings.Shape(); ok {
		return sh
	}
	return a.cfg.Shapes
}

// withShape sets the shape of a library's answers on data options.
func (a *API) withShape(lib *scenarios.Library, o session.Options) session.Options {
	sh := a.shapeOf(lib)
	o.Minimal = sh.Mode == scenarios.ShapesMinimal
	o.Varied, o.Seed = sh.Varied(), sh.Seed
	return o
}

// variedOf draws one answer of a session in the varied shape (nil in any
// other): from the seed, the answer, the login and the session's ordinal,
// so that the same run gives the same bytes and another session another
// shape.
func variedOf(varied bool, seed uint64, sess *session.Session, answer string) *shape.Varied {
	if !varied {
		return nil
	}
	return &shape.Varied{Seed: seed, Key: answer + "\x00" + sess.Login.LoginID + "\x00" + strconv.Itoa(sess.Ordinal)}
}

// editOf is what the login's nulls and the request's WithBalance change
// in the accounts of an answer.
func (a *API) editOf(login *scenarios.Login, o session.Options) shape.Edit {
	e := shape.Edit{NoBalance: o.NoBalance}
	if len(login.Nulls) > 0 || hasAccountNulls(login) {
		all := a.allAccounts(login)
		e.Nulls = func(id string) []string {
			for i := range all {
				if all[i].Id == id {
					return login.NullsOf(&all[i])
				}
			}
			return login.Nulls
		}
	}
	return e
}

func hasAccountNulls(login *scenarios.Login) bool {
	for _, acc := range login.Accounts {
		if len(acc.Nulls) > 0 {
			return true
		}
	}
	return false
}

// shaped is a rendered body with the edit made and the varied shape drawn,
// when the options ask for either.
func shaped(body session.Body, schema string, e shape.Edit, varied *shape.Varied) session.Body {
	if e.Empty() && varied == nil {
		return body
	}
	return session.Body{Own: shape.Apply(body.Bytes(), schema, e, varied)}
}

// writeShaped answers v, encoded, with its shape drawn when varied is set.
func writeShaped(w http.ResponseWriter, status int, v any, schema string, varied *shape.Varied) {
	if varied == nil {
		exchange.WriteJSON(w, status, v)
		return
	}
	exchange.WriteBody(w, status, shape.Apply(exchange.Encode(v), schema, shape.Edit{}, varied))
}
