package luascript

import (
	"bytes"

	"github.com/gowrk/gowrk/generator"
)

// endpoints numbers one thread's endpoint groups, "METHOD /path", for
// --by-endpoint. Only the thread's lock guards it: threads number their
// own groups and the engine merges them by name after the run.
type endpoints struct {
	byKey  map[string]uint16 // request-line prefix -> index
	byName map[string]uint16
	names  []string
}

func newEndpoints() *endpoints {
	return &endpoints{byKey: map[string]uint16{}, byName: map[string]uint16{}}
}

// tag returns, in storage, the endpoint group of each request in b, whose
// request lines start at starts. A group seen before costs a map lookup and
// no allocation.
func (e *endpoints) tag(b []byte, starts []int, storage []uint16) []uint16 {
	storage = storage[:0]
	for _, off := range starts {
		storage = append(storage, e.index(requestKey(b[off:])))
	}
	return storage
}

// requestKey is the start of a request line up to the end of its path:
// "GET /a" of "GET /a?x=1 HTTP/1.1".
func requestKey(b []byte) []byte {
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		return b
	}
	end := sp + 1
	for end < len(b) && b[end] != ' ' && b[end] != '?' && b[end] != '\r' && b[end] != '\n' {
		end++
	}
	return b[:end]
}

func (e *endpoints) index(key []byte) uint16 {
	if i, ok := e.byKey[string(key)]; ok {
		return i
	}
	method, target, _ := bytes.Cut(key, []byte{' '})
	name := generator.EndpointName(string(method), string(target))
	i, ok := e.byName[name]
	if !ok {
		i = generator.OtherEndpoint
		if len(e.names) < generator.MaxEndpoints {
			i = uint16(len(e.names))
			e.names = append(e.names, name)
		}
		e.byName[name] = i
	}
	// Keys past the cap all map to the other group; stop remembering them
	// so a script of endless distinct paths cannot grow the map forever.
	if len(e.byKey) < 4*generator.MaxEndpoints {
		e.byKey[string(key)] = i
	}
	return i
}
