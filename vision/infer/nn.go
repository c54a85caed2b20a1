package infer

import (
	"math"
	"slices"
)

// ---- pooling ----

type poolKernel struct {
	avg, includePad bool
	n, c, h, w      int
	oh, ow          int
	kh, kw, sh, sw  int
	dh, dw          int
	padTop, padLeft int
	padBottom       int // effective end pads, for average divisors
	padRight        int
	asmRows         bool // use the assembly row kernel (max2x2Asm)
}

func (k *poolKernel) units() int { return k.n * k.c }
func (k *poolKernel) flops() int { return k.n * k.c * k.oh * k.ow * k.kh * k.kw }

func (k *poolKernel) run(a *args, lo, hi int) {
	x, out := a.in[0], a.out[0]
	if k.max2x2() {
		k.run2x2(x, out, lo, hi)
		return
	}
	for u := lo; u < hi; u++ {
		plane := x[u*k.h*k.w : (u+1)*k.h*k.w]
		dst := out[u*k.oh*k.ow : (u+1)*k.oh*k.ow]
		for oy := range k.oh {
			ys := oy*k.sh - k.padTop
			for ox := range k.ow {
				xs := ox*k.sw - k.padLeft
				if k.avg {
					k.average(plane, dst, oy*k.ow+ox, ys, xs)
					continue
				}
				m := float32(math.Inf(-1))
				for ky := range k.kh {
					iy := ys + ky*k.dh
					if iy < 0 || iy >= k.h {
						continue
					}
					row := plane[iy*k.w:]
					for kx := range k.kw {
						ix := xs + kx*k.dw
						if ix >= 0 && ix < k.w {
							m = max(m, row[ix])
						}
					}
				}
				dst[oy*k.ow+ox] = m
			}
		}
	}
}

// max2x2 reports the common 2×2/2 unpadded max pool, which has a direct loop.
func (k *poolKernel) max2x2() bool {
	return !k.avg && k.kh == 2 && k.kw == 2 && k.sh == 2 && k.sw == 2 && k.dh == 1 && k.dw == 1 &&
		k.padTop == 0 && k.padLeft == 0 && 2*k.oh <= k.h && 2*k.ow <= k.w
}

func (k *poolKernel) run2x2(x, out []float32, lo, hi int) {
	for u := lo; u < hi; u++ {
		plane := x[u*k.h*k.w : (u+1)*k.h*k.w]
		dst := out[u*k.oh*k.ow : (u+1)*k.oh*k.ow]
		for oy := range k.oh {
			r0 := plane[2*oy*k.w : 2*oy*k.w+2*k.ow]
			r1 := plane[(2*oy+1)*k.w : (2*oy+1)*k.w+2*k.ow]
			row := dst[oy*k.ow : (oy+1)*k.ow]
			done := 0
			if k.asmRows {
				done = max2x2Asm(row, r0, r1)
			}
			for ox := done; ox < len(row); ox++ {
				row[ox] = max(r0[2*ox], r0[2*ox+1], r1[2*ox], r1[2*ox+1])
			}
		}
	}
}

// average follows onnxruntime: with count_include_pad the divisor is the
// window clipped to the padded extent; without it, to the input.
func (k *poolKernel) average(plane, dst []float32, o, ys, xs int) {
	ye, xe := min(ys+k.kh, k.h+k.padBottom), min(xs+k.kw, k.w+k.padRight)
	size := (ye - ys) * (xe - xs)
	y0, x0, y1, x1 := max(ys, 0), max(xs, 0), min(ye, k.h), min(xe, k.w)
	var s float32
	for iy := y0; iy < y1; iy++ {
		for _, v := range plane[iy*k.w+x0 : iy*k.w+x1] {
			s += v
		}
	}
	if !k.includePad {
		size = (y1 - y0) * (x1 - x0)
	}
	if size <= 0 {
		dst[o] = 0
		return
	}
	dst[o] = s / float32(size)
}

