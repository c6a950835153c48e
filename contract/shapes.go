package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

// VariedShapes is the scenario that runs an integration while the mock
// answers in the varied shape: every answer drawn, from a fixed seed,
// among the shapes openapi/flinks.yaml allows (absent optional fields,
// nulls, empty arrays, long and unicode text, zero and negative
// balances). An integration that needs a field Flinks may leave out or
// send as null fails here, as it would on real data.
func VariedShapes() Scenario {
	return Scenario{
		Name: "varied-shapes", Login: "greatday", Shapes: "varied(16)", Want: Want{Accounts: true, AnyBalance: true},
		What: "a live refresh with one security question while every answer takes a legal shape the sandbox never shows: optional fields absent (Login, InstitutionName), nulls (Holder, Balance.Current, Title), empty arrays, long and unicode names, zero and negative balances",
	}
}

// errNoShapes says that the server has no admin API to set the shapes
// with: the scenario is skipped.
var errNoShapes = errors.New("the server has no /__admin/scenarios to set the shapes of a customer with (a flinks-mock serves one)")

// shapesOf sets the shapes a scenario asks for on the customer of its run:
// it says why the scenario is skipped when the server cannot.
func (m Mock) shapesOf(ctx context.Context, customerID string, sc Scenario) (skipped string, err error) {
	if sc.Shapes == "" {
		return "", nil
	}
	err = m.setShapes(ctx, customerID, sc.Shapes)
	if errors.Is(err, errNoShapes) {
		return err.Error(), nil
	}
	return "", err
}

// setShapes has the mock answer a customer in a shape, e.g. varied(16),
// by adding a scenario file with that setting for the customer alone.
func (m Mock) setShapes(ctx context.Context, customerID, shapes string) error {
	if _, err := scenarios.ParseShape(shapes); err != nil {
		return err
	}
	file := map[string]any{"settings": map[string]string{"shapes": shapes}}
	status, body, err := m.adminCall(ctx, http.MethodPost, "scenarios?customerId="+url.QueryEscape(customerID), file)
	switch {
	case err != nil:
		return fmt.Errorf("set the shapes of customer %s: %w", customerID, err)
	case status == http.StatusNotFound:
		return errNoShapes
	case status != http.StatusOK:
		return fmt.Errorf("set the shapes of customer %s to %s: the admin API answered %d: %s", customerID, shapes, status, bytes.TrimSpace(body))
	}
	return nil
}

// withoutBalances is expected with the balances left out: only the Ids
// and the account numbers (sent or null) are compared.
func withoutBalances(expected []Account) []Account {
	out := make([]Account, len(expected))
	for i, a := range expected {
		a.Balance = nil
		out[i] = a
	}
	return out
}
