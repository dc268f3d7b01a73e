//go:build windows

// Command rootstore adds the certificates of a PEM file to the current
// user's Root certificate store. The Windows tests run it under Wine in each
// simulated node, with the case's CA, before eksboot.exe runs.
//
// Wine's crypt32 also imports the host's trust store (the node's
// /etc/ssl/certs) into the machine's Root store, but once per process and
// racily: in a process that verifies from several threads at once, as
// eksboot.exe does, one thread could build its chain against a Root store
// still without the CA ("certificate signed by unknown authority" for one
// endpoint, about one run in twenty, even after a single-threaded process
// had done the import first). The current user's Root store is part of the
// system store every verification reads, is kept in the registry, and no
// import touches it. A CA left by an earlier case verifies nothing of a
// later one: each case's CA has a key of its own.
package main

import (
	"encoding/pem"
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

const (
	certStoreProvSystem        = 10      // CERT_STORE_PROV_SYSTEM_W
	certSystemStoreCurrentUser = 1 << 16 // CERT_SYSTEM_STORE_CURRENT_USER
	certStoreAddReplace        = 3       // CERT_STORE_ADD_REPLACE_EXISTING
)

func main() {
	if len(os.Args) != 2 {
		fail("usage: rootstore CA.pem")
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err.Error())
	}
	name, _ := syscall.UTF16PtrFromString("Root")
	store, err := syscall.CertOpenStore(certStoreProvSystem, 0, 0, certSystemStoreCurrentUser, uintptr(unsafe.Pointer(name)))
	if err != nil {
		fail("open the Root store: " + err.Error())
	}
	defer syscall.CertCloseStore(store, 0)
	added := 0
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := syscall.CertCreateCertificateContext(syscall.X509_ASN_ENCODING|syscall.PKCS_7_ASN_ENCODING, &block.Bytes[0], uint32(len(block.Bytes)))
		if err != nil {
			fail("decode a certificate: " + err.Error())
		}
		err = syscall.CertAddCertificateContextToStore(store, cert, certStoreAddReplace, nil)
		syscall.CertFreeCertificateContext(cert)
		if err != nil {
			fail("add a certificate: " + err.Error())
		}
		added++
	}
	if added == 0 {
		fail(os.Args[1] + " holds no certificate")
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "rootstore: "+msg)
	os.Exit(1)
}
