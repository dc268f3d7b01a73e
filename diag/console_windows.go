package diag

var defaultConsoles = []string{`\\.\COM1`}

const openNoCTTY = 0