func buildPool(avg bool) opBuilder {
	return func(b *buildCtx) (kernel, error) {
		if err := b.need(1); err != nil {
			return nil, err
		}
		x := b.in[0]
		if len(x.shape) != 4 && len(x.shape) != 3 {
			return nil, b.unsupported("only 1-D and 2-D pooling (input %v)", x.shape)
		}
		if len(b.out) > 1 && (b.out[1].consumers > 0 || b.out[1].isOutput) {
			return nil, b.unsupported("MaxPool Indices output")
		}
		ks64, ok := b.attrInts("kernel_shape")
		rank := len(x.shape) - 2
		if !ok || len(ks64) != rank {
			return nil, b.errorf("kernel_shape %v for %d spatial dimensions", ks64, rank)
		}
		ks := make([]int, rank)
		for i, v := range ks64 {
			if v < 1 {
				return nil, b.errorf("kernel_shape %v", ks64)
			}
			ks[i] = int(v)
		}
		sp, err := readSpatial(b, rank, ks)
		if err != nil {
			return nil, err
		}
		if avg {
			if _, hasDil := b.attrInts("dilations"); hasDil && slices.ContainsFunc(sp.dils, func(d int) bool { return d != 1 }) {
				return nil, b.unsupported("dilated AveragePool")
			}
		}
		xs := x.shape
		if rank == 1 {
			xs = []int{xs[0], xs[1], 1, xs[2]}
			ks = []int{1, ks[0]}
			sp.strides = []int{1, sp.strides[0]}
			sp.dils = []int{1, sp.dils[0]}
			sp.pads = []int{0, sp.pads[0], 0, sp.pads[1]}
		}
		ceil := b.attrInt("ceil_mode", 0) == 1
		k := &poolKernel{avg: avg, includePad: b.attrInt("count_include_pad", 0) == 1,
			n: xs[0], c: xs[1], h: xs[2], w: xs[3], kh: ks[0], kw: ks[1],
			sh: sp.strides[0], sw: sp.strides[1], dh: sp.dils[0], dw: sp.dils[1],
			asmRows: haveAsmKernel && !b.p.portable}
		if k.padTop, k.oh, err = convPads(b, sp.autoPad, k.h, k.kh, k.sh, k.dh, sp.pads[0], sp.pads[2], ceil); err != nil {
			return nil, err
		}
		if k.padLeft, k.ow, err = convPads(b, sp.autoPad, k.w, k.kw, k.sw, k.dw, sp.pads[1], sp.pads[3], ceil); err != nil {
			return nil, err
		}
		k.padBottom = max((k.oh-1)*k.sh+(k.kh-1)*k.dh+1-k.h-k.padTop, 0)
		k.padRight = max((k.ow-1)*k.sw+(k.kw-1)*k.dw+1-k.w-k.padLeft, 0)
		if sp.autoPad == "" || sp.autoPad == "NOTSET" {
			// Explicit pads bound the divisor; ceil_mode windows past them do not count.
			k.padBottom, k.padRight = sp.pads[2], sp.pads[3]
		}
		o := b.out[0]
		o.dt = dtFloat
		if rank == 1 {
			o.shape = []int{k.n, k.c, k.ow}
		} else {
			o.shape = []int{k.n, k.c, k.oh, k.ow}
		}
		return k, nil
	}
}

type globalPoolKernel struct {
	avg    bool
	inner  int
	units_ int
}

func (k *globalPoolKernel) units() int { return k.units_ }
func (k *globalPoolKernel) run(a *args, lo, hi int) {
	for u := lo; u < hi; u++ {
		plane := a.in[0][u*k.inner : (u+1)*k.inner]
		if k.avg {
			var s float64
			for _, v := range plane {
				s += float64(v)
			}
			a.out[0][u] = float32(s / float64(k.inner))
			continue
		}
		m := float32(math.Inf(-1))
		for _, v := range plane {
			m = max(m, v)
		}
		a.out[0][u] = m
	}
}

func buildGlobalPool(avg bool) opBuilder {
	return func(b *buildCtx) (kernel, error) {
		if err := b.need(1); err != nil {
			return nil, err
		}
		x := b.in[0]
		if len(x.shape) < 3 {
			return nil, b.errorf("input %v has no spatial axes", x.shape)
		}
		shape := slices.Clone(x.shape)
		for i := 2; i < len(shape); i++ {
			shape[i] = 1
		}
		b.out[0].shape, b.out[0].dt = shape, dtFloat
		return &globalPoolKernel{avg: avg, inner: prod(x.shape[2:]), units_: x.shape[0] * x.shape[1]}, nil
	}
}

// ---- matrix products ----

