package contract

import (
	"slices"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// The journal keeps entries in the order the mock answered them (Seq),
// each with the time its request arrived (Time). For an integration that
// waits for each answer before its next request the two orders agree. One
// that gives up on a slow answer (its request timeout) and sends the
// request again has two requests in flight: the mock may answer the retry
// first, and the request given up on then comes later in the journal with
// an earlier time, with an answer that never reached the integration. The
// rules judge what the integration did in the order it did it, and only by
// the answers it had.

// inSendOrder returns entries in the order their requests arrived: by
// Time, and in journal order among those that arrived at the same time (on
// a virtual clock, every request between two sleeps).
func inSendOrder(entries []journal.Entry) []journal.Entry {
	if slices.IsSortedFunc(entries, byTime) {
		return entries
	}
	out := slices.Clone(entries)
	slices.SortStableFunc(out, byTime)
	return out
}

func byTime(a, b journal.Entry) int { return a.Time.Compare(b.Time) }

// answeredLate reports, for each request of reqs (in send order), whether
// its answer came only after the mock had answered the same request sent
// later (requestKey): the integration had given up on it, so it never had
// that answer.
func answeredLate(reqs []journal.Entry) []bool {
	late := make([]bool, len(reqs))
	answeredFirst := map[string]uint64{} // key → the least Seq among the requests sent after
	for i := len(reqs) - 1; i >= 0; i-- {
		e := reqs[i]
		k := requestKey(e)
		if seq, ok := answeredFirst[k]; ok && seq < e.Seq {
			late[i] = true
			continue
		}
		answeredFirst[k] = e.Seq
	}
	return late
}
