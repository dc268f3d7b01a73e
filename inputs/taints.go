package inputs

import "strings"

// taintFlag is kubelet's flag for the taints a node registers with. Given
// more than once, kubelet keeps the last; nodeadm appends the flags of every
// source, so on AL2023 eksboot's drop-in must carry the user data's taints
// as well as its own, or they are lost.
const taintFlag = "--register-with-taints"

// userDataTaints is the Values key of the taints the user data's
// spec.kubelet.flags register, which has no flag of ours.
const userDataTaints = "nodeconfig:kubelet.flags.register-with-taints"

// lastTaintFlag returns the value of the last --register-with-taints in
// args (in its =value or separate-value form), whether there is one, and
// args without any of them.
func lastTaintFlag(args []string) (value string, found bool, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, taintFlag+"="):
			value, found = strings.TrimPrefix(a, taintFlag+"="), true
		case a == taintFlag && i+1 < len(args):
			value, found = args[i+1], true
			i++
		default:
			rest = append(rest, a)
		}
	}
	return value, found, rest
}

// kubeletFlagArgs are the arguments kubelet sees from a NodeConfig's
// spec.kubelet.flags: nodeadm joins them with spaces and systemd splits
// $NODEADM_KUBELET_ARGS on white space.
func kubeletFlagArgs(flags []string) []string {
	var args []string
	for _, f := range flags {
		args = append(args, strings.Fields(f)...)
	}
	return args
}
