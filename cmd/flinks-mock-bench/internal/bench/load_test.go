package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestDriveStopsAtRequestCount(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	hc := newClient(4)
	defer hc.CloseIdleConnections()

	res := drive(context.Background(), loadPlan{Workers: 4, MaxRequests: 100, MaxDuration: time.Minute},
		requestUnit(hc, request{Method: http.MethodGet, URL: srv.URL, Want: http.StatusOK}))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	// Each worker finishes the request it is in, so a few more than the
	// count may be sent, never fewer and never more than one per worker.
	if res.Requests < 100 || res.Requests > 100+4 {
		t.Errorf("Requests = %d, want 100 to 104", res.Requests)
	}
	if int64(res.Requests) != served.Load() || res.Units != res.Requests {
		t.Errorf("Requests = %d, Units = %d, served = %d: they must agree", res.Requests, res.Units, served.Load())
	}
	if res.Latency.Count() != res.Units {
		t.Errorf("the histogram holds %d latencies for %d units", res.Latency.Count(), res.Units)
	}
	if res.Stopped != "" {
		t.Errorf("Stopped = %q for a load that reached its count", res.Stopped)
	}
}

func TestDriveStopsAtFirstWrongStatus(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 20 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	hc := newClient(2)
	defer hc.CloseIdleConnections()

	res := drive(context.Background(), loadPlan{Workers: 2, MaxRequests: 1_000_000, MaxDuration: time.Minute},
		requestUnit(hc, request{Method: http.MethodPost, URL: srv.URL, Body: []byte(`{}`), Want: http.StatusOK}))
	if res.Err == nil || !strings.Contains(res.Err.Error(), "answered 500, want 200: boom") {
		t.Fatalf("Err = %v, want the 500 quoted", res.Err)
	}
	if res.Requests >= 1_000_000 {
		t.Errorf("the load went on after the error: %d requests", res.Requests)
	}
}

func TestDriveStopsWhenTold(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	hc := newClient(1)
	defer hc.CloseIdleConnections()
	var polls atomic.Int64
	res := drive(context.Background(), loadPlan{Workers: 1, MaxRequests: 1 << 40, MaxDuration: time.Minute, Stop: func() bool { return polls.Add(1) >= 2 }},
		requestUnit(hc, request{Method: http.MethodGet, URL: srv.URL, Want: http.StatusOK}))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Stopped != "stopped by the memory cap" {
		t.Errorf("Stopped = %q, want the memory cap", res.Stopped)
	}
}

func TestDriveNeedsAnEnd(t *testing.T) {
	res := drive(context.Background(), loadPlan{Workers: 1}, func(context.Context, int, int) (int, error) { return 1, nil })
	if res.Err == nil {
		t.Fatal("a load with neither a duration nor a count ran")
	}
}
