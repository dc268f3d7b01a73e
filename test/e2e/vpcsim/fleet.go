package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/eksboot/eksboot/packaging/ssm"
	"github.com/eksboot/eksboot/test/eksapi"
	"github.com/eksboot/eksboot/test/imdsmock"
)

// writeFleetConfig writes DIR/imds-IP.json for each node, given as
// IP/SUBNET-ID/SUBNET-CIDR/AZ/AZ-ID, and DIR/eks.json: one cluster whose
// access entry (EC2_LINUX) maps the role every node shares.
func writeFleetConfig(dir string, nodes []string) error {
	var insts []imdsmock.Instance
	for i, spec := range nodes {
		f := strings.Split(spec, "/")
		if len(f) != 6 {
			return fmt.Errorf("node %q is not IP/SUBNET-ID/CIDR-BASE/CIDR-BITS/AZ/AZ-ID", spec)
		}
		inst := nodeInstance(f[0])
		inst.InstanceID = fmt.Sprintf("i-0f1ee7%011d", i)
		inst.MAC = fmt.Sprintf("0e:f1:ee:70:%02x:%02x", i/256, i%256)
		inst.SubnetID, inst.SubnetCIDR, inst.AZ, inst.AZID = f[1], f[2]+"/"+f[3], f[4], f[5]
		if err := os.WriteFile(filepath.Join(dir, "imds-"+f[0]+".json"), imdsmock.Config(inst), 0o644); err != nil {
			return err
		}
		insts = append(insts, inst)
	}
	c := newCluster("v1.33.5-eks-3025e55", false, 0, insts...)
	c.Access.Entries = []eksapi.Entry{{RoleARN: "arn:aws:iam::" + insts[0].AccountID + ":role/eksboot-node", Type: "EC2_LINUX"}}
	return c.write(dir)
}

// printSSMStep prints a step of eksboot's SSM document with KEY=VALUE
// parameters in place, as SSM Run Command would run it.
func printSSMStep(step string, params []string) error {
	doc, err := ssm.Parse()
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, p := range params {
		k, v, _ := strings.Cut(p, "=")
		values[k] = v
	}
	cmds, err := doc.Commands(step, values)
	if err != nil {
		return err
	}
	_, err = os.Stdout.WriteString(cmds)
	return err
}
