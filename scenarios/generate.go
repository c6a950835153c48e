package scenarios

import "time"

// Accounts generates the accounts g describes. (Placeholder signature; the
// generator fills it.)
func (g Generate) Accounts(inst Institution, holder *Holder, now time.Time) ([]Account, error) {
	return nil, nil
}
