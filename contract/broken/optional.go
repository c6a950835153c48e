package broken

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/flinks-mock/flinks-mock/contract"
)

// TrustOptionalFields reads fields of the GetAccountsDetail 200 that Flinks
// may leave out or send as null (Login, an account's Holder and its
// address, Balance.Current) as if they were always there: it crashes on
// the first one missing. The sandbox shape always has them, so it breaks
// no rule: it fails the varied-shapes scenario, where they go missing.
const TrustOptionalFields Flaw = "trust-optional-fields"

// CrashCase is a flaw that breaks no rule of the journal but makes the
// integration crash in one scenario, and the scenario.
type CrashCase struct {
	Flaw     Flaw
	Scenario string
}

// CrashCases returns the flaws that crash in one scenario.
func CrashCases() []CrashCase {
	return []CrashCase{{TrustOptionalFields, contract.VariedShapes().Name}}
}

// trustingClient is the HTTP client of TrustOptionalFields: it reads the
// optional fields of each GetAccountsDetail 200 as it arrives.
func trustingClient() *http.Client {
	return &http.Client{Transport: trustingTransport{http.DefaultTransport}}
}

type trustingTransport struct{ next http.RoundTripper }

func (t trustingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(req.URL.Path, "/GetAccountsDetail") {
		return resp, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	if err := readOptionalFields(raw); err != nil {
		return nil, err
	}
	return resp, nil
}

// detailWithOptionals is the part of a GetAccountsDetail 200 the flaw
// reads, with the fields Flinks may leave out or send as null as pointers.
type detailWithOptionals struct {
	Login *struct {
		Username *string
	}
	Accounts []struct {
		Holder *struct {
			Name    *string
			Address *struct{ City *string }
		}
		Balance struct{ Current *float64 }
	}
}

// readOptionalFields dereferences the optional fields of a body, as a
// client that trusts them does; the nil dereference it then meets is
// its crash.
func readOptionalFields(raw []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v (a field of the GetAccountsDetail 200 that Flinks may leave out or send as null)", contract.ErrCrashed, r)
		}
	}()
	var d detailWithOptionals
	if json.Unmarshal(raw, &d) != nil {
		return nil
	}
	summary := *d.Login.Username
	for _, acc := range d.Accounts {
		summary += *acc.Holder.Name + *acc.Holder.Address.City + fmt.Sprintf("%.2f", *acc.Balance.Current)
	}
	_ = summary
	return nil
}
