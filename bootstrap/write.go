package bootstrap

import (
	"io"
	"os"
	"path/filepath"
)

// WriteArgs writes data to path, or to stdout when path is StdoutPath.
func WriteArgs(path string, data []byte, stdout io.Writer) error {
	if path == StdoutPath {
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
// rename, fsync of the directory. The parent is created 0755, the file is
// 0644. On failure the old file is left as it was.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
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
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}
