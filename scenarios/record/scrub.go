package record

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/flinks-mock/flinks-mock/scenarios"
	"github.com/google/uuid"
)

// Scrubber replaces personal data with fakes. The fake of a value comes
// from an HMAC of the value under the Scrubber's key, so within one
// recording the same value always gets the same fake (an account number
// shared by two answers stays shared), and a fake never equals the value
// it replaces. Without the key a fake tells nothing of its value.
type Scrubber struct {
	key []byte
}

// NewScrubber returns a Scrubber keyed by key; a recording uses a random
// key of its own.
func NewScrubber(key []byte) *Scrubber {
	return &Scrubber{key: append([]byte(nil), key...)}
}

// stream returns the bytes of HMAC(key, kind | value | n) for n = 0, 1,
// ... one after the other: as many pseudo-random bytes as a fake needs,
// depending on the value and on what kind of value it is.
func (s *Scrubber) stream(kind, value string, round int) func() uint64 {
	var (
		buf []byte
		n   uint32
	)
	return func() uint64 {
		if len(buf) < 8 {
			m := hmac.New(sha256.New, s.key)
			fmt.Fprintf(m, "%s\x00%s\x00%d\x00%d", kind, value, round, n)
			n++
			buf = m.Sum(nil)
		}
		v := binary.BigEndian.Uint64(buf)
		buf = buf[8:]
		return v
	}
}

// fake calls build with a stream for the value until it makes something
// other than the value (or the value is empty, which stays empty).
func (s *Scrubber) fake(kind, value string, build func(next func() uint64) string) string {
	if value == "" {
		return ""
	}
	for round := 0; ; round++ {
		if out := build(s.stream(kind, value, round)); out != value || round >= 8 {
			return out
		}
	}
}

// Digits replaces every digit of v by another digit and keeps the other
// characters, so a fake keeps the format of its value: "514-555-0142"
// becomes something like "872-031-6650", "0914" four digits. kind keeps
// apart values of different fields that happen to be equal.
func (s *Scrubber) Digits(kind, v string) string {
	return s.fake(kind, v, func(next func() uint64) string {
		b := []byte(v)
		for i, c := range b {
			if c >= '0' && c <= '9' {
				b[i] = '0' + byte(next()%10)
			}
		}
		return string(b)
	})
}

// Pattern replaces letters by letters and digits by digits, keeping case
// and every other character: a postal code "H3G 1P1" stays of that form.
func (s *Scrubber) Pattern(kind, v string) string {
	return s.fake(kind, v, func(next func() uint64) string {
		b := []byte(v)
		for i, c := range b {
			switch {
			case c >= '0' && c <= '9':
				b[i] = '0' + byte(next()%10)
			case c >= 'A' && c <= 'Z':
				b[i] = 'A' + byte(next()%26)
			case c >= 'a' && c <= 'z':
				b[i] = 'a' + byte(next()%26)
			}
		}
		return string(b)
	})
}

// pick chooses one of a list.
func pick(next func() uint64, list []string) string {
	return list[next()%uint64(len(list))]
}

// Name replaces a person's or a company's name by a fictional one.
func (s *Scrubber) Name(v string) string {
	return s.fake("name", v, func(next func() uint64) string {
		return pick(next, firstNames()) + " " + pick(next, lastNames())
	})
}

// Email replaces an email address by one at example.com.
func (s *Scrubber) Email(v string) string {
	return s.fake("email", v, func(next func() uint64) string {
		return fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(pick(next, firstNames())), strings.ToLower(pick(next, lastNames())), next()%100)
	})
}

// CivicAddress replaces a street address by a fictional one whose number
// has as many digits as the first number of the value.
func (s *Scrubber) CivicAddress(v string) string {
	return s.fake("civic", v, func(next func() uint64) string {
		digits := 0
		for _, f := range strings.Fields(v) {
			if strings.Trim(f, "0123456789") == "" {
				digits = len(f)
				break
			}
		}
		number := fmt.Sprint(1 + next()%9)
		for range max(digits, 1) - 1 {
			number += fmt.Sprint(next() % 10)
		}
		return number + " " + pick(next, streets())
	})
}

// City replaces a city by a fictional one.
func (s *Scrubber) City(v string) string {
	return s.fake("city", v, func(next func() uint64) string { return pick(next, cities()) })
}

// Description replaces a transaction description by a fictional merchant
// with a number, so that different descriptions stay (almost always)
// different.
func (s *Scrubber) Description(v string) string {
	return s.fake("description", v, func(next func() uint64) string {
		return fmt.Sprintf("%s #%04d", pick(next, merchants()), next()%10000)
	})
}

// Username replaces a username by "recorded_" and eight hex digits. A
// username is matched without regard to case, so its fake is too.
func (s *Scrubber) Username(v string) string {
	return s.fake("username", strings.ToLower(v), func(next func() uint64) string {
		return fmt.Sprintf("recorded_%08x", next()&0xffffffff)
	})
}