// matmulKernel multiplies batches of M×K by K×N. Operand A (usually the
// activation) is packed per batch element into scratch.
type matmulKernel struct {
	m, k, n        int
	batches        int
	aOff, bOff     []int // per batch element offsets (broadcasting)
	colBlock, cols int
	gemm           gemmKernel
	// Gemm extras: alpha folded into B; transA handled by packing strides.
	transA bool
	bias   []float32 // m×n, added after the product (Gemm's beta·C)
}

func (k *matmulKernel) units() int { return k.batches * k.cols }
func (k *matmulKernel) flops() int { return 2 * k.batches * k.m * k.n * k.k }
func (k *matmulKernel) scratch() int {
	return k.gemm.packedLen(k.m, k.k) + k.gemm.packBLen()
}

func (k *matmulKernel) run(a *args, lo, hi int) {
	A, B, C := a.in[0], a.in[1], a.out[0]
	ap := a.scratch[:k.gemm.packedLen(k.m, k.k)]
	bp := a.scratch[k.gemm.packedLen(k.m, k.k):]
	packed := -1
	for u := lo; u < hi; u++ {
		bt, blk := u/k.cols, u%k.cols
		if packed != bt {
			src := A[k.aOff[bt]:]
			if k.transA {
				k.gemm.packAStrided(ap, src, k.m, k.k, 1, k.m)
			} else {
				k.gemm.packA(ap, src, k.m, k.k, k.k)
			}
			packed = bt
		}
		c0 := blk * k.colBlock
		w := min(k.colBlock, k.n-c0)
		dst := C[bt*k.m*k.n+c0:]
		k.gemm.gemm(ap, k.m, k.k, B[k.bOff[bt]+c0:], k.n, w, dst, k.n, bp, nil, nil)
		if k.bias != nil {
			for i := range k.m {
				row := dst[i*k.n : i*k.n+w]
				bias := k.bias[i*k.n+c0 : i*k.n+c0+w]
				for j := range row {
					row[j] += bias[j]
				}
			}
		}
	}
}

func buildMatMul(b *buildCtx) (kernel, error) {
	if err := b.need(2); err != nil {
		return nil, err
	}
	x, y := b.in[0], b.in[1]
	if x.dt != dtFloat || y.dt != dtFloat {
		return nil, b.unsupported("integer MatMul")
	}
	xs, ys := slices.Clone(x.shape), slices.Clone(y.shape)
	if len(xs) == 0 || len(ys) == 0 {
		return nil, b.errorf("MatMul of a scalar")
	}
	dropM, dropN := len(xs) == 1, len(ys) == 1
	if dropM {
		xs = []int{1, xs[0]}
	}
	if dropN {
		ys = []int{ys[0], 1}
	}
	m, kk := xs[len(xs)-2], xs[len(xs)-1]
	if ys[len(ys)-2] != kk {
		return nil, b.errorf("shapes %v and %v do not multiply", x.shape, y.shape)
	}
	n := ys[len(ys)-1]
	batch, ok := broadcastShape(xs[:len(xs)-2], ys[:len(ys)-2])
	if !ok {
		return nil, b.errorf("batch dimensions of %v and %v do not broadcast", x.shape, y.shape)
	}
	k := newMatmul(b, m, kk, n, batch, xs[:len(xs)-2], ys[:len(ys)-2])
	shape := slices.Clone(batch)
	if !dropM {
		shape = append(shape, m)
	}
	if !dropN {
		shape = append(shape, n)
	}
	b.out[0].shape, b.out[0].dt = shape, dtFloat
	return k, nil
}

func newMatmul(b *buildCtx, m, kk, n int, batch, xb, yb []int) *matmulKernel {
	k := &matmulKernel{m: m, k: kk, n: n, batches: prod(batch), gemm: b.p.gemm}
	sa, sb := bcastStrides(xb, batch), bcastStrides(yb, batch)
	forEachIndex(batch, func(idx []int, flat int) {
		oa, ob := 0, 0
		for d, i := range idx {
			oa += i * sa[d]
			ob += i * sb[d]
		}
		k.aOff = append(k.aOff, oa*m*kk)
		k.bOff = append(k.bOff, ob*kk*n)
	})
	k.colBlock = min(max(k.gemm.roundCols(n/4), 64), 256, k.gemm.roundCols(n))
	k.cols = (n + k.colBlock - 1) / k.colBlock
	return k
}

