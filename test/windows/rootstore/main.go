//go:build windows

// Command rootstore opens the machine's Root certificate store and exits.
// The Windows tests run it under Wine in each simulated node before
// eksboot.exe, so that crypt32 imports the node's trust store (the
// simulation's CA, new for each case) into the registry from one thread.
// Wine's import (dlls/crypt32/rootstore.c, CRYPT_ImportSystemRootCertsToReg)
// marks itself done before it has finished, so in a process that verifies
// from several threads at once, as eksboot.exe does, another thread can
// build its chain against a Root store still without the CA: "certificate
// signed by unknown authority" for one endpoint in a run of a healthy VPC.
package main

import (
	"os"
	"syscall"
	"unsafe"
)

const (
	certStoreProvSystem         = 10      // CERT_STORE_PROV_SYSTEM_W
	certSystemStoreLocalMachine = 2 << 16 // CERT_SYSTEM_STORE_LOCAL_MACHINE
	// CERT_STORE_READONLY_FLAG: the import happens on any open of the
	// machine's Root store (store.c, CRYPT_SysRegOpenStoreW, before the
	// flags are read); this one has no reason to write.
	certStoreReadOnly = 0x00008000
)

func main() {
	name, _ := syscall.UTF16PtrFromString("Root")
	store, err := syscall.CertOpenStore(certStoreProvSystem, 0, 0, certSystemStoreLocalMachine|certStoreReadOnly, uintptr(unsafe.Pointer(name)))
	if err != nil {
		os.Stderr.WriteString("rootstore: " + err.Error() + "\n")
		os.Exit(1)
	}
	syscall.CertCloseStore(store, 0)
}
