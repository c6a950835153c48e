package openapi

import "github.com/getkin/kin-openapi/openapi3"

// The documents are built at start-up by the functions of
// documents_gen.go, which go generate writes from flinks.yaml and
// admin.yaml (TestGeneratedDocuments fails when it is out of date): that
// takes a small fraction of the time parsing the YAML takes.
//go:generate go run ../cmd/internal/gen/openapidocs

// The helpers below are called by documents_gen.go.

func ptr[T any](v T) *T { return &v }

func newPaths(ext map[string]any, m map[string]*openapi3.PathItem) *openapi3.Paths {
	p := openapi3.NewPathsWithCapacity(len(m))
	p.Extensions = ext
	for k, v := range m {
		p.Set(k, v)
	}
	return p
}

func newResponses(ext map[string]any, m map[string]*openapi3.ResponseRef) *openapi3.Responses {
	r := openapi3.NewResponsesWithCapacity(len(m))
	r.Extensions = ext
	for k, v := range m {
		r.Set(k, v)
	}
	return r
}

func newCallback(ext map[string]any, m map[string]*openapi3.PathItem) *openapi3.Callback {
	c := openapi3.NewCallbackWithCapacity(len(m))
	c.Extensions = ext
	for k, v := range m {
		c.Set(k, v)
	}
	return c
}
