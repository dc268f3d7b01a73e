package probes

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestKubeletVersionRunsTheRealBinaryBounded runs stand-in kubelets found
// on PATH: one that talks far too much, one that never answers.
func TestKubeletVersionRunsTheRealBinaryBounded(t *testing.T) {
	for _, tc := range []struct {
		name, script string
		timeout      time.Duration
		want         string
	}{
		{"chatty", "#!/bin/sh\necho 'Kubernetes v1.31.4-eks-1234'\nhead -c 10000000 /dev/zero\n", 10 * time.Second, "v1.31"},
		{"silent", "#!/bin/sh\nexec sleep 30\n", 300 * time.Millisecond, ""},
		{"absent", "", time.Second, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.script != "" {
				if err := os.WriteFile(filepath.Join(dir, "kubelet"), []byte(tc.script), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("PATH", dir+":/usr/bin:/bin")
			if got := KubeletVersion(context.Background(), tc.timeout); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