func buildGemm(b *buildCtx) (kernel, error) {
	if err := b.need(2); err != nil {
		return nil, err
	}
	x, y := b.in[0], b.in[1]
	if len(x.shape) != 2 || len(y.shape) != 2 {
		return nil, b.errorf("Gemm needs 2-D inputs, got %v and %v", x.shape, y.shape)
	}
	transA, transB := b.attrInt("transA", 0) == 1, b.attrInt("transB", 0) == 1
	alpha, beta := b.attrFloat("alpha", 1), b.attrFloat("beta", 1)
	m, kk := x.shape[0], x.shape[1]
	if transA {
		m, kk = kk, m
	}
	k2, n := y.shape[0], y.shape[1]
	if transB {
		k2, n = n, k2
	}
	if k2 != kk {
		return nil, b.errorf("shapes %v and %v do not multiply (transA=%v transB=%v)", x.shape, y.shape, transA, transB)
	}
	if !y.isConst {
		return nil, b.unsupported("Gemm with a computed B")
	}
	// B is constant: transpose and scale it once; Gemm then runs as MatMul.
	bmat := make([]float32, kk*n)
	for i := range kk {
		for j := range n {
			v := y.f[i*n+j]
			if transB {
				v = y.f[j*kk+i]
			}
			bmat[i*n+j] = alpha * v
		}
	}
	bv := &value{name: y.name + "/gemm", shape: []int{kk, n}, dt: dtFloat, isConst: true, f: bmat, producer: -1, alias: -1, offset: -1}
	b.p.values = append(b.p.values, bv)
	b.in[1], b.inIdx[1] = bv, len(b.p.values)-1
	k := newMatmul(b, m, kk, n, nil, nil, nil)
	k.transA = transA
	if c := b.input(2); c != nil {
		if !c.isConst {
			return nil, b.unsupported("Gemm with a computed C")
		}
		if s, ok := broadcastShape(c.shape, []int{m, n}); !ok || !slices.Equal(s, []int{m, n}) {
			return nil, b.errorf("C %v does not broadcast to %v", c.shape, []int{m, n})
		}
		st := bcastStrides(c.shape, []int{m, n})
		k.bias = make([]float32, m*n)
		for i := range m {
			for j := range n {
				k.bias[i*n+j] = beta * c.f[i*st[0]+j*st[1]]
			}
		}
		b.in, b.inIdx = b.in[:2], b.inIdx[:2]
	}
	b.out[0].shape, b.out[0].dt = []int{m, n}, dtFloat
	return k, nil
}

// ---- softmax and reductions ----

type softmaxKernel struct{ outer, n, inner int }

func (k *softmaxKernel) units() int { return k.outer }
func (k *softmaxKernel) run(a *args, lo, hi int) {
	x, out := a.in[0], a.out[0]
	for o := lo; o < hi; o++ {
		base := o * k.n * k.inner
		for i := range k.inner {
			m := float32(math.Inf(-1))
			for j := range k.n {
				m = max(m, x[base+j*k.inner+i])
			}
			var s float64
			for j := range k.n {
				e := math.Exp(float64(x[base+j*k.inner+i] - m))
				out[base+j*k.inner+i] = float32(e)
				s += e
			}
			inv := float32(1 / s)
			for j := range k.n {
				out[base+j*k.inner+i] *= inv
			}
		}
	}
}

func buildSoftmax(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	def := int64(-1)
	if b.opset < 13 {
		def = 1
	}
	ax, err := b.axis(b.attrInt("axis", def), max(len(x.shape), 1))
	if err != nil {
		return nil, err
	}
	b.out[0].shape, b.out[0].dt = x.shape, dtFloat
	if b.opset < 13 {
		// Older opsets flatten to 2-D at axis and normalise whole rows.
		return &softmaxKernel{outer: prod(x.shape[:ax]), n: prod(x.shape[ax:]), inner: 1}, nil
	}
	return &softmaxKernel{outer: prod(x.shape[:ax]), n: x.shape[ax], inner: prod(x.shape[ax+1:])}, nil
}

type reduceKind uint8

const (
	reduceMean reduceKind = iota
	reduceSum
	reduceMax
	reduceMin
)

// reduceKernel folds every input element into its output slot (dst map
// computed at load).
type reduceKernel struct {
	kind  reduceKind
	dst   []int32
	count float32
}

