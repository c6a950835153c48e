package mockserver

import (
	"errors"
	"strings"
	"sync"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// conventionSource is the Origin of convention logins, in listings.
const conventionSource = "convention"

// conventionCacheSize bounds the convention logins a server keeps built;
// past it the oldest is built again on its next use.
const conventionCacheSize = 256

// conventionCache keeps the convention logins built so far, by LoginId,
// so that repeated calls share one login and its generated accounts.
type conventionCache struct {
	mu    sync.Mutex
	m     map[string]*scenarios.Login
	order []string // LoginIds, oldest first
}

// loginByID finds the login of a LoginId: the library's, else the
// convention login the LoginId was derived from.
func (s *Server) loginByID(lib *scenarios.Library, loginID string) *scenarios.Login {
	if l := lib.Login(loginID); l != nil {
		return l
	}
	if l := s.conventions.get(loginID); l != nil {
		return l
	}
	l, err := scenarios.ConventionByLoginID(loginID)
	if err != nil {
		return nil
	}
	return s.buildConvention(lib, l)
}

// conventionByUsername returns the convention login a username asks for
// at FlinksCapital; scenarios.ErrNotConvention when the username is not
// one, or a *scenarios.ConventionError when it is a malformed one.
func (s *Server) conventionByUsername(lib *scenarios.Library, institution, username string) (*scenarios.Login, error) {
	if !strings.EqualFold(institution, scenarios.DefaultInstitution) {
		return nil, scenarios.ErrNotConvention
	}
	l, err := scenarios.ParseConvention(username)
	if err != nil {
		return nil, err
	}
	if built := s.conventions.get(l.LoginID); built != nil {
		return built, nil
	}
	if built := s.buildConvention(lib, l); built != nil {
		return built, nil
	}
	return nil, errors.New("the convention login could not be built")
}

// buildConvention builds a convention login like a login of a file, and
// keeps it. It returns nil, and logs why, if it does not build.
func (s *Server) buildConvention(lib *scenarios.Library, l *scenarios.Login) *scenarios.Login {
	built, err := scenarios.Build(lib.Built, scenarios.Source{Name: conventionSource, File: &scenarios.File{Logins: []scenarios.Login{*l}}})
	if err != nil {
		s.log.Error("convention login not built", "username", l.Username, "err", err)
		return nil
	}
	return s.conventions.put(built.Logins[0])
}

func (c *conventionCache) get(loginID string) *scenarios.Login {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[strings.ToLower(loginID)]
}

// put keeps a built login and returns the one kept: an earlier build of
// the same login wins, so that concurrent first calls share one.
func (c *conventionCache) put(l *scenarios.Login) *scenarios.Login {
	key := strings.ToLower(l.LoginID)
	c.mu.Lock()
	defer c.mu.Unlock()
	if kept := c.m[key]; kept != nil {
		return kept
	}
	if c.m == nil {
		c.m = map[string]*scenarios.Login{}
	}
	for len(c.order) >= conventionCacheSize {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[key] = l
	c.order = append(c.order, key)
	return l
}
