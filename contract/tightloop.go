package contract

import (
	"context"
	"fmt"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// DefaultMaxPollsWithoutWait is how many Async polls of one RequestId in a
// row, with no time between them on a virtual clock, the harness lets an
// integration send before it stops the run.
const DefaultMaxPollsWithoutWait = 100

// tightLoop is why the harness stopped a run: on a virtual clock only
// Target.Sleep moves time, so an integration that never sleeps polls a
// pending RequestId forever, and would hang until the run's time limit.
type tightLoop struct {
	requestID string
	polls     int
}

func (e *tightLoop) Error() string {
	return fmt.Sprintf("the harness stopped the run after %d polls of RequestId %s in a row with no wait between them: on the virtual clock only Target.Sleep moves time, so an integration that never sleeps polls forever; wait Target.PollInterval with Target.Sleep between polls",
		e.polls, e.requestID)
}

// watchTightLoop stops the run (through stop) once limit Async polls of
// one RequestId came in a row at the same instant of the server clock,
// each after a 202.
func watchTightLoop(ctx context.Context, rj *runJournal, limit int, stop context.CancelCauseFunc) {
	last := map[string]journal.Entry{} // RequestId → its latest Async poll
	run := map[string]int{}            // RequestId → polls in a row without a wait
	for i := 0; ; {
		entries, changed := rj.since(i)
		i += len(entries)
		for _, e := range entries {
			if _, async, ok := dataEndpoint(e.Endpoint); !ok || !async || e.Kind == journal.KindWebhook {
				continue
			}
			prev, seen := last[e.RequestID]
			last[e.RequestID] = e
			if !seen || prev.Status != 202 || !e.Time.Equal(prev.Time) {
				run[e.RequestID] = 1
				continue
			}
			run[e.RequestID]++
			if run[e.RequestID] >= limit {
				stop(&tightLoop{requestID: e.RequestID, polls: run[e.RequestID]})
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}