func (k *reduceKernel) units() int { return 1 }
func (k *reduceKernel) run(a *args, lo, hi int) {
	x, out := a.in[0], a.out[0]
	switch k.kind {
	case reduceMax:
		for i := range out {
			out[i] = float32(math.Inf(-1))
		}
		for i, d := range k.dst {
			out[d] = max(out[d], x[i])
		}
	case reduceMin:
		for i := range out {
			out[i] = float32(math.Inf(1))
		}
		for i, d := range k.dst {
			out[d] = min(out[d], x[i])
		}
	default:
		clear(out)
		for i, d := range k.dst {
			out[d] += x[i]
		}
		if k.kind == reduceMean {
			for i := range out {
				out[i] /= k.count
			}
		}
	}
}

func buildReduce(kind reduceKind) opBuilder {
	return func(b *buildCtx) (kernel, error) {
		if err := b.need(1); err != nil {
			return nil, err
		}
		x := b.in[0]
		if x.dt != dtFloat {
			return nil, b.unsupported("integer reduction")
		}
		attrUntil := int64(18)
		if kind == reduceSum {
			attrUntil = 13
		}
		axes, err := b.axesArg(attrUntil, 1)
		if err != nil {
			return nil, err
		}
		r := len(x.shape)
		red := make([]bool, r)
		if len(axes) == 0 {
			if b.attrInt("noop_with_empty_axes", 0) == 1 {
				return reshapeTo(b, x.shape)
			}
			for i := range red {
				red[i] = true
			}
		}
		for _, a := range axes {
			ax, err := b.axis(a, r)
			if err != nil {
				return nil, err
			}
			red[ax] = true
		}
		keep := b.attrInt("keepdims", 1) == 1
		var shape, kshape []int
		count := 1
		for i, d := range x.shape {
			if red[i] {
				count *= d
				kshape = append(kshape, 1)
				if keep {
					shape = append(shape, 1)
				}
				continue
			}
			kshape = append(kshape, d)
			shape = append(shape, d)
		}
		if shape == nil {
			shape = []int{}
		}
		st := stridesOf(kshape)
		dst := make([]int32, x.size())
		forEachIndex(x.shape, func(idx []int, flat int) {
			j := 0
			for d, i := range idx {
				if !red[d] {
					j += i * st[d]
				}
			}
			dst[flat] = int32(j)
		})
		b.out[0].shape, b.out[0].dt = shape, dtFloat
		return &reduceKernel{kind: kind, dst: dst, count: float32(count)}, nil
	}
}

// ---- Resize ----

// resizeKernel resizes the last two axes. Each output pixel reads up to
// four input pixels with weights precomputed at load (nearest uses one).
type resizeKernel struct {
	planes         int
	ih, iw, oh, ow int
	y0, y1, x0, x1 []int32
	wy, wx         []float32 // weight of y1 / x1
}

func (k *resizeKernel) units() int { return k.planes }
func (k *resizeKernel) flops() int { return k.planes * k.oh * k.ow * 8 }
func (k *resizeKernel) run(a *args, lo, hi int) {
	for p := lo; p < hi; p++ {
		in := a.in[0][p*k.ih*k.iw : (p+1)*k.ih*k.iw]
		out := a.out[0][p*k.oh*k.ow : (p+1)*k.oh*k.ow]
		for oy := range k.oh {
			r0, r1 := in[int(k.y0[oy])*k.iw:], in[int(k.y1[oy])*k.iw:]
			wy := k.wy[oy]
			row := out[oy*k.ow : (oy+1)*k.ow]
			for ox := range row {
				x0, x1, wx := k.x0[ox], k.x1[ox], k.wx[ox]
				top := r0[x0] + (r0[x1]-r0[x0])*wx
				bot := r1[x0] + (r1[x1]-r1[x0])*wx
				row[ox] = top + (bot-top)*wy
			}
		}
	}
}

