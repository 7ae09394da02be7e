package generator

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/gowrk/gowrk/generator/wire/h1"
	"github.com/gowrk/gowrk/generator/wire/h2"
	"github.com/gowrk/gowrk/generator/wire/h3"
	"github.com/quic-go/quic-go"
)

// ErrorClass is one of wrk's error classes.
type ErrorClass uint8

// The error classes, as in Errors.
const (
	ClassConnect ErrorClass = iota
	ClassRead
	ClassWrite
	ClassTimeout
	ClassReset
	ClassStatus
	// ClassCheck is a response that failed Config.Expect's checks.
	ClassCheck
	numSocketClasses = ClassStatus
)

var classNames = [...]string{"connect", "read", "write", "timeout", "reset", "status", "check"}

func (c ErrorClass) String() string { return classNames[c] }

// reason is why a socket error happened, from a fixed list so that counting
// one allocates nothing.
type reason uint8

const (
	reasonOther reason = iota
	reasonRefused
	reasonReset
	reasonBrokenPipe
	reasonUnreachable
	reasonAddrNotAvail
	reasonEOF
	reasonEOFHeaders
	reasonEOFBody
	reasonStatusLine
	reasonHeaderLine
	reasonBadLength
	reasonBadChunk
	reasonHeaderTooLarge
	reasonBodyTooLarge
	reasonTimeout
	reasonTLSAuthority
	reasonTLSHostname
	reasonTLSInvalid
	reasonTLSOther
	reasonDNS
	reasonStreamReset
	reasonH2Protocol
	reasonH2FrameSize
	reasonH2NoResponse
	reasonH2Overrun
	reasonH3Frame
	reasonH3NoResponse
	reasonH3Truncated
	reasonQUICIdle
	reasonQUICClosed
	reasonQUICHandshake
	numReasons
)

var reasonTexts = [numReasons]string{
	reasonOther:          "other",
	reasonRefused:        "connection refused",
	reasonReset:          "connection reset by peer",
	reasonBrokenPipe:     "broken pipe",
	reasonUnreachable:    "network unreachable",
	reasonAddrNotAvail:   "no local address available",
	reasonEOF:            "connection closed",
	reasonEOFHeaders:     "EOF before headers",
	reasonEOFBody:        "EOF mid-body",
	reasonStatusLine:     h1.ErrStatusLine.Error(),
	reasonHeaderLine:     h1.ErrHeaderLine.Error(),
	reasonBadLength:      h1.ErrBadLength.Error(),
	reasonBadChunk:       h1.ErrBadChunk.Error(),
	reasonHeaderTooLarge: h1.ErrHeaderTooLarge.Error(),
	reasonBodyTooLarge:   h1.ErrBodyTooLarge.Error(),
	reasonTimeout:        "timeout",
	reasonTLSAuthority:   "TLS: certificate signed by unknown authority",
	reasonTLSHostname:    "TLS: certificate not valid for the host",
	reasonTLSInvalid:     "TLS: certificate invalid or expired",
	reasonTLSOther:       "TLS: handshake failed",
	reasonDNS:            "name resolution failed",
	reasonStreamReset:    errStreamReset.Error(),
	reasonH2Protocol:     h2.ErrProtocol.Error(),
	reasonH2FrameSize:    h2.ErrFrameSize.Error(),
	reasonH2NoResponse:   h2.ErrNoResponse.Error(),
	reasonH2Overrun:      h2.ErrOutputOverrun.Error(),
	reasonH3Frame:        h3.ErrFrame.Error(),
	reasonH3NoResponse:   h3.ErrNoResponse.Error(),
	reasonH3Truncated:    h3.ErrBodyTruncated.Error(),
	reasonQUICIdle:       "QUIC idle timeout",
	reasonQUICClosed:     "QUIC connection closed",
	reasonQUICHandshake:  "QUIC handshake timed out",
}

