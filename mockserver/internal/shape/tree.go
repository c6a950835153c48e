// Package shape changes the shape of a Flinks answer after it is encoded:
// the varied shape (each answer drawn, from a seed, among the shapes
// openapi/flinks.yaml allows), the nulls a scenario asks for, and the
// balances a request with WithBalance false leaves out. It works on the
// JSON bytes, keeping the order of the fields and every byte it does not
// change, so the full shape, which needs none of it, costs nothing.
package shape

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// node is one JSON value: an object (its members in order), an array, or
// a scalar kept as its bytes.
type node struct {
	kind  byte // '{', '[' or 0 for a scalar
	obj   []member
	arr   []*node
	raw   []byte
	isNil bool
}

type member struct {
	key string
	val *node
}

var nullBytes = []byte("null")

func null() *node { return &node{raw: nullBytes, isNil: true} }

// parse reads one JSON value.
func parse(body []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	n, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("shape: more than one JSON value")
	}
	return n, nil
}

func parseValue(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return parseObject(dec)
		}
		return parseArray(dec)
	case nil:
		return null(), nil
	}
	raw, err := encodeScalar(tok)
	return &node{raw: raw}, err
}

func parseObject(dec *json.Decoder) (*node, error) {
	n := &node{kind: '{'}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		v, err := parseValue(dec)
		if err != nil {
			return nil, err
		}
		n.obj = append(n.obj, member{key: key, val: v})
	}
	_, err := dec.Token() // '}'
	return n, err
}

func parseArray(dec *json.Decoder) (*node, error) {
	n := &node{kind: '['}
	for dec.More() {
		v, err := parseValue(dec)
		if err != nil {
			return nil, err
		}
		n.arr = append(n.arr, v)
	}
	_, err := dec.Token() // ']'
	return n, err
}

// encodeScalar writes a scalar token as the mock's encoder does: without
// HTML escaping.
func encodeScalar(v any) ([]byte, error) {
	if num, ok := v.(json.Number); ok {
		return []byte(num), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// text is a scalar node holding a string.
func text(s string) *node {
	raw, _ := encodeScalar(s)
	return &node{raw: raw}
}

// write appends the JSON of n to b.
func (n *node) write(b *bytes.Buffer) {
	switch n.kind {
	case '{':
		b.WriteByte('{')
		for i, m := range n.obj {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := encodeScalar(m.key)
			b.Write(k)
			b.WriteByte(':')
			m.val.write(b)
		}
		b.WriteByte('}')
	case '[':
		b.WriteByte('[')
		for i, v := range n.arr {
			if i > 0 {
				b.WriteByte(',')
			}
			v.write(b)
		}
		b.WriteByte(']')
	default:
		b.Write(n.raw)
	}
}

// get returns the value of a member of an object node, nil when absent.
func (n *node) get(key string) *node {
	if n == nil || n.kind != '{' {
		return nil
	}
	for _, m := range n.obj {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// str is the string a scalar node holds ("" for any other node).
func (n *node) str() string {
	var s string
	if n == nil || n.kind != 0 || json.Unmarshal(n.raw, &s) != nil {
		return ""
	}
	return s
}
