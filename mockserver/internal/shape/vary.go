package shape

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Varied draws the shape of one answer from a seed: the same seed and key
// give the same bytes; another key (another login, endpoint or session)
// another shape.
type Varied struct {
	Seed uint64
	Key  string
}

// How often each legal change is drawn, per field where it is legal.
const (
	chanceAbsent = 0.3  // an optional field is left out
	chanceNull   = 0.25 // a nullable field is null
	chanceEmpty  = 0.2  // an array is empty
	chanceText   = 0.35 // a free-text string is long, unicode or odd
	chanceAmount = 0.3  // a balance is zero or negative
	chanceEnum   = 0.1  // an enum takes another of its values
)

// frozen fields are never changed: the flow needs them as they are to go
// on (the RequestId to call again, the Ids to filter on, the challenges to
// answer), or they say what the answer is.
var frozen = map[string]bool{
	"HttpStatusCode": true, "StatusCode": true, "FlinksCode": true, "ResponseType": true,
	"RequestId": true, "Id": true, "Token": true, "SecurityChallenges": true,
	"UniqueId": true, "FileType": true, "Base64Bytes": true,
}

// kept fields are varied inside but never left out, null or empty: a
// client needs the accounts to have anything to read.
var kept = map[string]bool{"Accounts": true, "StatementsByAccount": true}

// freeText fields are names and labels a person wrote or reads: any text
// is legal there.
var freeText = map[string]bool{
	"Title": true, "Description": true, "Name": true, "InstitutionName": true,
	"CivicAddress": true, "City": true, "Username": true,
}

// amounts are the balances, which may be zero or below zero (an overdrawn
// account, a credit card in credit).
var amounts = map[string]bool{"Available": true, "Current": true, "Balance": true, "Limit": true, "OverdraftLimit": true}

// texts are the odd but legal values of free text: accents, CJK, emoji,
// right-to-left, spaces and the empty string.
var texts = []string{
	"Françoise Lévesque-Côté", "Hélène Bérubé-Gagné", "Zoë Ñúñez Ørsted", "王小明", "山田 太郎",
	"김민준", "مريم الحسيني", "Compte chèques — épargne 🇨🇦", "Épicerie 🍎 Métro", "💳 Carte 🏦",
	"  espaces  autour  ", "", "O'Brien & \"Fils\" <Ltée>", "Tab\there", "Line\nbreak",
}

func (v *Varied) rng() *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(v.Key))
	return rand.New(rand.NewPCG(v.Seed, h.Sum64()))
}

// draw varies a parsed answer in place.
func (v *Varied) draw(root *node, s *openapi3.Schema) {
	d := drawer{r: v.rng()}
	d.value(root, s, "")
}

type drawer struct{ r *rand.Rand }

func (d *drawer) chance(p float64) bool { return d.r.Float64() < p }

func (d *drawer) value(n *node, s *openapi3.Schema, name string) {
	switch {
	case s == nil || frozen[name]:
	case n.kind == '{':
		d.object(n, s)
	case n.kind == '[':
		if s.Items != nil {
			for _, item := range n.arr {
				d.value(item, s.Items.Value, name)
			}
		}
	case !n.isNil:
		d.scalar(n, s, name)
	}
}

func (d *drawer) object(n *node, s *openapi3.Schema) {
	out := n.obj[:0]
	for _, m := range n.obj {
		if d.member(&m, s) {
			out = append(out, m)
		}
	}
	n.obj = out
}

// member draws the shape of one member of an object of schema s, and
// reports whether it stays (an optional member may go).
func (d *drawer) member(m *member, s *openapi3.Schema) bool {
	ref := s.Properties[m.key]
	if ref == nil || ref.Value == nil || frozen[m.key] || kept[m.key] {
		d.keep(m, ref)
		return true
	}
	p := ref.Value
	switch {
	case !slices.Contains(s.Required, m.key) && d.chance(chanceAbsent):
		return false
	case p.Nullable && !m.val.isNil && d.chance(chanceNull):
		m.val = null()
	case m.val.kind == '[' && len(m.val.arr) > 0 && p.MinItems == 0 && d.chance(chanceEmpty):
		m.val = &node{kind: '['}
	default:
		d.value(m.val, p, m.key)
	}
	return true
}

// keep draws inside a member that must stay as it is: only a kept one
// (a list the flow needs) has its inside drawn.
func (d *drawer) keep(m *member, ref *openapi3.SchemaRef) {
	if ref != nil && kept[m.key] {
		d.value(m.val, ref.Value, m.key)
	}
}

func (d *drawer) scalar(n *node, s *openapi3.Schema, name string) {
	switch {
	case s.Type.Is(openapi3.TypeString) && len(s.Enum) > 1 && d.chance(chanceEnum):
		if e, ok := s.Enum[d.r.IntN(len(s.Enum))].(string); ok {
			*n = *text(e)
		}
	case s.Type.Is(openapi3.TypeString) && freeText[name] && s.Pattern == "" && len(s.Enum) == 0 && d.chance(chanceText):
		*n = *text(d.oddText())
	case s.Type.Is(openapi3.TypeNumber) && amounts[name] && d.chance(chanceAmount):
		n.raw = []byte(d.oddAmount(name))
	}
}

// oddText is a unicode, odd or long text.
func (d *drawer) oddText() string {
	if d.chance(0.25) {
		// Longer than any field a form would allow: 300 to 2000 runes.
		return strings.Repeat("Très long libellé ✓ 長い ", 12+d.r.IntN(70))
	}
	return texts[d.r.IntN(len(texts))]
}

// oddAmount is zero or a negative amount; a limit is only ever zero.
func (d *drawer) oddAmount(name string) string {
	if name == "Limit" || name == "OverdraftLimit" || d.chance(0.4) {
		return "0"
	}
	cents := 1 + d.r.IntN(500000)
	return "-" + strconv.FormatFloat(float64(cents)/100, 'f', -1, 64)
}
