package diag

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eksboot/eksboot/hints"
	"github.com/eksboot/eksboot/report"
)

// followsFromPublicAnswer: a TCP failure of an endpoint whose name
// resolved outside the VPC on every node the failure hit is that answer's
// consequence (the nodes dial the public address), not a security group's.
func (f *Fleet) followsFromPublicAnswer(rows []FailureRow) {
	for i, r := range rows {
		if r.Code != report.TCPTimeout && r.Code != report.TCPUnreachable && r.Code != report.TCPRefused {
			continue
		}
		for _, d := range rows {
			if d.Endpoint == r.Endpoint && (d.Code == report.DNSPublic || d.Code == report.APIPrivateAccess) && f.everyHitAlso(r.Signature, d.Signature) {
				rows[i].Scope = d.Scope
				rows[i].Cause = fmt.Sprintf("%s %s on %d of %d nodes follows from %s %s: the nodes dial the address outside the VPC, which they cannot reach; mend that first", r.Endpoint, r.Code, r.Hit, d.Hit, d.Endpoint, d.Code)
			}
		}
	}
}

// everyHitAlso says whether every node failure a hit also failed b.
func (f *Fleet) everyHitAlso(a, b Signature) bool {
	ka, kb := sigKey{a.Endpoint, a.Code, a.Via}, sigKey{b.Endpoint, b.Code, b.Via}
	for _, n := range f.nodes {
		if slices.Contains(n.sigs, ka) && !slices.Contains(n.sigs, kb) {
			return false
		}
	}
	return true
}

// spread counts, for each subnet, AZ and security group, the nodes the
// failure hit and spared: one pass over the nodes, each value found by a
// map, so 40,000 subnets cost no more than 40 do.
func (f *Fleet) spread(row *FailureRow) {
	index := map[*[]Spread]map[string]int{&row.Subnets: {}, &row.AZs: {}, &row.SecurityGroups: {}}
	count := func(list *[]Spread, value, label string, hit bool) {
		if value == "" {
			return
		}
		i, ok := index[list][value]
		if !ok {
			*list = append(*list, Spread{Value: value, Label: label})
			i = len(*list) - 1
			index[list][value] = i
		}
		if hit {
			(*list)[i].Hit++
		} else {
			(*list)[i].Spared++
		}
	}
	known := func(hits, spared *int, value string, hit bool) {
		switch {
		case value == "":
		case hit:
			*hits++
		default:
			*spared++
		}
	}
	key := sigKey{row.Endpoint, row.Code, row.Via}
	for _, id := range f.order {
		n := f.nodes[id]
		h := slices.Contains(n.sigs, key)
		if !h && neverTried(n, row) {
			continue // spared by an earlier failure, not by where it is
		}
		count(&row.Subnets, n.node.SubnetID, strings.Trim(n.node.SubnetCIDR+", "+n.node.AZ, ", "), h)
		count(&row.AZs, n.node.AZ, n.node.AZID, h)
		for _, g := range n.node.SecurityGroups {
			count(&row.SecurityGroups, g, "", h)
		}
		known(&row.knownSubnet, &row.sparedSubnet, n.node.SubnetID, h)
		known(&row.knownAZ, &row.sparedAZ, n.node.AZ, h)
		known(&row.knownSG, &row.sparedSG, strings.Join(n.node.SecurityGroups, ","), h)
	}
}

// neverTried says whether n's run could not have met row's failure: a
// TCP or TLS failure of an endpoint whose name n could not resolve.
func neverTried(n *fleetNode, row *FailureRow) bool {
	if !strings.HasPrefix(string(row.Code), "tcp_") && !strings.HasPrefix(string(row.Code), "tls_") {
		return false
	}
	return slices.ContainsFunc(n.sigs, func(k sigKey) bool {
		return k.endpoint == row.Endpoint && (strings.HasPrefix(string(k.code), "dns_") || k.code == report.NoResolver)
	})
}

// trimSpread keeps the maxSpread values most hit, then most spared, and
// sums the rest into one, so a report of 40,000 subnets stays readable.
func trimSpread(list []Spread) []Spread {
	if len(list) <= maxSpread {
		return list
	}
	slices.SortStableFunc(list, func(a, b Spread) int {
		if a.Hit != b.Hit {
			return b.Hit - a.Hit
		}
		return b.Spared - a.Spared
	})
	rest := Spread{Value: fmt.Sprintf("%d others", len(list)-maxSpread+1)}
	for _, s := range list[maxSpread-1:] {
		rest.Hit, rest.Spared = rest.Hit+s.Hit, rest.Spared+s.Spared
	}
	return append(slices.Clip(list[:maxSpread-1]), rest)
}

// cause names the dimension a failure is confined to: every node there hit,
// none elsewhere, at least two of them, judged by the nodes that said where
// they are (a node whose IMDS did not answer does not). Narrowest first; a
// failure on every node is VPC-wide; anything else is stated as spread,
// not explained.
func (f *Fleet) cause(row *FailureRow) (string, string) {
	total := len(f.order)
	what := row.Endpoint + " " + string(row.Code)
	if row.Via != "" {
		what += " through the " + row.Via
	}
	if row.Hit == total {
		if total < 2 {
			return "", ""
		}
		return hints.ScopeVPC, fmt.Sprintf("%s on all %d nodes, in every subnet and AZ: VPC-wide, %s", what, total, fleetFix(row, hints.ScopeVPC, Spread{}))
	}
	for _, dim := range []struct {
		scope  string
		spread []Spread
		known  int
		spared int
		name   string
	}{{hints.ScopeSubnet, row.Subnets, row.knownSubnet, row.sparedSubnet, "subnet"}, {hints.ScopeAZ, row.AZs, row.knownAZ, row.sparedAZ, "AZ"}, {hints.ScopeSecurityGroup, row.SecurityGroups, row.knownSG, row.sparedSG, "security group"}} {
		for _, s := range dim.spread {
			if s.Hit == dim.known && s.Spared == 0 && s.Hit >= 2 {
				where := s.Value
				if s.Label != "" {
					where += " (" + s.Label + ")"
				}
				unknown := ""
				if n := row.Hit - dim.known; n > 0 {
					unknown = fmt.Sprintf(" (and on %d that did not say their %s)", n, dim.name)
				}
				return dim.scope, fmt.Sprintf("%s on %d of %d nodes in %s %s%s, on none of %d elsewhere: %s",
					what, s.Hit, s.Hit, dim.name, where, unknown, dim.spared, fleetFix(row, dim.scope, s))
			}
		}
	}
	return "", fmt.Sprintf("%s on %d of %d nodes, spread over %d subnets and %d AZs with nodes it spared: no subnet, AZ or security group explains it; read one node's report (eksboot explain on its console)",
		what, row.Hit, total, countHit(row.Subnets), countHit(row.AZs))
}

// fleetFix is the fix of row's failure confined to s, a value of scope.
func fleetFix(row *FailureRow, scope string, s Spread) string {
	cidr, _, _ := strings.Cut(s.Label, ",") // a subnet's label is "CIDR, AZ"
	r := report.Result{Endpoint: row.Endpoint, Code: row.Code, Via: row.Via, Service: row.Service, Hint: row.Hint}
	return hints.FleetFix(r, hints.Place{Scope: scope, Value: s.Value, CIDR: cidr})
}

func countHit(spread []Spread) int {
	n := 0
	for _, s := range spread {
		if s.Hit > 0 {
			n++
		}
	}
	return n
}