// LoginID replaces a LoginId by a random-looking UUID (version 4). A
// LoginId is matched without regard to case, so its fake is too.
func (s *Scrubber) LoginID(v string) string {
	return s.fake("loginid", strings.ToLower(v), func(next func() uint64) string {
		var id uuid.UUID
		binary.BigEndian.PutUint64(id[:8], next())
		binary.BigEndian.PutUint64(id[8:], next())
		id[6] = id[6]&0x0f | 0x40 // version 4
		id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
		return id.String()
	})
}

// Answer replaces an MFA answer or choice by letters for its letters and
// digits for its digits, in lower case: the mock accepts an answer in any
// case and with spaces around it, so "Blue", "blue " and "BLUE" get the
// same fake.
func (s *Scrubber) Answer(v string) string {
	return s.Pattern("answer", strings.ToLower(strings.TrimSpace(v)))
}

// Holder scrubs a holder: name, address (but the province and country),
// email and phone number. It returns a new Holder.
func (s *Scrubber) Holder(h *scenarios.Holder) *scenarios.Holder {
	if h == nil {
		return nil
	}
	out := *h
	out.Name = s.Name(h.Name)
	out.Email = s.Email(h.Email)
	out.PhoneNumber = s.Digits("phone", h.PhoneNumber)
	out.Address.CivicAddress = s.CivicAddress(h.Address.CivicAddress)
	out.Address.City = s.City(h.Address.City)
	out.Address.PostalCode = s.Pattern("postal", h.Address.PostalCode)
	if h.Address.POBox != nil {
		box := s.Digits("pobox", *h.Address.POBox)
		out.Address.POBox = &box
	}
	return &out
}

// Account scrubs an account: its holder, account, last four and transit
// numbers, the account number where the title shows it, and the
// description of every transaction. Ids, amounts, balances and dates
// stay. It returns a new Account.
func (s *Scrubber) Account(a scenarios.Account) scenarios.Account {
	out := a
	out.Holder = s.Holder(a.Holder)
	out.AccountNumber = s.Digits("account", a.AccountNumber)
	last4, fake4 := "", ""
	switch {
	case a.LastFourDigits == nil:
	case len(*a.LastFourDigits) == 4 && len(out.AccountNumber) >= 4 && strings.HasSuffix(a.AccountNumber, *a.LastFourDigits):
		// The last four of the fake, when they were those of the value.
		last4, fake4 = *a.LastFourDigits, out.AccountNumber[len(out.AccountNumber)-4:]
		out.LastFourDigits = &fake4
	default:
		last4, fake4 = *a.LastFourDigits, s.Digits("lastfour", *a.LastFourDigits)
		out.LastFourDigits = &fake4
	}
	out.TransitNumber = s.Digits("transit", a.TransitNumber)
	for _, shown := range []struct{ real, fake string }{{a.AccountNumber, out.AccountNumber}, {last4, fake4}} {
		if len(shown.real) >= 4 {
			out.Title = strings.ReplaceAll(out.Title, shown.real, shown.fake)
		}
	}
	out.Transactions = make([]scenarios.Transaction, len(a.Transactions))
	for i, tx := range a.Transactions {
		tx.Description = s.Description(tx.Description)
		out.Transactions[i] = tx
	}
	return out
}

func firstNames() []string {
	return []string{"Avery", "Blake", "Casey", "Dana", "Eden", "Finley", "Gray", "Harper", "Indigo", "Jules",
		"Kai", "Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Taylor", "Umi", "Val", "Wren", "Yael"}
}

func lastNames() []string {
	return []string{"Abbott", "Bellerose", "Cardinal", "Desrosiers", "Ellison", "Fairweather", "Gallant", "Hawthorne",
		"Ingram", "Jolicoeur", "Kingsley", "Lafleur", "Marchetti", "Northcott", "Okafor", "Pelletier", "Quesnel",
		"Rowntree", "Sauvé", "Thibodeau", "Underhill", "Vasquez", "Whitford", "Yarrow"}
}

func streets() []string {
	return []string{"Example Street", "Sample Avenue", "Placeholder Road", "Fictional Boulevard", "Test Lane",
		"Imaginary Crescent", "Mock Drive", "Pretend Way", "Demo Court", "Invented Place"}
}

func cities() []string {
	return []string{"Maplewood", "Riverside", "Lakeview", "Pinecrest", "Brookfield", "Cedar Falls", "Fairhaven",
		"Greystone", "Hillcrest", "Northbridge"}
}

func merchants() []string {
	return []string{"GROCERY STORE", "COFFEE SHOP", "GAS STATION", "PHARMACY", "RESTAURANT", "HARDWARE STORE",
		"BOOKSHOP", "CINEMA", "TRANSIT PASS", "PHONE BILL", "INTERNET BILL", "HYDRO BILL", "INSURANCE",
		"RENT PAYMENT", "PAYROLL DEPOSIT", "E-TRANSFER", "ATM WITHDRAWAL", "ONLINE STORE", "BAKERY", "GYM",
		"BANK FEE", "INTEREST", "CARD PAYMENT", "TRANSFER"}
}
