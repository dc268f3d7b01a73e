package inputs

import (
	"fmt"

	"github.com/eksboot/eksboot/report"
)

// ParseFailOn reads --fail-on.
func ParseFailOn(s string) (report.FailOn, error) {
	switch f := report.FailOn(s); f {
	case "":
		return report.FailOnRequired, nil
	case report.FailOnRequired, report.FailOnAny, report.FailOnNever:
		return f, nil
	}
	return "", fmt.Errorf("%q is not required, any or never", s)
}
