package diag

var defaultConsoles = []string{"/dev/console", "/dev/ttyS0", "/dev/kmsg"}
