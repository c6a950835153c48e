package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
)

// Fingerprint sums the names and contents of the scenario files that paths
// stand for, so a watcher can tell when any of them changed, appeared or
// went away. Reading the files (rather than their modification times)
// catches edits that keep the time, and the symlink swaps of Kubernetes
// ConfigMap mounts. A path that cannot be read counts as its error text.
func Fingerprint(paths ...string) string {
	h := sha256.New()
	for _, p := range paths {
		files, _, err := scenarioFiles(p)
		if err != nil {
			io.WriteString(h, "error\x00"+err.Error()+"\x00")
			continue
		}
		for _, name := range files {
			io.WriteString(h, name+"\x00")
			data, err := os.ReadFile(name)
			if err != nil {
				io.WriteString(h, "error\x00"+err.Error()+"\x00")
				continue
			}
			h.Write(data)
			io.WriteString(h, "\x00")
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
