package mockserver

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestAnswersAfterTheClientLeftAreJournalledUnanswered: a handler busy
// past the client's request timeout writes its answer to nobody; the
// journal says no answer reached the client (status 0), so that the
// client is judged by the answers it had.
func TestAnswersAfterTheClientLeftAreJournalledUnanswered(t *testing.T) {
	s := internalServer(t, Config{})
	started := make(chan struct{})
	answered := make(chan struct{})
	hs := httptest.NewServer(s.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(answered)
		close(started)
		<-r.Context().Done() // busy until the client has gone
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"HttpStatusCode":200}`))
	})))
	defer hs.Close()

	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL+"/busy", nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		<-started
		cancel() // the client gives up
	}()
	if resp, err := http.DefaultClient.Do(req); !errors.Is(err, context.Canceled) {
		if err == nil {
			resp.Body.Close()
		}
		t.Fatalf("the client got %v, want it to have given up", err)
	}
	<-answered
	entries := s.Journal("")
	if len(entries) != 1 || entries[0].Status != 0 || entries[0].Path != "/busy" {
		t.Errorf("journal %+v, want the request with status 0: its answer was written after the client left", entries)
	}
}
