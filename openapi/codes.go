package openapi

import (
	"net/http"
	"slices"
)

// Code is one FlinksCode of the contract: the HTTP status Flinks answers
// with, the Message the mock sends by default, and what a client may do next.
type Code struct {
	// Name is the FlinksCode itself, e.g. "SESSION_NONEXISTENT".
	Name string
	// Status is the HTTP status (and HttpStatusCode) sent with the code.
	Status int
	// Message is the default Message. Only SESSION_NONEXISTENT,
	// OPERATION_PENDING, OPERATION_DISPATCHED and the two 401 credential
	// messages are Flinks' exact wording; the others say what the code means.
	Message string
	// Inferred is true when the HTTP status was not seen in Flinks'
	// documentation and was chosen by the mock; scenarios may override it.
	Inferred bool
	// Retryable is true when sending the same request again later can
	// succeed (RETRY_LATER, TOO_MANY_REQUESTS, the 202 codes, ...). A client
	// that repeats a request answered with a code that is not retryable is
	// breaking the contract.
	Retryable bool
}

// Messages Flinks sends word for word.
const (
	MessageSessionNonexistent  = "RequestId is invalid or session has ended"
	MessageOperationPending    = "Your operation is still processing"
	MessageOperationDispatched = "Your operations had been dispatched to background process for long running jobs"
	MessageInvalidAuthKey      = "You must provide a valid auth key"
	MessageInvalidToken        = "You must provide a valid authorize token"
)

// codes is the FlinksCode table of the contract (flinks-contract.md §4).
// It is read-only after package initialisation.
var codes = func() map[string]Code {
	list := []Code{
		{"OPERATION_PENDING", http.StatusAccepted, MessageOperationPending, false, true},
		{"OPERATION_DISPATCHED", http.StatusAccepted, MessageOperationDispatched, false, true},
		{"SESSION_NONEXISTENT", http.StatusBadRequest, MessageSessionNonexistent, false, false},
		{"CARD_IN_USE", http.StatusBadRequest, "The account is still processing; try the operation again once it is done", false, true},
		{"ACCESS_DENIED", http.StatusUnauthorized, "The endpoint was called without valid authentication credentials", false, false},
		{"INVALID_LOGIN", http.StatusUnauthorized, "The LoginId is invalid or unknown for this customer, or the username or password is wrong", false, false},
		{"INVALID_REQUEST", http.StatusUnauthorized, "The request is missing fields, has fields of the wrong type, or is not valid JSON", false, false},
		{"INVALID_SECURITY_RESPONSE", http.StatusUnauthorized, "The answer to the security challenge is wrong", false, false},
		{"INVALID_SECURITY_RESPONSE_NO_RETRY", http.StatusUnauthorized, "The answer to the security challenge is wrong and cannot be retried", false, false},
		{"INVALID_USERNAME", http.StatusUnauthorized, "The financial institution rejected the username", false, false},
		{"INVALID_PASSWORD", http.StatusUnauthorized, "The financial institution rejected the password", false, false},
		{"QUESTION_NOT_FOUND", http.StatusUnauthorized, "A security challenge has no stored answer", false, false},
		{"RETRY_LATER", http.StatusUnauthorized, "Flinks could not connect to the financial institution; try again later", false, true},
		{"TOO_MANY_REQUESTS", http.StatusUnauthorized, "Too many requests were sent in a given amount of time; slow down", false, true},
		{"UNKNOWN_CHALLENGE_KEY", http.StatusUnauthorized, "An answer was sent for a security challenge that was not asked", false, false},
		{"UNAUTHORIZED", http.StatusUnauthorized, "The session is not authorized: call /Authorize and complete it before asking for data", false, false},
		{"NEW_ACCOUNT", http.StatusUnauthorized, "The user must take an action in their online banking first, such as accepting new terms", false, false},
		{"DISABLED_LOGIN", http.StatusUnauthorized, "The account was disabled by the financial institution", false, false},
		{"DISABLED_INSTITUTION", http.StatusMethodNotAllowed, "The institution is not available", false, false},
		{"AGGREGATION_ERROR", http.StatusInternalServerError, "An unexpected error happened while retrieving the data", false, true},
		{"CONCURRENT_SESSION", http.StatusUnauthorized, "Another session is already open on this LoginId", true, true},
		{"SESSION_EXPIRED", http.StatusUnauthorized, "The RequestId expired: it was idle for too long during /Authorize or processing took longer than the limit", true, false},
		{"ALREADY_AUTHORIZED", http.StatusUnauthorized, "This RequestId is already authorized", true, false},
		{"SECURITYRESPONSES_INCOMPLETE", http.StatusUnauthorized, "Not every security challenge that was asked was answered", true, false},
		{"NO_TRANSACTION", http.StatusUnauthorized, "The account has no transactions, or fewer than are needed", true, false},
		{"METHOD_NOT_AVAILABLE", http.StatusUnauthorized, "This API is not enabled on the instance", true, false},
	}
	m := make(map[string]Code, len(list))
	for _, c := range list {
		m[c.Name] = c
	}
	return m
}()

// LookupCode returns the table entry for a FlinksCode.
func LookupCode(name string) (Code, bool) {
	c, ok := codes[name]
	return c, ok
}

// CodeNames returns every FlinksCode the contract knows, sorted.
func CodeNames() []string {
	names := make([]string, 0, len(codes))
	for n := range codes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
