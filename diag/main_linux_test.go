package diag

import (
	"testing"

	"github.com/eksboot/eksboot/test/netns"
)

// The journal tests stand up a journald socket of their own: in a mount
// namespace of their own, never beside the machine's.
func TestMain(m *testing.M) { netns.RunIsolated(m) }
