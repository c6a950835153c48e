package bench

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/flinks-mock/flinks-mock/openapi/toolbox"
)

// launch is one way to start a server for the cold start: a binary and
// its arguments.
type launch struct {
	name string
	bin  string
	args []string
}

// coldStarts launches each server n times, alternating between them so
// that a noisy moment of the machine hits both alike, and returns for each
// the time from process start to the first 200 of GenerateAuthorizeToken.
func coldStarts(ctx context.Context, n int, launches ...launch) ([][]time.Duration, error) {
	out := make([][]time.Duration, len(launches))
	for range n {
		for i, l := range launches {
			d, err := coldStart(ctx, l)
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], d)
		}
	}
	return out, nil
}

// coldStart starts one server, asks it for an authorize token on a new
// connection until it answers 200, and stops it.
func coldStart(ctx context.Context, l launch) (time.Duration, error) {
	c, err := startChild(ctx, l.name, l.bin, l.args...)
	if err != nil {
		return 0, err
	}
	defer func() { _ = c.stop() }()
	hc := &http.Client{
		Transport: &http.Transport{DisableKeepAlives: true},
		Timeout:   5 * time.Second,
	}
	fc := &flinksClient{hc: stdClient{hc}, base: c.URL}
	deadline := time.Now().Add(startTimeout)
	for {
		_, err := send(ctx, fc.hc, request{
			Method: http.MethodPost, URL: fc.url(hotCustomerID, "GenerateAuthorizeToken"),
			AuthKey: toolbox.SecretKey, Want: http.StatusOK,
		})
		if err == nil {
			return time.Since(c.Started), nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return 0, fmt.Errorf("cold start of %s: no 200 from GenerateAuthorizeToken: %w", l.name, err)
		}
		time.Sleep(time.Millisecond)
	}
}

// median returns the middle value (the mean of the two middle values for
// an even count), 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
