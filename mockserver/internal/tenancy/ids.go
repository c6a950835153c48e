package tenancy

import (
	"bufio"
	"crypto/rand"
	"io"
	"sync"

	"github.com/google/uuid"
)

// ids holds random bytes for the UUIDs of tokens, sessions and access
// tokens, read from crypto/rand 4 KiB at a time: one read of the system's
// randomness per 256 ids instead of one an id, which a complete flow
// (two tokens and a session) would otherwise pay three times.
var ids = struct {
	sync.Mutex
	r   *bufio.Reader
	buf uuid.UUID
}{r: bufio.NewReaderSize(rand.Reader, 4096)}

// NewID returns a new random (version 4) UUID as a string.
func NewID() string {
	ids.Lock()
	_, err := io.ReadFull(ids.r, ids.buf[:])
	u := ids.buf
	ids.Unlock()
	if err != nil {
		return uuid.NewString()
	}
	u[6] = (u[6] & 0x0f) | 0x40 // version 4
	u[8] = (u[8] & 0x3f) | 0x80 // the variant of RFC 4122
	return u.String()
}
