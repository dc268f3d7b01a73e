package inputs

// openNonblock: Windows opens never wait on a reader or writer.
const openNonblock = 0
