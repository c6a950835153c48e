package inspector

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// redacted is what a view shows in the place of a secret.
const redacted = "[redacted]"

// secretKeys are the fields of a body whose values no view shows, in
// lower case: the tokens, keys and answers a client or the mock sent.
var secretKeys = map[string]bool{
	"token": true, "access_token": true, "password": true, "secret": true,
	"securityresponses": true, "flinks-auth-key": true, "authorization": true,
}

// accountKeys are the fields that hold an account number, shown by their
// last four characters only.
var accountKeys = map[string]bool{"accountnumber": true}

// errCut stops a body drawn past its limit.
var errCut = errors.New("cut")

// prettyRedacted indents a JSON body, its fields in their order, with the
// values of secretKeys replaced and account numbers cut to their last
// four characters. It draws at most limit bytes, and reports whether it
// stopped there. A body that is no JSON is shown as text, cut.
func prettyRedacted(body []byte, limit int) (string, bool) {
	p := printer{dec: json.NewDecoder(bytes.NewReader(body)), limit: limit}
	p.dec.UseNumber()
	err := p.value(0)
	switch {
	case errors.Is(err, errCut):
		return strings.TrimRight(p.out.String(), " \n,"), true
	case err != nil:
		text := string(body)
		if len(text) > limit {
			return cutText(text, limit), true
		}
		return text, false
	}
	return p.out.String(), false
}

// printer writes one JSON value at a time from dec.
type printer struct {
	dec   *json.Decoder
	out   strings.Builder
	limit int
}

func (p *printer) value(depth int) error {
	if p.out.Len() > p.limit {
		return errCut
	}
	tok, err := p.dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		return p.container(v, depth)
	case string:
		p.str(v)
	case json.Number:
		p.out.WriteString(v.String())
	case bool:
		if v {
			p.out.WriteString("true")
		} else {
			p.out.WriteString("false")
		}
	case nil:
		p.out.WriteString("null")
	}
	return nil
}

// container writes an object or an array, whose opening delimiter was
// read.
func (p *printer) container(open json.Delim, depth int) error {
	closing := "]"
	if open == '{' {
		closing = "}"
	}
	p.out.WriteString(open.String())
	n := 0
	for p.dec.More() {
		if n > 0 {
			p.out.WriteString(",")
		}
		n++
		p.newline(depth + 1)
		if open == '{' {
			if err := p.member(depth + 1); err != nil {
				return err
			}
			continue
		}
		if err := p.value(depth + 1); err != nil {
			return err
		}
	}
	if _, err := p.dec.Token(); err != nil {
		return err
	}
	if n > 0 {
		p.newline(depth)
	}
	p.out.WriteString(closing)
	return nil
}

// member writes one field of an object: its name, and its value or what
// stands for it.
func (p *printer) member(depth int) error {
	tok, err := p.dec.Token()
	if err != nil {
		return err
	}
	key, _ := tok.(string)
	p.str(key)
	p.out.WriteString(": ")
	lower := strings.ToLower(key)
	switch {
	case secretKeys[lower]:
		var skip json.RawMessage
		if err := p.dec.Decode(&skip); err != nil {
			return err
		}
		p.str(redacted)
		return nil
	case accountKeys[lower]:
		var raw json.RawMessage
		if err := p.dec.Decode(&raw); err != nil {
			return err
		}
		var number string
		if string(raw) == "null" || json.Unmarshal(raw, &number) != nil {
			p.out.Write(raw) // null, or no text
			return nil
		}
		p.str(lastFour(number))
		return nil
	}
	return p.value(depth)
}

func (p *printer) newline(depth int) {
	p.out.WriteString("\n")
	p.out.WriteString(strings.Repeat("  ", depth))
}

// str writes s as a JSON string, without escaping HTML (the page's
// template does).
func (p *printer) str(s string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	p.out.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// lastFour hides all but the last four characters of an account number.
func lastFour(number string) string {
	r := []rune(number)
	if len(r) <= 4 {
		return strings.Repeat("•", len(r))
	}
	return strings.Repeat("•", len(r)-4) + string(r[len(r)-4:])
}

// cutText cuts s to at most n bytes, on a character boundary.
func cutText(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
