package main

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/eksboot/eksboot/test/awssim"
)

// awsConfig is aws.json, a case's change to the account: the role's
// managed policies, the endpoints' policies, the SCP, the repository's
// policy, and whether the role's credentials have expired.
type awsConfig struct {
	Managed    []string                  `json:"managed,omitempty"`
	Endpoints  map[string]*awssim.Policy `json:"endpoints,omitempty"`
	SCP        *awssim.Policy            `json:"scp,omitempty"`
	Repository *awssim.Policy            `json:"repository,omitempty"`
	Expired    bool                      `json:"expired,omitempty"`
}

// sims are the accounts served, by directory: every endpoint of one VPC
// is the same account (the registry knows the tokens ecr.api gave out).
var (
	simsMu sync.Mutex
	sims   = map[string]*awssim.AWS{}
)

// serveAWS serves the AWS APIs the node's agents call on l, for the
// instance eks.json names, under the test CA.
func serveAWS(dir, addr string, l net.Listener) error {
	sim, err := account(dir)
	if err != nil {
		return err
	}
	cert, err := leaf(dir, "ca", sim.Hosts(), []string{addr})
	if err != nil {
		return err
	}
	go http.Serve(tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}}), sim)
	return nil
}

// account is the account of dir's eks.json and aws.json, made once.
func account(dir string) (*awssim.AWS, error) {
	simsMu.Lock()
	defer simsMu.Unlock()
	if sim, ok := sims[dir]; ok {
		return sim, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, "eks.json"))
	if err != nil {
		return nil, err
	}
	var c clusterConfig
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, err
	}
	if len(c.Principals) == 0 {
		return nil, errors.New("eks.json names no role session")
	}
	ac, err := readAWSConfig(dir)
	if err != nil {
		return nil, err
	}
	p := c.Principals[0]
	sim := &awssim.AWS{Region: c.Region, Account: p.Account, Role: p.Role, Session: p.Session, Creds: p.Creds,
		Managed: awssim.NodePolicies, Endpoints: map[string]*awssim.Policy{}, SCP: ac.SCP, Repository: ac.Repository,
		PrivateDNSName: c.Access.PrivateDNSName[p.Session], Instances: c.Access.PrivateDNSName}
	if ac.Managed != nil {
		sim.Managed = ac.Managed
	}
	for k, v := range ac.Endpoints {
		sim.Endpoints[k] = v
	}
	if ac.Expired {
		sim.Expires = time.Now().Add(-time.Minute)
	}
	sims[dir] = sim
	return sim, nil
}

// readAWSConfig reads DIR/aws.json; none is the default account.
func readAWSConfig(dir string) (awsConfig, error) {
	var ac awsConfig
	data, err := os.ReadFile(filepath.Join(dir, "aws.json"))
	if errors.Is(err, os.ErrNotExist) {
		return ac, nil
	} else if err != nil {
		return ac, err
	}
	return ac, json.Unmarshal(data, &ac)
}
