package scenarios

import (
	"strconv"
	"strings"
)

// Error is one problem in a scenario file, located by file, line and field
// path, e.g. "bank.yaml:14: logins[2].mfa.rounds[0].challenges[0].answers:
// required".
type Error struct {
	// File is the name the file was loaded by (may be empty for a body
	// posted to the admin API).
	File string
	// Line is 1-based; 0 when unknown.
	Line int
	// Path is the field path, e.g. "logins[2].loginId"; empty for the
	// whole document.
	Path string
	// Msg says what is wrong and, where it helps, what is allowed.
	Msg string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one or more files, in file order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
