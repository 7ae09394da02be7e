package luascript

import (
	"context"
	"net"
	"strconv"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// connectTimeout bounds wrk.connect and wrk.lookup, which run during setup
// where wrk blocks without limit; a stuck probe should not hang the start.
const connectTimeout = 2 * time.Second

// newAddrMeta is the metatable of address objects, whose tostring is
// "ip:port" (no brackets around IPv6, as wrk's getnameinfo output).
func (st *state) newAddrMeta() *lua.LTable {
	L := st.L
	mt := L.NewTable()
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(addrString(st.checkAddr(1))))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("wrk.addr"))
	return mt
}

// addrString formats an address as wrk does.
func addrString(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String() + ":" + strconv.Itoa(t.Port)
	}
	return a.String()
}

// newAddr wraps a copy of a in an address object of this state: the engine
// and other states keep their own copies, as wrk copies addrinfo.
func (st *state) newAddr(a net.Addr) lua.LValue {
	if a == nil {
		return lua.LNil
	}
	return st.wrap(copyAddr(a), st.addrMT)
}

func copyAddr(a net.Addr) net.Addr {
	if t, ok := a.(*net.TCPAddr); ok {
		c := *t
		c.IP = append(net.IP(nil), t.IP...)
		return &c
	}
	return a
}

// checkAddr returns argument n as an address or raises an argument error.
func (st *state) checkAddr(n int) net.Addr {
	return checkUserData[net.Addr](st, n, st.addrMT, "address")
}

// lookup is wrk.lookup(host, service): every TCP address of host at the
// service's port. Unlike wrk, which exits, a failed lookup is a Lua error.
func (st *state) lookup(L *lua.LState) int {
	host := toString(L, L.Get(1))
	service := ""
	if v := L.Get(2); v != lua.LNil {
		service = toString(L, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	port, err := net.DefaultResolver.LookupPort(ctx, "tcp", service)
	if err != nil {
		L.RaiseError("unable to resolve %s:%s %s", host, service, err)
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		L.RaiseError("unable to resolve %s:%s %s", host, service, err)
	}
	t := L.CreateTable(len(ips), 0)
	for _, ip := range ips {
		t.Append(st.newAddr(&net.TCPAddr{IP: ip.IP, Port: port, Zone: ip.Zone}))
	}
	L.Push(t)
	return 1
}

// connect is wrk.connect(addr): whether a TCP connection to addr succeeds.
func (st *state) connect(L *lua.LState) int {
	a := st.checkAddr(1)
	c, err := net.DialTimeout("tcp", a.String(), connectTimeout)
	if err == nil {
		_ = c.Close()
	}
	L.Push(lua.LBool(err == nil))
	return 1
}
