package promexport

import (
	"errors"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// WriteRequest is remote write 1.0's prometheus.WriteRequest with what
// gowrk sends, float samples: field 1 holds the time series. It encodes
// itself as gogo-protobuf messages do (Size, MarshalToSizedBuffer), which
// is how the remote write client marshals it; the client's module only
// ships 2.0's messages, and Prometheus 2.x accepts 1.0 only.
type WriteRequest struct {
	Series []TimeSeries
}

// TimeSeries is prometheus.TimeSeries: labels (field 1), sorted by name
// with __name__ among them, and samples (field 2).
type TimeSeries struct {
	Labels  []Label
	Samples []Sample
}

// Sample is prometheus.Sample: a double value (field 1) at a timestamp in
// ms since the Unix epoch (field 2, int64).
type Sample struct {
	Value     float64
	Timestamp int64
}

// Size is the length of the encoded message.
func (m *WriteRequest) Size() int {
	n := 0
	for i := range m.Series {
		n += fieldSize(1, m.Series[i].size())
	}
	return n
}

// MarshalToSizedBuffer encodes the message into the end of b, which must
// hold Size bytes, and returns the number written.
func (m *WriteRequest) MarshalToSizedBuffer(b []byte) (int, error) {
	n := m.Size()
	if len(b) < n {
		return 0, errors.New("remote write request: buffer too small")
	}
	out := m.append(b[len(b)-n : len(b)-n])
	if len(out) != n {
		return 0, errors.New("remote write request: size mismatch")
	}
	return n, nil
}

// Marshal returns the encoded message.
func (m *WriteRequest) Marshal() []byte { return m.append(make([]byte, 0, m.Size())) }

func (m *WriteRequest) append(b []byte) []byte {
	for i := range m.Series {
		ts := &m.Series[i]
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(ts.size()))
		b = ts.append(b)
	}
	return b
}

func (ts *TimeSeries) size() int {
	n := 0
	for _, l := range ts.Labels {
		n += fieldSize(1, labelSize(l))
	}
	for _, s := range ts.Samples {
		n += fieldSize(2, sampleSize(s))
	}
	return n
}

func (ts *TimeSeries) append(b []byte) []byte {
	for _, l := range ts.Labels {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(labelSize(l)))
		b = appendString(b, 1, l.Name)
		b = appendString(b, 2, l.Value)
	}
	for _, s := range ts.Samples {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(sampleSize(s)))
		if bits := math.Float64bits(s.Value); bits != 0 {
			b = protowire.AppendTag(b, 1, protowire.Fixed64Type)
			b = protowire.AppendFixed64(b, bits)
		}
		if s.Timestamp != 0 {
			b = protowire.AppendTag(b, 2, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(s.Timestamp))
		}
	}
	return b
}

// Proto3 leaves out fields at their zero value.

func labelSize(l Label) int { return stringSize(1, l.Name) + stringSize(2, l.Value) }

func sampleSize(s Sample) int {
	n := 0
	if math.Float64bits(s.Value) != 0 {
		n += protowire.SizeTag(1) + protowire.SizeFixed64()
	}
	if s.Timestamp != 0 {
		n += protowire.SizeTag(2) + protowire.SizeVarint(uint64(s.Timestamp))
	}
	return n
}

func stringSize(num protowire.Number, s string) int {
	if s == "" {
		return 0
	}
	return fieldSize(num, len(s))
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// fieldSize is the size of a length-delimited field holding n bytes.
func fieldSize(num protowire.Number, n int) int {
	return protowire.SizeTag(num) + protowire.SizeBytes(n)
}
