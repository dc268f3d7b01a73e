package inputs

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"time"

	"github.com/eksboot/eksboot/report"
)

// Limits of the probe settings.
const (
	DefaultTimeout = 2 * time.Second
	maxTimeout     = time.Minute
	maxWait        = 24 * time.Hour // no retry without an end
)

// Output formats (--output).
const (
	FormatText = "text"
	FormatJSON = "json"
)

// Settings are the probe inputs parsed from the merged values.
type Settings struct {
	Timeout     time.Duration
	Wait        time.Duration
	FailOn      report.FailOn
	Resolver    netip.AddrPort
	ECRAccounts []string
	Require     []string
	Optional    []string
	Exec        bool
}

var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// ParseSettings checks the probe flags. known says whether a name given to
// --require or --optional is an endpoint or a check of the catalog.
func ParseSettings(v Values, known func(string) bool) (Settings, error) {
	s := Settings{Timeout: DefaultTimeout, Require: v.List(FlagRequire), Optional: v.List(FlagOptional)}
	if t := v.Get(FlagTimeout); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 || d > maxTimeout {
			return s, Errorf(FlagTimeout, "%q is not a duration between 0 and %s, such as 2s", t, maxTimeout)
		}
		s.Timeout = d
	}
	if w := v.Get(FlagWait); w != "" {
		d, err := time.ParseDuration(w)
		if err != nil || d < 0 || d > maxWait {
			return s, Errorf(FlagWait, "%q is not a duration between 0 and %s, such as 3m", w, "24h")
		}
		s.Wait = d
	}
	var err error
	if s.FailOn, err = ParseFailOn(v.Get(FlagFailOn)); err != nil {
		return s, Errorf(FlagFailOn, "%v", err)
	}
	if r := v.Get(FlagResolver); r != "" {
		if s.Resolver, err = ParseResolver(r); err != nil {
			return s, Errorf(FlagResolver, "%v", err)
		}
	}
	for _, a := range v.List(FlagECRAccount) {
		if !accountPattern.MatchString(a) {
			return s, Errorf(FlagECRAccount, "%q is not a 12-digit AWS account ID", a)
		}
		s.ECRAccounts = append(s.ECRAccounts, a)
	}
	for _, list := range []struct {
		flag  string
		names []string
	}{{FlagRequire, s.Require}, {FlagOptional, s.Optional}} {
		for _, n := range list.names {
			if !known(n) {
				return s, Errorf(list.flag, "%q is neither an endpoint nor a check; eksboot endpoints lists them", n)
			}
			if slices.Contains(s.Require, n) && slices.Contains(s.Optional, n) {
				return s, Errorf(list.flag, "%q is named in both --require and --optional", n)
			}
		}
	}
	switch e := v.Get(FlagExec); e {
	case "", "false":
	case "true":
		s.Exec = true
	default:
		return s, Errorf(FlagExec, "%q is not true or false", e)
	}
	return s, nil
}

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

// ParseResolver reads --resolver: IP or IP:PORT.
func ParseResolver(s string) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q is not IP or IP:PORT", s)
	}
	return netip.AddrPortFrom(a, 53), nil
}

// ParseOutput reads --output; unset, it is def, or else text on a
// terminal and json otherwise.
func ParseOutput(v Values, def string, terminal bool) (string, error) {
	switch f := v.Get(FlagOutput); f {
	case FormatText, FormatJSON:
		return f, nil
	case "":
		if def != "" {
			return def, nil
		}
		if terminal {
			return FormatText, nil
		}
		return FormatJSON, nil
	default:
		return "", Errorf(FlagOutput, "%q is neither text nor json", f)
	}
}
