package models

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/owulveryck/onnx-go"
	"github.com/owulveryck/onnx-go/backend/simple"
)

// wantOps is the operator inventory of each shipped graph. It is what an
// ONNX runtime must implement to run them; a converter change that alters
// it must be deliberate.
var wantOps = map[string]map[string]int{
	"blazeface":  {"Add": 16, "Concat": 11, "ConstantOfShape": 11, "Conv": 37, "MaxPool": 3, "Relu": 17, "Reshape": 4, "Transpose": 5},
	"facemesh":   {"Add": 20, "Conv": 45, "Identity": 2, "MaxPool": 6, "PRelu": 23, "Pad": 3, "Reshape": 2, "Sigmoid": 1, "Transpose": 3},
	"iris":       {"Add": 26, "Concat": 1, "Conv": 81, "Identity": 1, "MaxPool": 6, "PRelu": 53, "Pad": 1, "Transpose": 2},
	"expression": {"Add": 25, "Conv": 31, "GlobalAveragePool": 1, "Identity": 1, "MatMul": 1, "Relu": 16, "Reshape": 1, "Softmax": 1, "Transpose": 1},
	"pose":       {"Clip": 27, "Conv": 29, "Identity": 2, "Transpose": 3},
}

func TestChecksums(t *testing.T) {
	sums := readSums(t)
	var total int
	for _, m := range All() {
		b, err := m.ONNX()
		if err != nil {
			t.Fatal(err)
		}
		total += len(b)
		got := sha256.Sum256(b)
		if hex.EncodeToString(got[:]) != m.SHA256 {
			t.Errorf("%s: sha256 %x, Model.SHA256 says %s", m.File, got, m.SHA256)
		}
		if sums[m.File] != m.SHA256 {
			t.Errorf("%s: SHA256SUMS has %q, Model.SHA256 %s", m.File, sums[m.File], m.SHA256)
		}
		delete(sums, m.File)
	}
	if len(sums) != 0 {
		t.Errorf("SHA256SUMS lists files no Model describes: %v", slices.Sorted(maps.Keys(sums)))
	}
	embedded, err := fs.Glob(FS(), "*.onnx")
	if err != nil {
		t.Fatal(err)
	}
	if len(embedded) != len(All()) {
		t.Errorf("embedded files %v, want one per model", embedded)
	}
	t.Logf("embedded total: %.2f MB", float64(total)/1e6)
}

func readSums(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS: bad line %q", sc.Text())
		}
		sums[name] = sum
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return sums
}

func TestGraphStructure(t *testing.T) {
	for _, m := range All() {
		t.Run(m.Name, func(t *testing.T) {
			b, err := m.ONNX()
			if err != nil {
				t.Fatal(err)
			}
			pm, err := parseModel(b)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if v := pm.opsets[""]; v < 11 || v > 13 {
				t.Errorf("default-domain opset %d, want 11..13", v)
			}
			g := pm.graph
			defined := map[string]bool{"": true} // "" marks an omitted optional input
			for _, init := range g.inits {
				defined[init.name] = true
				n := int64(1)
				for _, d := range init.dims {
					n *= d
				}
				var elem int64
				switch init.dataType {
				case 1, 6: // float, int32
					elem = 4
				case 7: // int64
					elem = 8
				default:
					t.Errorf("initializer %s: data type %d", init.name, init.dataType)
					continue
				}
				if got := int64(init.rawLen) + 4*int64(init.floats) + 8*int64(init.int64s); got != n*elem {
					t.Errorf("initializer %s: %d data bytes for dims %v", init.name, got, init.dims)
				}
			}
			var inputs []pbValue
			for _, in := range g.inputs {
				if !defined[in.name] {
					inputs = append(inputs, in)
				}
				defined[in.name] = true
			}
			wantIn := []int64{1, int64(m.Input.Height), int64(m.Input.Width), 3}
			if len(inputs) != 1 || inputs[0].name != m.Input.Name || !sameShape(inputs[0].shape, wantIn) {
				t.Errorf("inputs %+v, want %s %v", inputs, m.Input.Name, wantIn)
			}
			if len(g.outputs) != len(m.Outputs) {
				t.Fatalf("%d outputs, Model lists %d", len(g.outputs), len(m.Outputs))
			}
			for i, o := range g.outputs {
				if o.name != m.Outputs[i].Name || !sameShape(o.shape, toInt64(m.Outputs[i].Shape)) {
					t.Errorf("output %d is %s %v, Model says %s %v", i, o.name, o.shape, m.Outputs[i].Name, m.Outputs[i].Shape)
				}
			}
			ops := map[string]int{}
			for _, n := range g.nodes {
				ops[n.op]++
				for _, in := range n.inputs {
					if !defined[in] {
						t.Errorf("node %s (%s) reads %q before it is defined", n.name, n.op, in)
					}
				}
				for _, out := range n.outputs {
					defined[out] = true
				}
				if n.op == "Conv" {
					if p := n.ints["pads"]; p != nil && len(p) != 4 {
						t.Errorf("node %s: pads %v", n.name, p)
					}
				}
			}
			for _, o := range g.outputs {
				if !defined[o.name] {
					t.Errorf("output %s is never produced", o.name)
				}
			}
			if !maps.Equal(ops, wantOps[m.Name]) {
				t.Errorf("ops %v, want %v", ops, wantOps[m.Name])
			}
		})
	}
}

