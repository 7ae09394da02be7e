package generator

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/gowrk/gowrk/generator/wire/h1"
	"github.com/gowrk/gowrk/generator/wire/h2"
)

func TestClassifyNamesErrors(t *testing.T) {
	op := func(err error) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: &os.SyscallError{Syscall: "read", Err: err}}
	}
	cases := []struct {
		err  error
		want string
	}{
		{op(syscall.ECONNREFUSED), "connection refused"},
		{op(syscall.ECONNRESET), "connection reset by peer"},
		{op(syscall.EPIPE), "broken pipe"},
		{h1.ErrEOFHeaders, "EOF before headers"},
		{h1.ErrStatusLine, "malformed status line"},
		{h1.ErrClosed, "connection closed"},
		{errStreamReset, "stream reset by the server"},
		{h2.ErrProtocol, "HTTP/2 protocol error"},
		{fmt.Errorf("dial: %w", os.ErrDeadlineExceeded), "timeout"},
		{io.EOF, "connection closed"},
		{fmt.Errorf("tls: %w", x509.UnknownAuthorityError{}), "TLS: certificate signed by unknown authority"},
		{x509.HostnameError{Host: "x"}, "TLS: certificate not valid for the host"},
		{x509.CertificateInvalidError{Reason: x509.Expired}, "TLS: certificate invalid or expired"},
		{&net.DNSError{Err: "no such host", Name: "x"}, "name resolution failed"},
		{errors.New("something else"), "other"},
	}
	for _, c := range cases {
		if got := reasonTexts[classify(c.err)]; got != c.want {
			t.Errorf("%v: %q, want %q", c.err, got, c.want)
		}
	}
}
