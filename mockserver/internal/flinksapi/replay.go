package flinksapi

import (
	"net/http"

	"github.com/flinks-mock/flinks-mock/mockserver/internal/exchange"
	"github.com/flinks-mock/flinks-mock/openapi"
)

// The journal keeps no body of an answer. The inspector shows the
// standard ones again from what an entry does keep, with the types the
// handlers write them with, so that the two never differ.

// PendingAnswer is the 202 a data endpoint (or, endpoint "AuthorizeAsync",
// /AuthorizeAsync) answers with code (OPERATION_PENDING or
// OPERATION_DISPATCHED), in the standard shape.
func PendingAnswer(endpoint, code, requestID string) []byte {
	message := openapi.MessageOperationPending
	if code == "OPERATION_DISPATCHED" {
		message = openapi.MessageOperationDispatched
	}
	if endpoint == "AuthorizeAsync" {
		return exchange.Encode(authorizePending{HttpStatusCode: http.StatusAccepted, FlinksCode: code, Message: message, RequestId: requestID})
	}
	return exchange.Encode(pendingBody{FlinksCode: code, Links: pendingLinks, HttpStatusCode: http.StatusAccepted, Message: message, RequestId: requestID})
}

// TokenAnswer is the 200 of /GenerateAuthorizeToken, with token in the
// place of the token issued.
func TokenAnswer(token string) []byte {
	return exchange.Encode(tokenResponse{HttpStatusCode: http.StatusOK, Token: token})
}
