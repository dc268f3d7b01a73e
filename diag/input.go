package diag

import (
	"fmt"
	"os"
)

// OpenInput opens a file given to explain for reading without ever
// blocking: a FIFO (behind a symlink or not) with no writer would hold the
// report forever, and a device (/dev/zero) never ends, so the open does
// not wait and anything but a regular file is refused.
func OpenInput(path string) (*os.File, error) { return openInput(path, false) }

// OpenArgument opens a file named on explain's command line: a pipe too
// (<(aws ec2 get-console-output ...), /dev/stdin), which has a writer;
// opened without blocking, one without a writer reads as empty.
func OpenArgument(path string) (*os.File, error) { return openInput(path, true) }

func openInput(path string, pipeOK bool) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() && !(pipeOK && info.Mode().Type() == os.ModeNamedPipe) {
		err = fmt.Errorf("%s: not a regular file (%s)", path, info.Mode().Type())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Skip counts an input explain could not read (a dangling symlink, a
// loop, a FIFO), naming the first few; the report goes on without it.
func (f *Fleet) Skip(source string, err error) {
	f.SkippedN++
	f.Skipped = appendCapped(f.Skipped, printable(err.Error()))
}
