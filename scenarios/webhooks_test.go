package scenarios

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCheckWebhooks covers the checks of settings.webhooks and of a
// login's webhooks, with the exact messages.
func TestCheckWebhooks(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{
			name: "every setting",
			yaml: "settings:\n  webhooks:\n    urls: [http://127.0.0.1:9000/hook, https://hooks.example.test/flinks]\n    secret: s3cret\n    attempts: 3\n    interval: 100ms\n    timeout: 2s\n",
		},
		{
			name: "every login key but drop",
			yaml: oneLogin("webhooks:\n  kyc: true\n  delay: 5s\n  duplicate: 2\n  outOfOrder: true\n  wrongSignature: true\n  body: {HttpStatusCode: 500, FlinksCode: AGGREGATION_ERROR}"),
		},
		{
			name: "drop alone",
			yaml: oneLogin("webhooks:\n  drop: true\n  kyc: true"),
		},
		{
			name: "URL that is no URL",
			yaml: "settings:\n  webhooks:\n    urls: [ftp://x, 'http://', http://a.test/x]\n",
			want: `bank.yaml:3: settings.webhooks.urls[0]: "ftp://x" is not an absolute http or https URL such as http://127.0.0.1:9000/webhook
bank.yaml:3: settings.webhooks.urls[1]: "http://" is not an absolute http or https URL such as http://127.0.0.1:9000/webhook`,
		},
		{
			name: "URL twice",
			yaml: "settings:\n  webhooks:\n    urls:\n      - http://a.test/x\n      - http://a.test/x\n",
			want: `bank.yaml:5: settings.webhooks.urls[1]: "http://a.test/x" is already urls[0]; each URL would get every webhook twice`,
		},
		{
			name: "zero durations",
			yaml: "settings:\n  webhooks:\n    interval: 0s\n    timeout: 0s\n",
			want: `bank.yaml:3: settings.webhooks.interval: must be longer than 0s; leave it out for the server's value
bank.yaml:4: settings.webhooks.timeout: must be longer than 0s; leave it out for the server's value`,
		},
		{
			name: "no attempt",
			yaml: "settings:\n  webhooks:\n    attempts: 0\n",
			want: `bank.yaml:3: settings.webhooks.attempts: must be at least 1, not 0`,
		},
		{
			name: "out of order without KYC",
			yaml: oneLogin("webhooks:\n  outOfOrder: true"),
			want: `bank.yaml:6: logins[0].webhooks.outOfOrder: outOfOrder sends the KYC webhook after the GetAccountsDetail one, so it needs kyc: true`,
		},
		{
			name: "drop with what it cancels",
			yaml: oneLogin("webhooks:\n  drop: true\n  duplicate: 1\n  body: {}"),
			want: `bank.yaml:7: logins[0].webhooks.duplicate: drop sends nothing, so duplicate has no effect; remove one of the two
bank.yaml:8: logins[0].webhooks.body: drop sends nothing, so body has no effect; remove one of the two`,
		},
		{
			name: "zero delay",
			yaml: oneLogin("webhooks:\n  delay: 0s"),
			want: `bank.yaml:6: logins[0].webhooks.delay: must be longer than 0s; leave it out to send at once`,
		},
		{
			name: "body that is no object",
			yaml: oneLogin("webhooks:\n  body: [1]"),
			want: `bank.yaml:6: logins[0].webhooks.body: must be a mapping, not a list`,
		},
		{
			name: "unknown key",
			yaml: oneLogin("webhooks:\n  retries: 3"),
			want: `bank.yaml:6: logins[0].webhooks.retries: unknown field "retries"; allowed: body, delay, drop, duplicate, kyc, onAuthorize, outOfOrder, wrongSignature`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseErrors(t, tt.yaml)
			if got != tt.want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestWebhookSettingsMerge: a later file overrides an earlier one key by
// key, and the parsed files are left as they were.
func TestWebhookSettingsMerge(t *testing.T) {
	parse := func(name, text string) Source {
		t.Helper()
		src, err := Parse(name, []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	first := parse("a.yaml", "settings:\n  webhooks:\n    urls: [http://a.test/1]\n    secret: one\n    attempts: 3\n")
	second := parse("b.yaml", "settings:\n  webhooks:\n    attempts: 5\n    interval: 1m\n")
	lib, err := Build(time.Time{}, first, second)
	if err != nil {
		t.Fatal(err)
	}
	want := &WebhookSettings{URLs: []string{"http://a.test/1"}, Secret: "one", Attempts: 5, Interval: Duration(time.Minute)}
	if !reflect.DeepEqual(lib.Settings.Webhooks, want) {
		t.Errorf("merged webhooks = %+v, want %+v", lib.Settings.Webhooks, want)
	}
	if got := first.File.Settings.Webhooks.Attempts; got != 3 {
		t.Errorf("the first file's attempts became %d: merging changed the parsed file", got)
	}
	none, err := Build(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if none.Settings.Webhooks != nil {
		t.Errorf("a library without webhook settings has %+v", none.Settings.Webhooks)
	}
}

// TestLoginWebhooksBodyIsKeptAsWritten: the replacement body reaches the
// server as JSON, whatever the YAML looked like.
func TestLoginWebhooksBodyIsKeptAsWritten(t *testing.T) {
	src, err := Parse("bank.yaml", []byte(oneLogin("webhooks:\n  body:\n    HttpStatusCode: 500\n    FlinksCode: AGGREGATION_ERROR\n    Message: down")))
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(src.File.Logins[0].Webhooks.Body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"HttpStatusCode": 500.0, "FlinksCode": "AGGREGATION_ERROR", "Message": "down"}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v, want %v", body, want)
	}
}

// TestSchemaMatchesWebhookModel holds the webhook types to the schema,
// field by field, as TestSchemaMatchesModel does for the others.
func TestSchemaMatchesWebhookModel(t *testing.T) {
	defs := schemaDefs(t)
	for _, v := range []any{WebhookSettings{}, LoginWebhooks{}} {
		typ := reflect.TypeOf(v)
		def, ok := defs[typ.Name()].(map[string]any)
		if !ok {
			t.Fatalf("$defs has no %s", typ.Name())
		}
		props, _ := def["properties"].(map[string]any)
		var goNames []string
		for f := range typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			goNames = append(goNames, name)
			if _, ok := props[name]; !ok {
				t.Errorf("field %s (json %q) is missing from $defs/%s/properties", f.Name, name, typ.Name())
			}
		}
		for name := range props {
			if !slices.Contains(goNames, name) {
				t.Errorf("$defs/%s/properties/%s has no field in the Go type", typ.Name(), name)
			}
		}
	}
}
