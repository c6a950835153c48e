package mockserver_test

import (
	"net/http"
	"runtime"
	"testing"
)

// maxHotPathAllocs bounds the allocations of one poll of a ready session,
// request validation and the journal included.
const maxHotPathAllocs = 10

// maxHotPathBytes bounds the bytes those allocations take, on average
// over many polls: what the collector has to reclaim per request.
const maxHotPathBytes = 640

// TestHotPathAllocations: POST GetAccountsDetail and GET
// GetAccountsDetailAsync on a ready session allocate at most
// maxHotPathAllocs times each, maxHotPathBytes bytes in all. An
// allocation count, unlike a time, is the
// same on every machine; the race detector adds its own, so a -race build
// skips the test.
func TestHotPathAllocations(t *testing.T) {
	if raceBuild {
		t.Skip("the race detector allocates on its own")
	}
	h := benchServer(t)
	id, _ := readySession(t, h)
	base := benchBase(benchCustomerID)
	for _, tt := range []struct {
		name string
		rr   *reusedRequest
	}{
		{"POST GetAccountsDetail", newReusedRequest(http.MethodPost, base+"GetAccountsDetail", detailRequest(id))},
		{"GET GetAccountsDetailAsync", newReusedRequest(http.MethodGet, base+"GetAccountsDetailAsync/"+id, nil)},
	} {
		status := tt.rr.serve(h) // the first call may fill caches
		allocs := testing.AllocsPerRun(100, func() {
			if st := tt.rr.serve(h); st != http.StatusOK {
				status = st
			}
		})
		if status != http.StatusOK {
			t.Fatalf("%s answered %d: %s", tt.name, status, tt.rr.w.body.Bytes())
		}
		if allocs > maxHotPathAllocs {
			t.Errorf("%s allocates %.0f times per request, want at most %d", tt.name, allocs, maxHotPathAllocs)
		}
		// The journal's ring grows until it holds its 10 000 entries:
		// fill it, so that what is counted is what every poll costs.
		for range 12000 {
			tt.rr.serve(h)
		}
		if bytes := bytesPerRun(1000, func() { tt.rr.serve(h) }); bytes > maxHotPathBytes {
			t.Errorf("%s allocates %d bytes per request, want at most %d", tt.name, bytes, maxHotPathBytes)
		}
	}
}

// bytesPerRun is the average number of bytes f allocates per call, over n
// calls.
func bytesPerRun(n int, f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(n)
}
