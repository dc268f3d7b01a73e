// Package ssm holds eksboot's SSM Command document (eksboot-probe.json) and
// substitutes its parameters as SSM Run Command does, so tests run the very
// commands SSM would.
package ssm

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Document is eksboot-probe.json, as packaged.
//
//go:embed eksboot-probe.json
var Document []byte

// Doc is the document's structure, as far as eksboot's tests read it.
type Doc struct {
	SchemaVersion string               `json:"schemaVersion"`
	Description   string               `json:"description"`
	Parameters    map[string]Parameter `json:"parameters"`
	MainSteps     []Step               `json:"mainSteps"`
}

// Parameter is one document parameter.
type Parameter struct {
	Type           string `json:"type"`
	Description    string `json:"description"`
	Default        string `json:"default"`
	AllowedPattern string `json:"allowedPattern"`
}

// Step is one of mainSteps.
type Step struct {
	Action       string              `json:"action"`
	Name         string              `json:"name"`
	Precondition map[string][]string `json:"precondition"`
	Inputs       struct {
		TimeoutSeconds string   `json:"timeoutSeconds"`
		RunCommand     []string `json:"runCommand"`
	} `json:"inputs"`
}

// Parse reads the document.
func Parse() (Doc, error) {
	var d Doc
	err := json.Unmarshal(Document, &d)
	return d, err
}

// placeholder is SSM's {{ Name }}.
var placeholder = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// Placeholders are the parameter names a step's commands use.
func (s Step) Placeholders() []string {
	var out []string
	for _, line := range s.Inputs.RunCommand {
		for _, m := range placeholder.FindAllStringSubmatch(line, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// Commands are the step's commands with values in place, as SSM runs them:
// each value (or its default) must match its parameter's allowedPattern.
func (d Doc) Commands(step string, values map[string]string) (string, error) {
	for name, v := range values {
		if _, ok := d.Parameters[name]; !ok {
			return "", fmt.Errorf("no parameter %s", name)
		}
		if !regexp.MustCompile(d.Parameters[name].AllowedPattern).MatchString(v) {
			return "", fmt.Errorf("parameter %s: %q does not match %s", name, v, d.Parameters[name].AllowedPattern)
		}
	}
	for _, s := range d.MainSteps {
		if s.Name != step {
			continue
		}
		var missing error
		text := placeholder.ReplaceAllStringFunc(strings.Join(s.Inputs.RunCommand, "\n"), func(m string) string {
			name := placeholder.FindStringSubmatch(m)[1]
			p, ok := d.Parameters[name]
			if !ok {
				missing = fmt.Errorf("%s names undeclared parameter %s", step, name)
			}
			if v, given := values[name]; given {
				return v
			}
			return p.Default
		})
		return text + "\n", missing
	}
	return "", fmt.Errorf("no step %s", step)
}
