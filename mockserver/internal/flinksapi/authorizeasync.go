package flinksapi

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/openapi"
)

// authorizePending is the 202 of /AuthorizeAsync: the authorization goes
// on; poll with the RequestId.
type authorizePending struct {
	HttpStatusCode int
	FlinksCode     string
	Message        string
	RequestId      string
}

// AuthorizeAsync is the non-blocking /Authorize (mid-session reconnection):
// a call with the /Authorize body, or with the answers to a 203, answers
// 202 and a RequestId at once; a call with the RequestId alone polls it,
// answering 203 while security challenges wait for their answers and 200
// once the session is authorized. Errors are those of /Authorize. The
// bodies of Flinks' answers were never seen: they are those of /Authorize.
func (a *API) AuthorizeAsync(w http.ResponseWriter, r *http.Request) {
	var probe authorizeRequest
	_ = json.Unmarshal(exchange.Body(r), &probe) // /Authorize answers a bad body
	if probe.RequestId != "" && probe.SecurityResponses == nil && probe.LoginId == "" && probe.Username == "" {
		a.authorizeStatus(w, r, probe.RequestId)
		return
	}
	rec := &recorder{header: http.Header{}}
	a.Authorize(rec, r)
	e := exchange.Entry(r)
	e.Endpoint = "AuthorizeAsync"
	if rec.code == 0 {
		return // the client left during a scripted latency
	}
	var opened struct{ RequestId string }
	if (rec.code == http.StatusOK || rec.code == http.StatusNonAuthoritativeInfo) && json.Unmarshal(rec.body.Bytes(), &opened) == nil {
		e.FlinksCode = "OPERATION_PENDING"
		exchange.WriteJSON(w, http.StatusAccepted, authorizePending{
			HttpStatusCode: http.StatusAccepted,
			FlinksCode:     "OPERATION_PENDING",
			Message:        openapi.MessageOperationPending,
			RequestId:      opened.RequestId,
		})
		return
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.code)
	_, _ = w.Write(rec.body.Bytes())
}

// authorizeStatus answers a poll of /AuthorizeAsync.
func (a *API) authorizeStatus(w http.ResponseWriter, r *http.Request, rid string) {
	t, lib := a.enter(w, r, "AuthorizeAsync")
	if t == nil {
		return
	}
	exchange.Entry(r).RequestID = rid
	sess := t.Session(rid)
	if sess == nil {
		exchange.WriteError(w, r, exchange.Code(r, session.CodeNonexistent, "", ""))
		return
	}
	exchange.Entry(r).LoginID = sess.Login.LoginID
	sess.Lock()
	st, f := session.Data(sess.State, a.clock.Now(), session.LimitsOf(lib.Settings))
	sess.State = st
	asked := st.Asked
	sess.Unlock()
	switch {
	case f == nil:
		writeAuthorized(w, sess, a.shapeOf(lib))
	case f.Code == session.CodeUnauthorized:
		writeMFA(w, r, sess, asked, a.shapeOf(lib))
	default:
		exchange.WriteError(w, r, exchange.Code(r, f.Code, f.Message, sess.ID))
	}
}

// recorder keeps the answer of /Authorize for /AuthorizeAsync to turn
// into its own.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

// Header returns the headers of the kept answer.
func (rc *recorder) Header() http.Header { return rc.header }

// WriteHeader keeps the first status written.
func (rc *recorder) WriteHeader(code int) {
	if rc.code == 0 {
		rc.code = code
	}
}

// Write keeps the body, with the status 200 when none was written.
func (rc *recorder) Write(b []byte) (int, error) {
	if rc.code == 0 {
		rc.code = http.StatusOK
	}
	return rc.body.Write(b)
}
