// Command vpcsim serves the endpoints of the simulated private VPC: TLS
// listeners with certificates from a test CA, the API server as EKS runs it
// today (eks.go) whose certificate names the kubernetes service IP, and the
// faults that need a server's cooperation: a listener that never speaks
// TLS, one that comes up late, an IMDS that ignores token requests.
//
//	vpcsim ca DIR                      write ca.pem, other-ca.pem, inspect-ca.pem (and keys) into DIR
//	vpcsim config DIR [FLAGS]          write imds.json (for AWS's IMDS mock) and eks.json (the cluster)
//	vpcsim fleet-config DIR NODE...    write imds-IP.json per node (IP/SUBNET-ID/CIDR-BASE/BITS/AZ/AZ-ID) and eks.json
//	vpcsim ssm-step STEP KEY=VALUE...  print a step of packaging/ssm's document as SSM would run it
//	vpcsim serve DIR SPEC...           serve until killed
//
// A SPEC is MODE:ADDR[:ARG]: tls:10.0.3.10 (an endpoint), api:10.0.3.5:10.100.0.1
// (the API server, ARG its service IP), api-other-ca:ADDR:SERVICEIP, aws:ADDR
// (the AWS APIs the node's agents call, aws.go), silent:ADDR,
// late:ADDR:5s, imds-v1:169.254.169.254:http://127.0.0.1:1338 (GETs go to
// the AWS mock at ARG, token PUTs are never answered, as with a hop limit of 1),
// imds-count:169.254.169.254:http://127.0.0.1:1338 (every request passed on
// and logged).
package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/eksboot/eksboot/test/testpki"
)

// APIHost is the simulated cluster's endpoint host.
const APIHost = "0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com"

func main() {
	log.SetFlags(0)
	log.SetPrefix("vpcsim: ")
	if len(os.Args) < 3 {
		log.Fatal("usage: vpcsim ca DIR | vpcsim config DIR [FLAGS] | vpcsim fleet-config DIR NODE... | vpcsim ssm-step STEP KEY=VALUE... | vpcsim serve DIR SPEC...")
	}
	switch os.Args[1] {
	case "ca":
		for name := range caNames {
			if err := writeCA(os.Args[2], name); err != nil {
				log.Fatal(err)
			}
		}
	case "config":
		if err := writeConfig(os.Args[2], os.Args[3:]); err != nil {
			log.Fatal(err)
		}
	case "fleet-config":
		if err := writeFleetConfig(os.Args[2], os.Args[3:]); err != nil {
			log.Fatal(err)
		}
	case "ssm-step":
		if err := printSSMStep(os.Args[2], os.Args[3:]); err != nil {
			log.Fatal(err)
		}
	case "serve":
		for _, spec := range os.Args[3:] {
			if err := serve(os.Args[2], spec); err != nil {
				log.Fatalf("%s: %v", spec, err)
			}
		}
		select {}
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

// caNames are the CAs `vpcsim ca` writes, by file name, with their common
// names: the cluster's, another cluster's, and a TLS-inspecting proxy's
// own, which the node does not trust.
var caNames = map[string]string{
	"ca":         "kubernetes (ca)",
	"other-ca":   "kubernetes (other-ca)",
	"inspect-ca": "Corporate TLS Inspection CA (squid)",
}

// writeCA writes a new CA called name into DIR/name.pem and DIR/name.key.
func writeCA(dir, name string) error {
	ca, err := testpki.NewCA(caNames[name])
	if err != nil {
		return err
	}
	return ca.Write(filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key"))
}

// leaf issues a serving certificate from DIR's CA called caName.
func leaf(dir, caName string, names []string, ips []string) (tls.Certificate, error) {
	ca, err := testpki.Load(filepath.Join(dir, caName+".pem"), filepath.Join(dir, caName+".key"))
	if err != nil {
		return tls.Certificate{}, err
	}
	return ca.Leaf(names, ips...)
}

func serve(dir, spec string) error {
	mode, rest, _ := strings.Cut(spec, ":")
	addr, arg, _ := strings.Cut(rest, ":")
	if mode == "imds-v1" || mode == "imds-count" {
		return serveIMDSProxy(addr, rest[len(addr)+1:], mode == "imds-v1")
	}
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "443"))
	if err != nil && mode != "late" {
		return err
	}
	switch mode {
	case "tls":
		cert, err := leaf(dir, "ca", []string{"endpoint.vpce.amazonaws.com"}, []string{addr})
		if err != nil {
			return err
		}
		go http.Serve(tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}}), http.NotFoundHandler())
	case "aws":
		return serveAWS(dir, addr, l)
	case "api", "api-other-ca":
		caName := map[string]string{"api": "ca", "api-other-ca": "other-ca"}[mode]
		cert, err := leaf(dir, caName, []string{APIHost, "kubernetes", "kubernetes.default.svc"}, []string{arg, addr})
		if err != nil {
			return err
		}
		api, err := newAPIServer(dir)
		if err != nil {
			return err
		}
		go http.Serve(tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}}), api)
	case "silent":
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go io.Copy(io.Discard, c) // accepted and read, never answered
			}
		}()
	case "late":
		delay, err := time.ParseDuration(arg)
		if err != nil {
			return err
		}
		if l != nil {
			l.Close()
		}
		go func() {
			time.Sleep(delay)
			later, err := net.Listen("tcp", net.JoinHostPort(addr, "443"))
			if err != nil {
				log.Print(err)
				return
			}
			cert, _ := leaf(dir, "ca", []string{"endpoint.vpce.amazonaws.com"}, []string{addr})
			http.Serve(tls.NewListener(later, &tls.Config{Certificates: []tls.Certificate{cert}}), http.NotFoundHandler())
		}()
	default:
		return fmt.Errorf("unknown mode %q", mode)
	}
	return nil
}

// serveIMDSProxy passes requests to the mock behind it, logging each one
// (the benchmark counts them). With v1Only it never answers the token PUT,
// as IMDS looks from a container when the hop limit is 1.
func serveIMDSProxy(addr, backend string, v1Only bool) error {
	u, err := url.Parse(backend)
	if err != nil {
		return err
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "80"))
	if err != nil {
		return err
	}
	go http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Printf("imds %s %s\n", r.Method, r.URL.Path)
		if v1Only && r.Method == http.MethodPut {
			<-r.Context().Done()
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	return nil
}
