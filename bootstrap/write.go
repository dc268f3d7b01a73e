package bootstrap

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/eksboot/eksboot/inputs"
)

// WriteArgs writes data to path, or to stdout when path is StdoutPath.
func WriteArgs(path string, data []byte, stdout io.Writer) error {
	if path == inputs.StdoutPath {
		if _, err := stdout.Write(data); err != nil {
			return &WriteError{Path: "stdout", Err: err}
		}
		return nil
	}
	if err := WriteFileAtomic(path, data); err != nil {
		return &WriteError{Path: path, Err: err}
	}
	return nil
}

// WriteFileAtomic replaces path with data so that a reader sees the old file
// or the new one, never a part: a temp file in the same directory, fsync,
// rename, fsync of the directory. Missing parents are created 0755 whatever
// the umask, the file is 0644. On failure the old file is left as it was,
// and no directory made for it stays behind.
func WriteFileAtomic(path string, data []byte) (err error) {
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator)) {
		return errors.New("the path names a directory; name the file")
	}
	dir := filepath.Dir(path)
	made, err := mkdirs(dir)
	defer func() {
		if err != nil {
			for i := len(made) - 1; i >= 0; i-- {
				os.Remove(made[i])
			}
		}
	}()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if fi, lerr := os.Lstat(path); lerr == nil && !fi.Mode().IsRegular() { // never replace a device, FIFO or symlink
		return fmt.Errorf("%s is not a regular file (%s)", path, fi.Mode().Type())
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// mkdirs creates dir and its missing parents 0755, and returns the ones it
// made, outermost first.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		missing = append([]string{d}, missing...)
	}
	var made []string
	for _, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil {
			return made, err
		}
		made = append(made, d)
		if err := os.Chmod(d, 0o755); err != nil { // the umask had its say at Mkdir
			return made, err
		}
	}
	return made, nil
}
