package mockserver

import "github.com/flinks-mock/flinks-mock/openapi/toolbox"

// The ids of the Flinks toolbox sandbox, kept here for existing callers.
const (
	// ToolboxSecretKey is the public secret key of the Flinks toolbox
	// sandbox.
	//
	// Deprecated: use toolbox.SecretKey.
	ToolboxSecretKey = toolbox.SecretKey
	// ToolboxCustomerID is the public customerId of the Flinks toolbox
	// sandbox: the tenant of a Connect page whose URL names none.
	//
	// Deprecated: use toolbox.CustomerID.
	ToolboxCustomerID = toolbox.CustomerID
)
