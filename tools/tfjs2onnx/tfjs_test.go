package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestFloat16 checks every binary16 bit pattern against the definition
// value = (−1)^s · 2^(e−15) · (1 + f/1024), subnormals 2^−14 · f/1024.
func TestFloat16(t *testing.T) {
	for h := range 1 << 16 {
		s, e, f := h>>15, (h>>10)&0x1f, h&0x3ff
		var want float64
		switch {
		case e == 0x1f && f == 0:
			want = math.Inf(1)
		case e == 0x1f:
			if got := float16ToFloat32(uint16(h)); !math.IsNaN(float64(got)) {
				t.Fatalf("%#04x: %v, want NaN", h, got)
			}
			continue
		case e == 0:
			want = math.Ldexp(float64(f)/1024, -14)
		default:
			want = math.Ldexp(1+float64(f)/1024, e-15)
		}
		if s == 1 {
			want = -want
		}
		got := float16ToFloat32(uint16(h))
		if float64(got) != want || math.Signbit(float64(got)) != (s == 1) {
			t.Fatalf("%#04x: %v, want %v", h, got, want)
		}
	}
}

func le32(vals ...float32) []byte {
	b := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

func f64(v float64) *float64 { return &v }

func TestDecodeWeights(t *testing.T) {
	// Shard 1: float32 [2], int32 [3]; shard 2: float16 [2], uint8 [3].
	// The float16 weight straddles no boundary but the shards are
	// concatenated first, as tfjs does.
	var shard1 []byte
	shard1 = append(shard1, le32(1.5, -2)...)
	for _, v := range []int32{7, -1, 300} {
		shard1 = binary.LittleEndian.AppendUint32(shard1, uint32(v))
	}
	shard2 := []byte{0x00, 0x3c, 0x00, 0xc0} // float16 1.0, −2.0
	shard2 = append(shard2, 0, 10, 255)      // uint8
	files := map[string][]byte{"m/a.bin": shard1, "m/b.bin": shard2}
	groups := []weightGroup{{
		Paths: []string{"a.bin", "b.bin"},
		Weights: []weightSpec{
			{Name: "f", Shape: []int{2}, Dtype: "float32"},
			{Name: "i", Shape: []int{3}, Dtype: "int32"},
			{Name: "h", Shape: []int{1, 2}, Dtype: "float32", Quantization: &struct {
				Dtype string   `json:"dtype"`
				Scale *float64 `json:"scale"`
				Min   *float64 `json:"min"`
			}{Dtype: "float16"}},
			{Name: "q", Shape: []int{3}, Dtype: "float32", Quantization: &struct {
				Dtype string   `json:"dtype"`
				Scale *float64 `json:"scale"`
				Min   *float64 `json:"min"`
			}{Dtype: "uint8", Scale: f64(0.1), Min: f64(-1)}},
		},
	}}
	w, err := decodeWeights(groups, files, "m")
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want []float32) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s: %v, want %v", name, got, want)
			}
		}
	}
	check("f", w["f"].floats, []float32{1.5, -2})
	check("h", w["h"].floats, []float32{1, -2})
	check("q", w["q"].floats, []float32{-1, float32(10*0.1 - 1), float32(255*0.1 - 1)})
	if got := w["i"].ints; len(got) != 3 || got[0] != 7 || got[1] != -1 || got[2] != 300 {
		t.Errorf("i: %v", got)
	}
	if s := w["h"].shape; len(s) != 2 || s[1] != 2 {
		t.Errorf("h shape %v", s)
	}

	// A manifest that claims more data than the shards hold.
	groups[0].Weights[0].Shape = []int{3}
	if _, err := decodeWeights(groups, files, "m"); !errors.Is(err, errShortWeights) {
		t.Errorf("short data: %v, want errShortWeights", err)
	}
	groups[0].Weights[0].Shape = []int{2}
	// Bytes the manifest does not account for are an error too.
	files["m/b.bin"] = append(shard2, 0)
	if _, err := decodeWeights(groups, files, "m"); !errors.Is(err, errShortWeights) {
		t.Errorf("trailing data: %v, want errShortWeights", err)
	}
	delete(files, "m/b.bin")
	if _, err := decodeWeights(groups, files, "m"); !errors.Is(err, errMissingFile) {
		t.Errorf("missing shard: %v, want errMissingFile", err)
	}
	files["m/b.bin"] = shard2
	groups[0].Weights[1].Dtype = "complex64"
	if _, err := decodeWeights(groups, files, "m"); err == nil {
		t.Error("unsupported dtype accepted")
	}
}

func TestReadTarball(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	add := func(name string, typ byte, body string) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: typ, Size: int64(len(body)), Mode: 0o644}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	add("package/models/", tar.TypeDir, "")
	add("package/models/m.json", tar.TypeReg, `{"format":"graph-model"}`)
	add("package/other.txt", tar.TypeReg, "x")
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "p.tgz")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := readTarball(file, "package/models/")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || string(files["package/models/m.json"]) != `{"format":"graph-model"}` {
		t.Errorf("files %v", files)
	}
	// A truncated tarball is an error, not a partial result.
	if err := os.WriteFile(file, buf.Bytes()[:buf.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readTarball(file, "package/"); err == nil {
		t.Error("truncated tarball accepted")
	}
}

func TestSamePads(t *testing.T) {
	for _, c := range []struct{ in, k, s, d, before, after int }{
		{192, 3, 2, 1, 0, 1}, // even input, stride 2: TF pads only after
		{9, 3, 2, 1, 1, 1},
		{5, 3, 1, 2, 2, 2}, // dilation 2: effective kernel 5
		{7, 1, 1, 1, 0, 0},
		{4, 5, 1, 1, 2, 2},
		{3, 2, 2, 1, 0, 1},
	} {
		b, a := samePads(c.in, c.k, c.s, c.d)
		if b != c.before || a != c.after {
			t.Errorf("samePads(%d, k%d, s%d, d%d) = %d, %d; want %d, %d", c.in, c.k, c.s, c.d, b, a, c.before, c.after)
		}
	}
}
