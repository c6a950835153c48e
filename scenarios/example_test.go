package scenarios_test

import (
	"fmt"
	"time"

	"github.com/flinks-mock/flinks-mock/scenarios"
)

func ExampleParse() {
	_, err := scenarios.Parse("bank.yaml", []byte(`logins:
  - name: greatday
    username: Greatday
    loginId: 396fc774-7f7a-4c31-7c44-08da172863b5
    mfa:
      rounds:
        - challenges:
            - prompt: What city were you born in?
              colour: blue
    accountsDetail:
      - respond: ok
`))
	fmt.Println(err)
	// Output:
	// bank.yaml:8: logins[0].mfa.rounds[0].challenges[0].answers: required
	// bank.yaml:9: logins[0].mfa.rounds[0].challenges[0].colour: unknown field "colour"; allowed: answers, iterables, prompt, type
}

func ExampleLoad() {
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	lib, err := scenarios.Load(now, false, "testdata/good")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range lib.Logins {
		fmt.Printf("%s: %s at %s, %d account(s), MFA %v\n", l.Name, l.Username, l.Institution, len(l.AllAccounts()), l.MFA != nil)
	}
	fmt.Println("token lifetime:", lib.Settings.TokenLifetime)
	// Output:
	// maple: jo at FlinksCapital, 1 account(s), MFA true
	// cards: cardholder at FlinksCapital, 0 account(s), MFA false
	// token lifetime: 2m0s
}
