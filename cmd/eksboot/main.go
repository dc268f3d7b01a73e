// Command eksboot checks that a node of a private EKS cluster can join, and
// writes its kubelet bootstrap arguments. See eksboot --help.
package main

import (
	"os"
)

// Stamped by the Makefile with -ldflags -X.
var (
	version = "dev"
	commit  = "none"
)

func main() {
	os.Exit(Main(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}
