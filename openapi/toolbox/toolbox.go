// Package toolbox holds the public ids of the Flinks toolbox sandbox, in
// one place: the customerId, the secret key, the x-api-key and the test
// institution that Flinks publishes for its sandbox, and that flinks-mock
// answers to out of the box. Every layer may import it: it imports nothing.
package toolbox

const (
	// CustomerID is the customerId of the toolbox sandbox: the tenant of a
	// Connect page whose URL names none, and the one the examples use.
	CustomerID = "43387ca6-0391-4c82-857d-70d95f087ecb"
	// SecretKey is the secret key of the toolbox sandbox. With no secret
	// key configured the mock accepts it (and any other non-empty key) on
	// /GenerateAuthorizeToken, and in place of a token on /Authorize.
	SecretKey = "c4569c54-e167-4d34-8de6-f4113bc82414"
	// APIKey is the x-api-key of the toolbox sandbox. The contract harness
	// configures the mock to require it on the data endpoints, as Flinks
	// does.
	APIKey = "3d5266a8-b697-48d4-8de6-52e2e2662acc"
	// Institution is the sandbox's test bank, which every scenario library
	// has and the convention usernames sign in to.
	Institution = "FlinksCapital"
)
