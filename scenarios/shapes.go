package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/flinks-mock/flinks-mock/openapi"
)

// ShapesVaried is the mode of Settings.Shapes "varied(seed)": every answer
// is drawn, from the seed, among the shapes the contract allows.
const ShapesVaried = "varied"

// Shape is a parsed Settings.Shapes.
type Shape struct {
	// Mode is ShapesFull, ShapesMinimal or ShapesVaried.
	Mode string
	// Seed picks the shapes of the varied mode.
	Seed uint64
}

// Varied reports whether the shape is drawn from a seed.
func (s Shape) Varied() bool { return s.Mode == ShapesVaried }

// String writes the shape as Settings.Shapes and --shapes take it.
func (s Shape) String() string {
	if s.Varied() {
		return fmt.Sprintf("%s(%d)", ShapesVaried, s.Seed)
	}
	return s.Mode
}

// ParseShape reads "full", "minimal" or "varied(seed)" (seed a number
// from 0 to 2^64-1); "" is full.
func ParseShape(text string) (Shape, error) {
	t := strings.TrimSpace(text)
	switch t {
	case "", ShapesFull:
		return Shape{Mode: ShapesFull}, nil
	case ShapesMinimal:
		return Shape{Mode: ShapesMinimal}, nil
	}
	if inner, ok := strings.CutPrefix(t, ShapesVaried+"("); ok {
		if digits, ok := strings.CutSuffix(inner, ")"); ok {
			seed, err := strconv.ParseUint(strings.TrimSpace(digits), 10, 64)
			if err == nil {
				return Shape{Mode: ShapesVaried, Seed: seed}, nil
			}
		}
	}
	return Shape{}, fmt.Errorf("%q is not a shape: use full, minimal or varied(seed), e.g. varied(42)", text)
}

// Shape returns the shape the settings ask for, and whether they ask for
// one (a library that sets none leaves the choice to the server).
func (s Settings) Shape() (Shape, bool) {
	if s.Shapes == "" {
		return Shape{Mode: ShapesFull}, false
	}
	sh, err := ParseShape(s.Shapes)
	if err != nil {
		// Validated at load: only a hand-built library gets here.
		return Shape{Mode: ShapesFull}, true
	}
	return sh, true
}

// NullsOf returns the field paths a login's answers send as null for an
// account: the login's nulls, then the account's own.
func (l *Login) NullsOf(acc *Account) []string {
	if len(acc.Nulls) == 0 {
		return l.Nulls
	}
	return append(append([]string(nil), l.Nulls...), acc.Nulls...)
}

// checkNulls checks that each path of a nulls list names a field of an
// account that the contract lets be null.
func (c *checker) checkNulls(path string, nulls []string) {
	for i, p := range nulls {
		if err := openapi.NullablePath("Account", p); err != nil {
			c.fail(fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("%q: %v", p, err))
		}
	}
}