func buildResize(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	r := len(x.shape)
	mode := b.attrString("mode", "nearest")
	coord := b.attrString("coordinate_transformation_mode", "half_pixel")
	nearest := b.attrString("nearest_mode", "round_prefer_floor")
	var scales []float32
	var sizes []int64
	var err error
	switch {
	case b.opType == "Upsample" && b.opset < 9:
		scales, _ = b.attrFloats("scales")
		coord, nearest = "asymmetric", "floor"
	case b.opType == "Upsample" || b.opset < 11: // Upsample-9, Resize-10: (X, scales)
		if scales, err = b.constFloats(1); err != nil {
			return nil, err
		}
		coord, nearest = "asymmetric", "floor"
	default: // Resize-11+: (X, roi, scales, sizes)
		if scales, err = b.constFloats(2); err != nil {
			return nil, err
		}
		if sizes, err = b.constInts(3); err != nil {
			return nil, err
		}
	}
	if mode == "bilinear" {
		mode = "linear"
	}
	if mode != "nearest" && mode != "linear" {
		return nil, b.unsupported("mode %q", mode)
	}
	if b.attrInt("exclude_outside", 0) != 0 {
		return nil, b.unsupported("exclude_outside")
	}
	if _, ok := b.attrInts("axes"); ok {
		return nil, b.unsupported("axes attribute")
	}
	shape := make([]int, r)
	scale := make([]float64, r)
	switch {
	case len(sizes) > 0:
		if len(sizes) != r {
			return nil, b.errorf("%d sizes for rank %d", len(sizes), r)
		}
		for i := range r {
			shape[i] = int(sizes[i])
			scale[i] = float64(sizes[i]) / float64(x.shape[i])
		}
	case len(scales) > 0:
		if len(scales) != r {
			return nil, b.errorf("%d scales for rank %d", len(scales), r)
		}
		for i := range r {
			if scales[i] <= 0 {
				return nil, b.errorf("scale %v must be positive", scales[i])
			}
			scale[i] = float64(scales[i])
			shape[i] = int(math.Floor(float64(x.shape[i]) * scale[i]))
		}
	default:
		return nil, b.errorf("needs scales or sizes")
	}
	if r < 2 {
		return nil, b.unsupported("resize of rank %d", r)
	}
	for i := range r - 2 {
		if shape[i] != x.shape[i] {
			return nil, b.unsupported("resizing axis %d (only the last two axes)", i)
		}
	}
	axisMap := func(in, out int, s float64) (i0, i1 []int32, w []float32, err error) {
		for o := range out {
			var xo float64
			switch coord {
			case "half_pixel":
				xo = (float64(o)+0.5)/s - 0.5
			case "pytorch_half_pixel":
				if out > 1 {
					xo = (float64(o)+0.5)/s - 0.5
				}
			case "align_corners":
				if out > 1 {
					xo = float64(o) * float64(in-1) / float64(out-1)
				}
			case "asymmetric":
				xo = float64(o) / s
			case "tf_half_pixel_for_nn":
				xo = (float64(o) + 0.5) / s
			default:
				return nil, nil, nil, b.unsupported("coordinate_transformation_mode %q", coord)
			}
			if mode == "nearest" {
				var n float64
				switch nearest {
				case "round_prefer_floor":
					n = math.Ceil(xo - 0.5)
				case "round_prefer_ceil":
					n = math.Floor(xo + 0.5)
				case "floor":
					n = math.Floor(xo)
				case "ceil":
					n = math.Ceil(xo)
				default:
					return nil, nil, nil, b.unsupported("nearest_mode %q", nearest)
				}
				j := int32(min(max(int(n), 0), in-1))
				i0, i1, w = append(i0, j), append(i1, j), append(w, 0)
				continue
			}
			xo = min(max(xo, 0), float64(in-1))
			f := math.Floor(xo)
			j0 := int(f)
			j1 := min(j0+1, in-1)
			i0, i1, w = append(i0, int32(j0)), append(i1, int32(j1)), append(w, float32(xo-f))
		}
		return i0, i1, w, nil
	}
	k := &resizeKernel{planes: prod(x.shape[:r-2]), ih: x.shape[r-2], iw: x.shape[r-1], oh: shape[r-2], ow: shape[r-1]}
	if k.y0, k.y1, k.wy, err = axisMap(k.ih, k.oh, scale[r-2]); err != nil {
		return nil, err
	}
	if k.x0, k.x1, k.wx, err = axisMap(k.iw, k.ow, scale[r-1]); err != nil {
		return nil, err
	}
	b.out[0].shape, b.out[0].dt = shape, dtFloat
	// Scales and sizes are planning inputs only.
	b.in, b.inIdx = b.in[:1], b.inIdx[:1]
	return k, nil
}