// sameShape compares shapes, taking a symbolic dimension (-1) in got as a
// batch of one.
func sameShape(got, want []int64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] && !(i == 0 && got[i] == -1 && want[i] == 1) {
			return false
		}
	}
	return true
}

func toInt64(s []int) []int64 {
	out := make([]int64, len(s))
	for i, v := range s {
		out[i] = int64(v)
	}
	return out
}

// TestOnnxGoDecodes loads every file with onnx-go's decoder, which
// vision/infer builds on, into onnx-go's plain graph backend.
func TestOnnxGoDecodes(t *testing.T) {
	for _, m := range All() {
		b, err := m.ONNX()
		if err != nil {
			t.Fatal(err)
		}
		om := onnx.NewModel(simple.NewSimpleGraph())
		if err := om.UnmarshalBinary(b); err != nil {
			t.Errorf("%s: onnx-go: %v", m.Name, err)
			continue
		}
		if len(om.Input) != 1 || len(om.Output) != len(m.Outputs) {
			t.Errorf("%s: onnx-go sees %d inputs and %d outputs", m.Name, len(om.Input), len(om.Output))
		}
	}
}

// manifest mirrors testdata/manifest.json, written by tools/refgen.
type manifest struct {
	Models map[string]struct {
		File   string `json:"file"`
		SHA256 string `json:"sha256"`
	} `json:"models"`
	Cases []refCase `json:"cases"`
}

type refCase struct {
	Model string `json:"model"`
	Image string `json:"image"`
	Input struct {
		File      string    `json:"file"`
		Shape     []int     `json:"shape"`
		Mean      []float32 `json:"mean"`
		Std       []float32 `json:"std"`
		SHA256F32 string    `json:"sha256_f32"`
	} `json:"input"`
	Outputs []struct {
		Name      string   `json:"name"`
		Shape     []int    `json:"shape"`
		ORT       string   `json:"ort"`
		TFJS      string   `json:"tfjs"`
		Min       float64  `json:"min"`
		Max       float64  `json:"max"`
		RelDiff   *float64 `json:"rel_diff_tfjs"`
		MaxAbsDif *float64 `json:"max_abs_diff_tfjs"`
	} `json:"outputs"`
}

func readManifest(t *testing.T) manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// readRGB decodes an 8-bit RGB PNG into interleaved bytes.
func readRGB(t *testing.T, name string) (rgb []byte, w, h int) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		nrgba, ok := img.(*image.NRGBA)
		if !ok {
			t.Fatalf("%s: unexpected PNG colour model %T", name, img)
		}
		rgba = &image.RGBA{Pix: nrgba.Pix, Stride: nrgba.Stride, Rect: nrgba.Rect}
	}
	b := rgba.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			i := rgba.PixOffset(x, y)
			rgb = append(rgb, rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2])
		}
	}
	return rgb, b.Dx(), b.Dy()
}

