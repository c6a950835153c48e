package contract_test

import (
	"fmt"
	"time"

	"github.com/flinks-mock/flinks-mock/contract"
	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// Check judges one customer's journal by every rule; here an integration
// that polled one second after a 202.
func ExampleCheck() {
	start := time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
	const rid = "1ffc922d-4f49-4e3a-966c-2b1e78396c88"
	entries := []journal.Entry{
		{Seq: 1, Time: start, Kind: "request", Method: "POST", Endpoint: "GenerateAuthorizeToken", Status: 200},
		{Seq: 2, Time: start, Kind: "request", Method: "POST", Endpoint: "Authorize", Mode: "cached", Token: "fresh", TokenRef: "9f2c", RequestID: rid, Status: 200},
		{Seq: 3, Time: start, Kind: "request", Method: "POST", Endpoint: "GetAccountsDetail", RequestID: rid, APIKey: true, Status: 202, FlinksCode: "OPERATION_PENDING"},
		{Seq: 4, Time: start, Kind: "request", Method: "GET", Endpoint: "GetAccountsDetailAsync", RequestID: rid, APIKey: true, Status: 202, FlinksCode: "OPERATION_PENDING"},
		{Seq: 5, Time: start.Add(time.Second), Kind: "request", Method: "GET", Endpoint: "GetAccountsDetailAsync", RequestID: rid, APIKey: true, Status: 200},
	}
	report := contract.Check(entries, contract.Options{RequireAPIKey: true})
	fmt.Println(report.Passed(), report.FailedIDs())
	res, _ := report.Result("FM005")
	fmt.Print(res.Details())
	// Output:
	// false [FM005-poll-interval]
	// RequestId 1ffc922d-4f49-4e3a-966c-2b1e78396c88 was polled 1 time sooner than 10s after a 202 (the shortest gap was 1s; the first is below); wait 10s between polls
	//     #4 15:04:05.000 GET GetAccountsDetailAsync RequestId=1ffc922d-4f49-4e3a-966c-2b1e78396c88 → 202 OPERATION_PENDING
	//     #5 15:04:06.000 GET GetAccountsDetailAsync RequestId=1ffc922d-4f49-4e3a-966c-2b1e78396c88 → 200
}
