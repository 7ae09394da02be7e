package promexport

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// decodeWriteRequest reads a prometheus.WriteRequest field by field, as a
// receiver would, failing on anything gowrk does not send.
func decodeWriteRequest(b []byte) (WriteRequest, error) {
	var m WriteRequest
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num != 1 || typ != protowire.BytesType {
			return fmt.Errorf("write request field %d type %d", num, typ)
		}
		var ts TimeSeries
		err := fields(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
			switch {
			case num == 1 && typ == protowire.BytesType:
				var l Label
				err := fields(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
					switch {
					case num == 1 && typ == protowire.BytesType:
						l.Name = string(v)
					case num == 2 && typ == protowire.BytesType:
						l.Value = string(v)
					default:
						return fmt.Errorf("label field %d type %d", num, typ)
					}
					return nil
				})
				ts.Labels = append(ts.Labels, l)
				return err
			case num == 2 && typ == protowire.BytesType:
				var s Sample
				err := fields(v, func(num protowire.Number, typ protowire.Type, _ []byte, n uint64) error {
					switch {
					case num == 1 && typ == protowire.Fixed64Type:
						s.Value = math.Float64frombits(n)
					case num == 2 && typ == protowire.VarintType:
						s.Timestamp = int64(n)
					default:
						return fmt.Errorf("sample field %d type %d", num, typ)
					}
					return nil
				})
				ts.Samples = append(ts.Samples, s)
				return err
			}
			return fmt.Errorf("time series field %d type %d", num, typ)
		})
		m.Series = append(m.Series, ts)
		return err
	})
	return m, err
}

// fields calls f with each field of a message: its bytes for a
// length-delimited one, its number for the others.
func fields(b []byte, f func(protowire.Number, protowire.Type, []byte, uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		default:
			return fmt.Errorf("wire type %d", typ)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := f(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}

func checkRoundTrip(t *testing.T, m *WriteRequest) {
	t.Helper()
	size := m.Size()
	// As the client calls it: a buffer of exactly Size bytes...
	buf := make([]byte, size)
	n, err := m.MarshalToSizedBuffer(buf)
	if err != nil || n != size {
		t.Fatalf("MarshalToSizedBuffer: %d, %v; Size %d", n, err, size)
	}
	// ...or a larger one, filled at its end, as gogo's messages do.
	big := make([]byte, size+7)
	if n, err := m.MarshalToSizedBuffer(big); err != nil || n != size || !bytes.Equal(big[7:], buf) {
		t.Fatalf("into a larger buffer: %d, %v", n, err)
	}
	if _, err := m.MarshalToSizedBuffer(make([]byte, max(size-1, 0))); size > 0 && err == nil {
		t.Error("no error for a short buffer")
	}
	if !bytes.Equal(m.Marshal(), buf) {
		t.Error("Marshal differs from MarshalToSizedBuffer")
	}
	got, err := decodeWriteRequest(buf)
	if err != nil {
		t.Fatal(err)
	}
	if !sameRequest(got, *m) {
		t.Errorf("decoded %+v, want %+v", got, *m)
	}
}

// sameRequest compares values by their bits (NaN is a value Prometheus
// uses) and treats no labels or samples as empty.
func sameRequest(a, b WriteRequest) bool {
	if len(a.Series) != len(b.Series) {
		return false
	}
	for i := range a.Series {
		x, y := a.Series[i], b.Series[i]
		if len(x.Labels)+len(y.Labels) > 0 && !reflect.DeepEqual(x.Labels, y.Labels) || len(x.Samples) != len(y.Samples) {
			return false
		}
		for j := range x.Samples {
			if math.Float64bits(x.Samples[j].Value) != math.Float64bits(y.Samples[j].Value) || x.Samples[j].Timestamp != y.Samples[j].Timestamp {
				return false
			}
		}
	}
	return true
}

func TestWriteRequestRoundTrip(t *testing.T) {
	checkRoundTrip(t, &WriteRequest{})
	checkRoundTrip(t, &WriteRequest{Series: []TimeSeries{
		{Labels: []Label{{"__name__", "gowrk_requests_total"}, {"shard", "1/2"}}, Samples: []Sample{{12345, 1_760_000_000_123}}},
		{Labels: []Label{{"__name__", "gowrk_latency_seconds_bucket"}, {"le", "+Inf"}}, Samples: []Sample{{0, 1}, {math.Inf(1), -5}, {math.NaN(), 0}}},
		{Labels: []Label{{"__name__", "x"}, {"endpoint", "GET /p\u00e9"}, {"e", ""}}},
		{},
	}})
}

// A known encoding, worked out by hand from the protobuf wire format.
func TestWriteRequestBytes(t *testing.T) {
	m := &WriteRequest{Series: []TimeSeries{{Labels: []Label{{"a", "b"}}, Samples: []Sample{{1, 2}}}}}
	want := []byte{
		0x0a, 0x15, // series, 21 bytes
		0x0a, 0x06, 0x0a, 0x01, 'a', 0x12, 0x01, 'b', // label a="b"
		0x12, 0x0b, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0x02, // sample 1.0 at 2
	}
	if got := m.Marshal(); !bytes.Equal(got, want) {
		t.Errorf("encoded % x\nwant    % x", got, want)
	}
}

func FuzzWriteRequest(f *testing.F) {
	f.Add("__name__", "gowrk_requests_total", 1.5, int64(1_760_000_000_000), 3)
	f.Add("", "", 0.0, int64(0), 0)
	f.Add("le", "+Inf", math.Inf(-1), int64(-1), 1)
	f.Fuzz(func(t *testing.T, name, value string, v float64, ts int64, n int) {
		m := &WriteRequest{}
		for i := range n % 8 {
			s := TimeSeries{Labels: []Label{{name, value}, {"i", fmt.Sprint(i)}}}
			for j := range i {
				s.Samples = append(s.Samples, Sample{v * float64(j), ts + int64(j)})
			}
			m.Series = append(m.Series, s)
		}
		checkRoundTrip(t, m)
	})
}
