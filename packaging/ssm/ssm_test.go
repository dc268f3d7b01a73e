package ssm

import (
	"regexp"
	"slices"
	"testing"
)

// TestDocumentStructure: schema 2.2, one step per platform gated by its
// platformType, every {{ parameter }} declared, every parameter with a
// pattern that its default passes.
func TestDocumentStructure(t *testing.T) {
	d, err := Parse()
	if err != nil {
		t.Fatal(err)
	}
	if d.SchemaVersion != "2.2" || d.Description == "" || len(d.MainSteps) != 2 {
		t.Fatalf("%+v", d)
	}
	for _, want := range []struct{ action, platform string }{{"aws:runShellScript", "Linux"}, {"aws:runPowerShellScript", "Windows"}} {
		i := slices.IndexFunc(d.MainSteps, func(s Step) bool { return s.Action == want.action })
		if i < 0 || !slices.Equal(d.MainSteps[i].Precondition["StringEquals"], []string{"platformType", want.platform}) {
			t.Errorf("%s: no step gated by platformType %s", want.action, want.platform)
			continue
		}
		for _, p := range d.MainSteps[i].Placeholders() {
			if _, ok := d.Parameters[p]; !ok {
				t.Errorf("%s uses undeclared {{ %s }}", want.action, p)
			}
		}
	}
	for name, p := range d.Parameters {
		if p.Type != "String" || p.AllowedPattern == "" || p.Description == "" {
			t.Errorf("%s: %+v", name, p)
		}
		if !regexp.MustCompile(p.AllowedPattern).MatchString(p.Default) {
			t.Errorf("%s: default %q fails its own pattern", name, p.Default)
		}
	}
}

// TestNothingReachesTheShellUnquoted: the patterns refuse every character
// that could end a quoted value or start an expansion, in bash or
// PowerShell, and take what operators pass.
