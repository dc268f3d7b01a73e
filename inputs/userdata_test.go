package inputs

import (
	"strings"
	"testing"

	"github.com/eksboot/eksboot/test/userdata"
)

// TestUserDataAsNodeadmReadsIt: every shape in the corpus gives what
// nodeadm's user-data provider gives: the same merged cluster, or a refusal
// that says so, quoting none of the user data. test/nodeadm puts the same
// documents before nodeadm itself.
func TestUserDataAsNodeadmReadsIt(t *testing.T) {
	for _, tc := range userdata.Corpus() {
		t.Run(tc.Name, func(t *testing.T) {
			v, _, err := userDataValues(tc.Data)
			if tc.Refuse != "" {
				if err == nil || !strings.Contains(err.Error(), "nodeadm will not find a NodeConfig") || !strings.Contains(err.Error(), tc.Refuse) {
					t.Fatalf("want a refusal (%s), got %v %v", tc.Refuse, v, err)
				}
				if strings.Contains(err.Error(), "apiVersion") || strings.Contains(err.Error(), "prod") {
					t.Fatalf("the refusal quotes user data: %v", err)
				}
				return
			}
			if err != nil || v.Get(FlagClusterName) != tc.Cluster || v.Get(FlagServiceCIDR) != userdata.CIDR || v.Get(FlagCA) != userdata.CA {
				t.Fatalf("read %v, %v; want cluster %s", v, err, tc.Cluster)
			}
		})
	}
}

// TestUserDataTooManyParts: past what 16 KiB of user data can hold, the
// refusal names the count, not the boundary.
func TestUserDataTooManyParts(t *testing.T) {
	parts := make([]string, maxUserDataParts+1)
	for i := range parts {
		parts[i] = "\r\n"
	}
	_, err := NodeConfigsFromUserData(userdata.Multipart(userdata.MIMEVersion, "B", parts...))
	if err == nil || !strings.Contains(err.Error(), "too many parts") {
		t.Fatalf("got %v, want too many parts", err)
	}
}