func readF32(t *testing.T, name string, n int) []float32 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 4*n {
		t.Fatalf("%s: %d bytes, want %d float32", name, len(b), n)
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// TestReferenceData checks that testdata belongs to the embedded files and
// that Input.Normalize rebuilds, bit for bit, the tensors the references
// were computed from, so a runtime test can use them as they are.
func TestReferenceData(t *testing.T) {
	man := readManifest(t)
	for _, m := range All() {
		if got := man.Models[m.Name].SHA256; got != m.SHA256 {
			t.Errorf("testdata was generated for %s sha256 %s, embedded is %s: rerun scripts/models.sh refgen", m.Name, got, m.SHA256)
		}
	}
	seen := map[string]int{}
	for _, c := range man.Cases {
		m, err := ByName(c.Model)
		if err != nil {
			t.Fatal(err)
		}
		seen[c.Model]++
		rgb, w, h := readRGB(t, c.Input.File)
		if w != m.Input.Width || h != m.Input.Height {
			t.Errorf("%s: %dx%d image for a %dx%d input", c.Input.File, w, h, m.Input.Width, m.Input.Height)
			continue
		}
		if !slices.Equal(c.Input.Mean, m.Input.Mean[:]) || !slices.Equal(c.Input.Std, m.Input.Std[:]) {
			t.Errorf("%s: reference normalization %v/%v, Model says %v/%v", c.Input.File, c.Input.Mean, c.Input.Std, m.Input.Mean, m.Input.Std)
		}
		x, err := m.Input.Normalize(rgb)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := binary.Write(&buf, binary.LittleEndian, x); err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(buf.Bytes()); hex.EncodeToString(sum[:]) != c.Input.SHA256F32 {
			t.Errorf("%s: Normalize does not reproduce the reference input tensor", c.Input.File)
		}
		if len(c.Outputs) != len(m.Outputs) {
			t.Fatalf("%s/%s: %d reference outputs for %d model outputs", c.Model, c.Image, len(c.Outputs), len(m.Outputs))
		}
		for i, o := range c.Outputs {
			if o.Name != m.Outputs[i].Name || !slices.Equal(o.Shape, m.Outputs[i].Shape) {
				t.Errorf("%s/%s: reference output %s %v, Model says %s %v", c.Model, c.Image, o.Name, o.Shape, m.Outputs[i].Name, m.Outputs[i].Shape)
			}
			n := 1
			for _, d := range o.Shape {
				n *= d
			}
			ort := readF32(t, o.ORT, n)
			if lo, hi := minMax(ort); float64(lo) != o.Min || float64(hi) != o.Max {
				t.Errorf("%s: range [%g, %g], manifest says [%g, %g]", o.ORT, lo, hi, o.Min, o.Max)
			}
			if m.Source.Converted {
				// The acceptance bar for a conversion: onnxruntime on our
				// ONNX within 1e-3 of the output's range of tfjs on the
				// original model.
				if o.TFJS == "" || o.RelDiff == nil {
					t.Errorf("%s/%s %s: converted model without a tfjs reference", c.Model, c.Image, o.Name)
					continue
				}
				tf := readF32(t, o.TFJS, n)
				scale := max(o.Max-o.Min, math.Abs(o.Max), math.Abs(o.Min))
				var d float64
				for j := range tf {
					d = max(d, math.Abs(float64(tf[j])-float64(ort[j])))
				}
				if d > 1e-3*scale {
					t.Errorf("%s/%s %s: onnxruntime vs tfjs max abs diff %g > 1e-3 × %g", c.Model, c.Image, o.Name, d, scale)
				}
				t.Logf("%s/%s %s: max |ort − tfjs| = %.2g (%.2g of range)", c.Model, c.Image, o.Name, d, d/scale)
			}
		}
	}
	for _, m := range All() {
		if seen[m.Name] < 2 {
			t.Errorf("%s: %d reference cases, want one per test image", m.Name, seen[m.Name])
		}
	}
}

func minMax(v []float32) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// TestReferenceSemantics reads the reference outputs as a user of the
// models would and checks they say what the images show: the astronaut
// (NASA portrait, smiling) and pigo's sample (neutral frontal face).
func TestReferenceSemantics(t *testing.T) {
	man := readManifest(t)
	out := func(model, img, name string) []float32 {
		for _, c := range man.Cases {
			if c.Model != model || c.Image != img {
				continue
			}
			for _, o := range c.Outputs {
				if o.Name == name {
					n := 1
					for _, d := range o.Shape {
						n *= d
					}
					return readF32(t, o.ORT, n)
				}
			}
		}
		t.Fatalf("no reference %s/%s %s", model, img, name)
		return nil
	}
	sigmoid := func(x float32) float64 { return 1 / (1 + math.Exp(-float64(x))) }
	for img, want := range map[string]string{"astronaut": "happy", "pigo": "neutral"} {
		p := out("expression", img, "expressions")
		if got := ExpressionLabels()[argmax(p)]; got != want {
			t.Errorf("%s: expression %s (%v), want %s", img, got, p, want)
		}
		if f := out("facemesh", img, "faceflag")[0]; f < 0.9 {
			t.Errorf("%s: facemesh faceflag %.3f, want a face", img, f)
		}
		s := append(out("blazeface", img, "Identity:0"), out("blazeface", img, "Identity_1:0")...)
		if best := sigmoid(s[argmax(s)]); best < 0.9 {
			t.Errorf("%s: best BlazeFace score %.3f", img, best)
		}
		// The iris centre lies inside the 64×64 eye crop, near its middle.
		ir := out("iris", img, "iris")
		if x, y := ir[71*3], ir[71*3+1]; x < 16 || x > 48 || y < 16 || y > 48 {
			t.Errorf("%s: iris centre (%.1f, %.1f) is not near the crop centre", img, x, y)
		}
	}
	// PoseNet on the astronaut: shoulders found with high confidence, the
	// subject's left shoulder on the image's right, both below the nose.
	heat := out("pose", "astronaut", "heatmap")
	offs := out("pose", "astronaut", "offsets")
	type kp struct{ x, y, score float64 }
	at := func(k int) kp {
		best := -1
		for cell := range 17 * 17 {
			if best < 0 || heat[cell*17+k] > heat[best*17+k] {
				best = cell
			}
		}
		cy, cx := best/17, best%17
		return kp{
			x:     float64(16*cx) + float64(offs[best*34+17+k]),
			y:     float64(16*cy) + float64(offs[best*34+k]),
			score: sigmoid(heat[best*17+k]),
		}
	}
	nose, ls, rs := at(0), at(5), at(6)
	if ls.score < 0.9 || rs.score < 0.9 || nose.score < 0.9 {
		t.Errorf("pose scores nose %.2f shoulders %.2f/%.2f", nose.score, ls.score, rs.score)
	}
	if !(ls.x > nose.x && nose.x > rs.x && ls.y > nose.y+30 && rs.y > nose.y+30) {
		t.Errorf("pose geometry: nose %+v left shoulder %+v right shoulder %+v", nose, ls, rs)
	}
}

func argmax(v []float32) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}

func TestErrors(t *testing.T) {
	if _, err := ByName("nope"); !errors.Is(err, ErrUnknownModel) {
		t.Errorf("ByName(nope) = %v, want ErrUnknownModel", err)
	}
	in := FaceMesh().Input
	if _, err := in.Normalize(make([]byte, in.Size()-3)); !errors.Is(err, ErrInputSize) {
		t.Errorf("Normalize(short) = %v, want ErrInputSize", err)
	}
	for _, m := range All() {
		got, err := ByName(m.Name)
		if err != nil || got.File != m.File {
			t.Errorf("ByName(%s) = %v, %v", m.Name, got.File, err)
		}
	}
}
