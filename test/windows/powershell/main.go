// Command powershell stands in for powershell.exe in the Windows tests
// under Wine: it writes its argv, one element a line (JSON-quoted), to
// the file EKSBOOT_TEST_ARGV names, and exits with EKSBOOT_TEST_EXIT.
package main

import (
	"encoding/json"
	"os"
	"strconv"
)

func main() {
	f, err := os.Create(os.Getenv("EKSBOOT_TEST_ARGV"))
	if err != nil {
		os.Exit(99)
	}
	enc := json.NewEncoder(f)
	for _, a := range os.Args[1:] {
		enc.Encode(a)
	}
	f.Close()
	code, _ := strconv.Atoi(os.Getenv("EKSBOOT_TEST_EXIT"))
	os.Exit(code)
}
