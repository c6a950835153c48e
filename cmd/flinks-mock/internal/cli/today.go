package cli

import (
	"flag"
	"fmt"
	"time"
)

// PinnedHour is the time of day, in UTC, at which a pinned --today starts
// the server clock: noon is twelve hours from either end of the day in
// every time zone, so a run that lasts minutes never crosses midnight.
const PinnedHour = 12

// todayFlag is --today: the date the mock takes for today. Left unset, it
// is the machine's date, as the sandbox's is.
type todayFlag struct{ date time.Time }

func (f *todayFlag) String() string {
	if f == nil || f.date.IsZero() {
		return ""
	}
	return f.date.Format(time.DateOnly)
}

func (f *todayFlag) Set(v string) error {
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return fmt.Errorf("%q is not a date written YYYY-MM-DD, such as 2026-11-02", v)
	}
	if d.Year() < 1900 || d.Year() > 9000 {
		return fmt.Errorf("%q is outside the years 1900 to 9000", v)
	}
	f.date = d
	return nil
}

// pinned reports whether --today was given.
func (f *todayFlag) pinned() bool { return !f.date.IsZero() }

// define adds --today to a command's flags.
func (f *todayFlag) define(fs *flag.FlagSet) {
	fs.Var(f, "today", "the day, `YYYY-MM-DD`, the mock takes for today: generated accounts and transactions end on it and the clock starts at noon UTC of it (default: the machine's date); pin it where output is compared")
}

// start is the time the mock starts at: noon UTC of --today, or the
// machine's time.
func (f *todayFlag) start(p *Program) time.Time {
	if f.pinned() {
		return f.date.Add(PinnedHour * time.Hour)
	}
	return p.now()
}

// now reads the machine's clock.
func (p *Program) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}
