package admin_test

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/flinks-mock/flinks-mock/mockserver/admin"
	"github.com/flinks-mock/flinks-mock/openapi"
)

// clientMethods names the method of the client that calls each operation
// of openapi/admin.yaml.
var clientMethods = map[string]string{
	"GetHealth":             "Health",
	"GetAdminDocument":      "Document",
	"ListScenarios":         "Scenarios",
	"AddScenarios":          "AddScenarios",
	"RemoveScenarios":       "RemoveScenarios",
	"Reset":                 "Reset",
	"GetJournal":            "Journal",
	"ClearJournal":          "ClearJournal",
	"GetClock":              "Clock",
	"AdvanceClock":          "Advance",
	"SetClock":              "SetClock",
	"GetWebhookTargets":     "WebhookTargets",
	"SetWebhookTargets":     "SetWebhookTargets",
	"ListWebhookDeliveries": "Deliveries",
	"FireWebhook":           "FireWebhook",
	"ResendWebhook":         "ResendWebhook",
}

// Every operation of the admin API has a method of the Go client.
func TestTheClientCallsEveryAdminOperation(t *testing.T) {
	ops := regexp.MustCompile(`(?m)^\s+operationId: (\w+)$`).FindAllSubmatch(openapi.AdminDocument(), -1)
	if len(ops) == 0 {
		t.Fatal("no operationId in openapi/admin.yaml")
	}
	client := reflect.TypeOf(&admin.Client{})
	for _, m := range ops {
		op := string(m[1])
		name, ok := clientMethods[op]
		if !ok {
			t.Errorf("the admin operation %s has no method of admin.Client: add one, and name it here", op)
			continue
		}
		if _, ok := client.MethodByName(name); !ok {
			t.Errorf("admin.Client has no method %s for the operation %s", name, op)
		}
	}
	if len(ops) != len(clientMethods) {
		t.Errorf("openapi/admin.yaml has %d operations, this table %d", len(ops), len(clientMethods))
	}
}
