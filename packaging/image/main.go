// Command image writes eksboot's OCI image index (one image per platform,
// each holding only the static binary) as an OCI layout and a tarball of it,
// with no container daemon. It uses only the standard library: an OCI
// layout is a few JSON documents and content-addressed blobs, and owning
// every byte is what makes the digest reproducible.
//
//	go run . -out ../../dist/oci -tar ../../dist/eksboot-oci.tar -created 1700000000 \
//	    -tag v1.2.3 linux/amd64=../../dist/eksboot-linux-amd64 linux/arm64=...
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	out := flag.String("out", "", "the OCI layout directory to write (replaced)")
	tarPath := flag.String("tar", "", "also write the layout as this tar file")
	created := flag.Int64("created", 0, "the images' creation time and files' mtime, in Unix seconds (the commit's time)")
	tag := flag.String("tag", "latest", "the name the layout gives the index (org.opencontainers.image.ref.name)")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: image -out DIR [-tar FILE] [-created UNIX] [-tag NAME] OS/ARCH=BINARY...")
		os.Exit(2)
	}
	var bins []binary
	for _, arg := range flag.Args() {
		plat, path, ok := strings.Cut(arg, "=")
		goos, arch, ok2 := strings.Cut(plat, "/")
		if !ok || !ok2 {
			fmt.Fprintf(os.Stderr, "image: %q: want OS/ARCH=BINARY\n", arg)
			os.Exit(2)
		}
		bins = append(bins, binary{OS: goos, Arch: arch, Path: path})
	}
	l := &layout{Created: time.Unix(*created, 0).UTC(), Tag: *tag}
	digest, err := l.Write(*out, bins)
	if err == nil && *tarPath != "" {
		err = tarDir(*tarPath, *out, l.Created)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
	fmt.Println(digest)
}
