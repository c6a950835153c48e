package inspector

import (
	"fmt"
	"net/http"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/flinksapi"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/session"
	"github.com/flinks-mock/flinks-mock/mockserver/internal/tenancy"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
	"github.com/flinks-mock/flinks-mock/scenarios"
)

// maxShownBody bounds what the entry view draws of a body.
const maxShownBody = 64 << 10

// Renderer renders the data a session answers: the same renderer as the
// admin API's webhooks fired on demand.
type Renderer interface {
	// SessionEvent describes the data of a session; waiting when the
	// session has no data yet.
	SessionEvent(t *tenancy.Tenant, lib *scenarios.Library, sess *session.Session, login *scenarios.Login) (ev flinksapi.DataEvent, waiting bool)
}

// answerView is what the entry view shows of the body of an answer, or of
// the payload of a webhook attempt, and where it comes from. The journal
// keeps no body: the view builds it when asked, from what the entry
// keeps, and says how.
type answerView struct {
	Heading string
	How     string // where the body comes from, or why there is none
	Body    string // indented, secrets redacted; empty when none
	Cut     string // says that Body is cut
}

// answerOf shows the body of e's answer (of tenant t) as well as it can be
// had now.
func (in *Inspector) answerOf(t *tenancy.Tenant, e journal.Entry, tx *uiText) answerView {
	v := answerView{Heading: tx.AnswerBody}
	var body []byte
	switch {
	case e.Kind == journal.KindWebhook:
		v.Heading = tx.Payload
		p, _, ok := in.cfg.Hooks.Payload(t.ID(), e.DeliveryID)
		if !ok {
			v.How = tx.PayloadGone
			return v
		}
		v.How, body = tx.PayloadKept, p
	case e.Status == 0:
		v.How = tx.NoAnswerSent
		return v
	case e.Message != "":
		// Only the error envelope records its Message.
		v.How = tx.Envelope
		body = exchange.Encode(exchange.Error{Status: e.Status, FlinksCode: e.FlinksCode, Message: e.Message, RequestID: e.RequestID})
	case e.Status == http.StatusAccepted && (e.FlinksCode == "OPERATION_PENDING" || e.FlinksCode == "OPERATION_DISPATCHED"):
		v.How, body = tx.Standard, flinksapi.PendingAnswer(e.Endpoint, e.FlinksCode, e.RequestID)
	case e.Status == http.StatusOK && e.Endpoint == "GenerateAuthorizeToken":
		v.How, body = tx.TokenNotKept, flinksapi.TokenAnswer(redacted)
	case e.Status == http.StatusOK && (e.Endpoint == "GetAccountsDetail" || e.Endpoint == "GetAccountsDetailAsync"):
		body, v.How = in.rerender(t, e, tx)
	default:
		v.How = tx.NotKept
	}
	if body != nil {
		var cut bool
		v.Body, cut = prettyRedacted(body, maxShownBody)
		if cut {
			v.Cut = fmt.Sprintf(tx.BodyCut, maxShownBody>>10, len(body))
		}
	}
	return v
}

// rerender renders again the GetAccountsDetail 200 of e's session, or
// says why it cannot.
func (in *Inspector) rerender(t *tenancy.Tenant, e journal.Entry, tx *uiText) ([]byte, string) {
	gone := fmt.Sprintf(tx.Gone, e.RequestID)
	sess := t.PeekSession(e.RequestID)
	if in.cfg.Renderer == nil || sess == nil {
		return nil, gone
	}
	ev, waiting := in.cfg.Renderer.SessionEvent(t, in.cfg.Tenants.Library(t), sess, nil)
	if waiting {
		return nil, gone
	}
	return ev.Detail(), tx.Rerendered
}
