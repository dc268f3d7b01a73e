package main

import (
	"context"
	"fmt"
	"io"

	"github.com/eksboot/eksboot/diag"
	"github.com/eksboot/eksboot/inputs"
)

// setBottlerocketDNSIP gives a Bottlerocket node the cluster DNS IP eksboot
// decided, when its settings have none. A failure only warns: pluto may
// still reach EKS for it, and the verdict already passed.
func setBottlerocketDNSIP(ctx context.Context, c *inputs.Config, stderr io.Writer) {
	if c == nil || !c.Platform().SettingsAPI || !c.Network.DNSIP.IsValid() {
		return
	}
	ip := c.Network.DNSIP.String()
	set, err := inputs.SetBottlerocketClusterDNSIPIfUnset(ctx, ip)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "eksboot: warning: could not set settings.kubernetes.cluster-dns-ip: %v; pluto will ask the EKS API for it (the eks interface endpoint), so set it in user data ([settings.kubernetes] cluster-dns-ip = \"%s\")\n", err, ip)
	case set:
		fmt.Fprintf(stderr, "eksboot: set settings.kubernetes.cluster-dns-ip = %s (from %s)\n", ip, c.Network.Source)
	}
}

// bottlerocketConsole makes stderr the console in a Bottlerocket bootstrap
// container unless --console names one: host-ctr hands the container its
// own stdio, and bootstrap-containers@.service sends stderr to the journal
// and the console (StandardError=journal+console) and stdout to the
// journal only. The container has no console device of its own. Stdout then
// stays quiet unless --output asks for it, so the journal holds the report
// once. Run by hand on a terminal (a superpowered admin container has the
// same mounts), eksboot writes as it does anywhere else.
func bottlerocketConsole(e *env, o *diag.Outputs) bool {
	if e.in.values.Has(inputs.FlagConsole) || isTerminal(e.stderr) || !inputs.InBottlerocketContainer() {
		return false
	}
	o.Console = e.stderr
	if !e.in.values.Has(inputs.FlagOutput) {
		o.Stdout = nil
	}
	return true
}
