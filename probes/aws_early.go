package probes

import (
	"context"
	"net"
	"net/http/httptrace"
	"sync"
)

// earlyConns are the connections the runner opened for one check before it
// ran (Check.Opens), by host:443, each taken at most once: a call that
// finds none dials as usual.
type earlyConns struct {
	mu      sync.Mutex
	pending map[string]*pendingConn
}

type earlyConn struct {
	conn net.Conn
	err  error
}

// pendingConn is one connection being opened. Its connect is passed on to
// the request that takes it the moment it happens, not when the handshake
// ends: a request that gives up during a handshake that stalls (a firewall
// dropping the ClientHello) has reached the endpoint, and that failure is
// the call's own, as it would be on a connection the call dialed.
type pendingConn struct {
	done chan earlyConn

	mu        sync.Mutex
	connected bool
	notify    func() // the taking request's ConnectDone
}

func (pc *pendingConn) connectDone() {
	pc.mu.Lock()
	pc.connected = true
	notify := pc.notify
	pc.mu.Unlock()
	if notify != nil {
		notify()
	}
}

func (pc *pendingConn) takenBy(notify func()) {
	pc.mu.Lock()
	pc.notify = notify
	connected := pc.connected
	pc.mu.Unlock()
	if connected {
		notify()
	}
}

// openEarly starts opening a connection to each host as the calls would
// (awsDialTLS), under ctx; a plan that makes no calls opens none.
func openEarly(ctx context.Context, p Plan, hosts []string) *earlyConns {
	e := &earlyConns{pending: make(map[string]*pendingConn, len(hosts))}
	if p.AWS == nil || p.AWS.Credentials == nil {
		return e
	}
	dial := awsDialTLS(p)
	for _, h := range hosts {
		addr := net.JoinHostPort(h, "443")
		if _, dup := e.pending[addr]; dup {
			continue
		}
		pc := &pendingConn{done: make(chan earlyConn, 1)}
		e.pending[addr] = pc
		go func() {
			var once sync.Once
			trace := &httptrace.ClientTrace{ConnectDone: func(_, _ string, err error) {
				if err == nil {
					once.Do(pc.connectDone)
				}
			}}
			c, err := dial(httptrace.WithClientTrace(ctx, trace), "tcp", addr)
			if err != nil {
				c = nil // awsDialTLS fails with a nil *tls.Conn: not a nil net.Conn
			}
			pc.done <- earlyConn{conn: c, err: err}
		}()
	}
	return e
}

// take hands over what opening addr came to, if it was opened early,
// telling the request's trace that it connected, as a dial of its own
// would have.
func (e *earlyConns) take(ctx context.Context, addr string) (earlyConn, bool) {
	if e == nil {
		return earlyConn{}, false
	}
	e.mu.Lock()
	pc, ok := e.pending[addr]
	delete(e.pending, addr)
	e.mu.Unlock()
	if !ok {
		return earlyConn{}, false
	}
	if t := httptrace.ContextClientTrace(ctx); t != nil && t.ConnectDone != nil {
		pc.takenBy(func() { t.ConnectDone("tcp", addr, nil) })
	}
	select {
	case ec := <-pc.done:
		return ec, true
	case <-ctx.Done():
		go closeWhenOpen(pc)
		return earlyConn{err: ctx.Err()}, true
	}
}

// close closes every connection no call took, once it is open.
func (e *earlyConns) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for addr, pc := range e.pending {
		go closeWhenOpen(pc)
		delete(e.pending, addr)
	}
}

func closeWhenOpen(pc *pendingConn) {
	if ec := <-pc.done; ec.conn != nil {
		ec.conn.Close()
	}
}

type earlyKey struct{}

func withEarly(ctx context.Context, e *earlyConns) context.Context {
	return context.WithValue(ctx, earlyKey{}, e)
}

func earlyFrom(ctx context.Context) *earlyConns {
	e, _ := ctx.Value(earlyKey{}).(*earlyConns)
	return e
}
