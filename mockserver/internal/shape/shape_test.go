package shape

import "testing"

func TestEdits(t *testing.T) {
	const body = `{"HttpStatusCode":200,"Accounts":[{"Id":"a","Title":"Chèques <CAD>","OverdraftLimit":0,"Balance":{"Available":1.5,"Current":200000.0,"Limit":null},"Holder":null,"Transactions":[{"Id":"t1","Balance":1e2},{"Id":"t2","Balance":-3}]},{"Id":"b","Title":"B","Balance":{"Available":null,"Current":2,"Limit":null},"Transactions":[]}],"RequestId":"r"}`
	nulls := func(paths map[string][]string) func(string) []string {
		return func(id string) []string { return paths[id] }
	}
	tests := []struct {
		name string
		edit Edit
		want string
	}{
		{"nothing: the same bytes", Edit{}, body},
		{"WithBalance false", Edit{NoBalance: true},
			`{"HttpStatusCode":200,"Accounts":[{"Id":"a","Title":"Chèques <CAD>","OverdraftLimit":null,"Balance":{"Available":null,"Current":null,"Limit":null},"Holder":null,"Transactions":[{"Id":"t1","Balance":null},{"Id":"t2","Balance":null}]},{"Id":"b","Title":"B","Balance":{"Available":null,"Current":null,"Limit":null},"Transactions":[]}],"RequestId":"r"}`},
		{"nulls per account, through arrays and null parents", Edit{Nulls: nulls(map[string][]string{"a": {"Title", "Transactions.Id", "Holder.Name"}, "b": {"Balance.Current"}})},
			`{"HttpStatusCode":200,"Accounts":[{"Id":"a","Title":null,"OverdraftLimit":0,"Balance":{"Available":1.5,"Current":200000.0,"Limit":null},"Holder":null,"Transactions":[{"Id":null,"Balance":1e2},{"Id":null,"Balance":-3}]},{"Id":"b","Title":"B","Balance":{"Available":null,"Current":null,"Limit":null},"Transactions":[]}],"RequestId":"r"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Apply([]byte(body), AccountsDetail, tt.edit, nil)); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// A varied body keeps what the flow needs: the RequestId, the Ids, the
// status and the accounts themselves.
func TestVariedKeepsWhatTheFlowNeeds(t *testing.T) {
	const body = `{"HttpStatusCode":200,"Accounts":[{"Id":"a","Title":"T","AccountNumber":"1","LastFourDigits":null,"TransitNumber":"7","InstitutionNumber":"777","OverdraftLimit":0,"Balance":{"Available":1,"Current":1,"Limit":null},"Category":"Operations","Type":"Chequing","Currency":"CAD","AccountType":null,"Holder":null,"Transactions":[]}],"InstitutionName":"FlinksCapital","InstitutionId":14,"Institution":"FlinksCapital","RequestId":"r"}`
	for seed := range uint64(500) {
		root, err := parse(Apply([]byte(body), AccountsDetail, Edit{}, &Varied{Seed: seed, Key: "k"}))
		if err != nil {
			t.Fatal(err)
		}
		acc := root.get("Accounts")
		if root.get("RequestId").str() != "r" || string(root.get("HttpStatusCode").raw) != "200" || acc == nil || len(acc.arr) != 1 || acc.arr[0].get("Id").str() != "a" {
			t.Fatalf("varied(%d) lost what the flow needs", seed)
		}
	}
}
