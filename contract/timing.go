package contract

import (
	"fmt"
	"time"

	"github.com/flinks-mock/flinks-mock/mockserver/journal"
)

// unscaledTiming says, for a run on a scaled clock (scale real seconds per
// mock second, below 1), whether the integration waited the guide's
// figures in real time instead of the scaled ones it was given: then most
// of its waits between polls last MinPollInterval/scale on the mock's
// clock, and a client that is right in every other way fails FM006. It
// returns "" when nothing points to it.
func unscaledTiming(entries []journal.Entry, o Options, scale float64) string {
	if scale <= 0 || scale >= 1 {
		return ""
	}
	o = o.withDefaults()
	unscaled := time.Duration(float64(o.MinPollInterval) / scale)
	gaps, matching := 0, 0
	for _, c := range dataChains(entries) {
		for i := 1; i < len(c.calls); i++ {
			prev, cur := c.calls[i-1], c.calls[i]
			_, curAsync, _ := dataEndpoint(cur.Endpoint)
			if !curAsync || prev.Status != 202 || c.late[i-1] {
				continue
			}
			gap := cur.Time.Sub(prev.Time)
			if gap < o.MinPollInterval {
				continue // the poll that follows the first 202 at once
			}
			gaps++
			if gap >= unscaled*9/10 && gap <= unscaled*3/2 {
				matching++
			}
		}
	}
	if matching == 0 || matching*2 < gaps {
		return ""
	}
	return fmt.Sprintf("the integration ignores the scaled timing: it waited about %s of real time between polls (%s on the mock's clock, at time scale %v), the guide's figure unscaled. Read FLINKS_POLL_INTERVAL, FLINKS_TIMEOUT and FLINKS_RETRY_BACKOFF (Target.PollInterval, Timeout and RetryBackoff in Go), which are the guide's 10 s, 30 min and 10 s scaled to the mock's clock; with them hard-coded a client polls too slowly here and fails FM006 although it is right",
		seconds(time.Duration(float64(unscaled)*scale)), seconds(unscaled), scale)
}