// parseReasons name the codecs' errors.
var parseReasons = [...]struct {
	err error
	why reason
}{
	{h1.ErrEOFHeaders, reasonEOFHeaders},
	{h1.ErrEOFBody, reasonEOFBody},
	{h1.ErrClosed, reasonEOF},
	{h1.ErrStatusLine, reasonStatusLine},
	{h1.ErrHeaderLine, reasonHeaderLine},
	{h1.ErrBadLength, reasonBadLength},
	{h1.ErrBadChunk, reasonBadChunk},
	{h1.ErrHeaderTooLarge, reasonHeaderTooLarge},
	{h1.ErrBodyTooLarge, reasonBodyTooLarge},
	{errPendingTooLarge, reasonHeaderTooLarge},
	{errStreamReset, reasonStreamReset},
	{h2.ErrProtocol, reasonH2Protocol},
	{h2.ErrFrameSize, reasonH2FrameSize},
	{h2.ErrNoResponse, reasonH2NoResponse},
	{h2.ErrBodyTooLarge, reasonBodyTooLarge},
	{h2.ErrOutputOverrun, reasonH2Overrun},
	{h3.ErrFrame, reasonH3Frame},
	{h3.ErrNoResponse, reasonH3NoResponse},
	{h3.ErrBodyTruncated, reasonH3Truncated},
	{h3.ErrHeaderTooBig, reasonHeaderTooLarge},
	{h3.ErrBodyTooLarge, reasonBodyTooLarge},
}

// classify names err. It runs once per socket error, never per request.
func classify(err error) reason {
	if err == nil {
		return reasonOther
	}
	for _, p := range parseReasons {
		if errors.Is(err, p.err) {
			return p.why
		}
	}
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		dns      *net.DNSError
		idle     *quic.IdleTimeoutError
		hs       *quic.HandshakeTimeoutError
		app      *quic.ApplicationError
		tr       *quic.TransportError
	)
	switch {
	case errors.As(err, &idle):
		return reasonQUICIdle
	case errors.As(err, &hs):
		return reasonQUICHandshake
	case errors.As(err, &app), errors.As(err, &tr):
		return reasonQUICClosed
	case errors.As(err, &unknown):
		return reasonTLSAuthority
	case errors.As(err, &hostname):
		return reasonTLSHostname
	case errors.As(err, &invalid):
		return reasonTLSInvalid
	case errors.As(err, &verify), errors.As(err, &record), errors.As(err, &alert):
		return reasonTLSOther
	case errors.As(err, &dns):
		return reasonDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return reasonRefused
	case errors.Is(err, syscall.ECONNRESET):
		return reasonReset
	case errors.Is(err, syscall.EPIPE):
		return reasonBrokenPipe
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return reasonUnreachable
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return reasonAddrNotAvail
	case errors.Is(err, os.ErrDeadlineExceeded):
		return reasonTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return reasonEOF
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return reasonTimeout
	}
	return reasonOther
}

// reasonCounts is a thread's socket errors by class and reason, counted
// without a lock by the thread's connections.
type reasonCounts [numSocketClasses][numReasons]atomic.Uint64

func (rc *reasonCounts) count(class ErrorClass, why reason) {
	rc[class][why].Add(1)
}

// ErrorReason is how many errors of a class had one reason, e.g. read
// errors for "connection reset by peer", or status errors for "HTTP 503".
type ErrorReason struct {
	Class  ErrorClass
	Reason string
	Count  uint64
}

// collectReasons merges the threads' reasons and adds one "HTTP nnn" reason
// per status above 399, most frequent first within each class.
func collectReasons(threads []*thread, status map[int]uint64, expect *Expect, errs Errors) []ErrorReason {
	var out []ErrorReason
	for class := ErrorClass(0); class < numSocketClasses; class++ {
		for why := reason(0); why < numReasons; why++ {
			var n uint64
			for _, th := range threads {
				n += th.stats.reasons[class][why].Load()
			}
			if n > 0 {
				out = append(out, ErrorReason{Class: class, Reason: reasonTexts[why], Count: n})
			}
		}
	}
	for code, n := range status {
		if len(expect.Status) > 0 && expect.statusFails(code) && n > 0 {
			out = append(out, ErrorReason{Class: ClassCheck, Reason: "HTTP " + strconv.Itoa(code), Count: n})
		}
	}
	if n := errs.CheckBody; n > 0 {
		out = append(out, ErrorReason{Class: ClassCheck, Reason: "body check failed", Count: n})
	}
	for code, n := range status {
		if len(expect.Status) == 0 && code > 399 && n > 0 {
			out = append(out, ErrorReason{Class: ClassStatus, Reason: "HTTP " + strconv.Itoa(code), Count: n})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Class != b.Class {
			return a.Class < b.Class
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Reason < b.Reason
	})
	return out
}
