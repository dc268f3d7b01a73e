package probes

import (
	"context"
	"net"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
)

// earlyConns are the connections the runner opened for one check before it
// ran (Check.Opens), by host:443, each taken at most once: a call that
// finds none dials as usual.
type earlyConns struct {
	mu      sync.Mutex
	pending map[string]chan earlyConn
}

type earlyConn struct {
	conn net.Conn
	err  error
	// connected: TCP (or the proxy) answered, so what failed after it is
	// the call's own finding, not its endpoint's.
	connected bool
}

// openEarly starts opening a connection to each host as the calls would
// (awsDialTLS), under ctx; a plan that makes no calls opens none.
func openEarly(ctx context.Context, p Plan, hosts []string) *earlyConns {
	e := &earlyConns{pending: make(map[string]chan earlyConn, len(hosts))}
	if p.AWS == nil || p.AWS.Credentials == nil {
		return e
	}
	dial := awsDialTLS(p.AWS, p.Timeout, p.viaFor)
	for _, h := range hosts {
		addr := net.JoinHostPort(h, "443")
		if _, dup := e.pending[addr]; dup {
			continue
		}
		done := make(chan earlyConn, 1)
		e.pending[addr] = done
		go func() {
			var connected atomic.Bool
			trace := &httptrace.ClientTrace{ConnectDone: func(_, _ string, err error) {
				if err == nil {
					connected.Store(true)
				}
			}}
			c, err := dial(httptrace.WithClientTrace(ctx, trace), "tcp", addr)
			if err != nil {
				c = nil // awsDialTLS fails with a nil *tls.Conn: not a nil net.Conn
			}
			done <- earlyConn{conn: c, err: err, connected: connected.Load()}
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
	done, ok := e.pending[addr]
	delete(e.pending, addr)
	e.mu.Unlock()
	if !ok {
		return earlyConn{}, false
	}
	select {
	case ec := <-done:
		if t := httptrace.ContextClientTrace(ctx); ec.connected && t != nil && t.ConnectDone != nil {
			t.ConnectDone("tcp", addr, nil)
		}
		return ec, true
	case <-ctx.Done():
		go closeWhenOpen(done)
		return earlyConn{err: ctx.Err()}, true
	}
}

// close closes every connection no call took, once it is open.
func (e *earlyConns) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for addr, done := range e.pending {
		go closeWhenOpen(done)
		delete(e.pending, addr)
	}
}

func closeWhenOpen(done <-chan earlyConn) {
	if ec := <-done; ec.conn != nil {
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
