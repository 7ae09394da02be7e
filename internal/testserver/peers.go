package testserver

import (
	"maps"
	"net"
	"sync"
)

// peers counts the connections a server accepted by remote IP.
type peers struct {
	mu sync.Mutex
	n  map[string]int
}

func (p *peers) add(c net.Conn) {
	ta, ok := c.RemoteAddr().(*net.TCPAddr)
	if !ok {
		return
	}
	p.mu.Lock()
	if p.n == nil {
		p.n = map[string]int{}
	}
	p.n[ta.IP.String()]++
	p.mu.Unlock()
}

// Peers returns the connections accepted so far by remote IP.
func (p *peers) Peers() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.n)
}
