package openapi

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// schemas builds the component schemas of the Flinks document once per
// process, without a router: the shapes of the answers read them.
var schemas = sync.OnceValues(func() (openapi3.Schemas, error) {
	doc, err := buildDocument(flinksSource())
	if err != nil {
		return nil, err
	}
	return doc.Components.Schemas, nil
})

// Schema returns a component schema of the Flinks document by name, e.g.
// "AccountsDetail". The schema is shared: read it, never change it.
func Schema(name string) (*openapi3.Schema, error) {
	all, err := schemas()
	if err != nil {
		return nil, err
	}
	ref, ok := all[name]
	if !ok || ref.Value == nil {
		return nil, fmt.Errorf("%s has no schema %q", flinksSource().file, name)
	}
	return ref.Value, nil
}

// NullablePath checks that a dotted field path, e.g. "Balance.Current" or
// "Transactions.Description", names a field of the component schema that
// may be null; an array on the way stands for each of its items. The
// error says which step of the path is wrong and why.
func NullablePath(schemaName, path string) error {
	s, err := Schema(schemaName)
	if err != nil {
		return err
	}
	at := schemaName
	parts := strings.Split(path, ".")
	for i, name := range parts {
		for s.Items != nil && s.Type.Is(openapi3.TypeArray) {
			s = s.Items.Value
		}
		prop, ok := s.Properties[name]
		if !ok || prop.Value == nil {
			return fmt.Errorf("%s has no field %q; its fields are %s", at, name, strings.Join(propertyNames(s), ", "))
		}
		s, at = prop.Value, at+"."+name
		if i == len(parts)-1 && !s.Nullable {
			return fmt.Errorf("%s may not be null in %s", at, flinksSource().file)
		}
	}
	return nil
}

func propertyNames(s *openapi3.Schema) []string {
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
