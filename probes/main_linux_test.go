package probes

import (
	"testing"

	"github.com/eksboot/eksboot/test/netns"
)

// Every test here runs in a network namespace of its own: the probes dial
// and query for real, and nothing may leave the machine.
func TestMain(m *testing.M) { netns.RunIsolated(m) }
