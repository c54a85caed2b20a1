package infer

import (
	"cmp"
	"math"
	"slices"
)

// ---- data movement ----

// gatherKernel copies out[i] = in[src[i]], or fill where src[i] < 0. Every
// pure data-movement op (Transpose, Slice, Gather, Pad, Expand, Tile,
// DepthToSpace) is planned as one: the index map is computed at load.
// Where the map is made of long stretches (a Pad or a Slice copies whole
// rows, a channel Pad whole planes), runs holds them and the kernel copies
// and fills them with copy and clear, several times faster than element by
// element.
type gatherKernel struct {
	src  []int32
	fill float32
	runs []gatherRun // nil: go element by element
}

// gatherRun is the stretch out[dst:dst+n] = in[src:src+n], or fill for
// src < 0.
type gatherRun struct{ dst, src, n int32 }

// minGatherRun is the mean run length from which runs beat the index map.
const minGatherRun = 16

func newGatherKernel(src []int32, fill float32) *gatherKernel {
	k := &gatherKernel{src: src, fill: fill}
	var runs []gatherRun
	for i := 0; i < len(src); {
		r := gatherRun{dst: int32(i), src: src[i], n: 1}
		for i+int(r.n) < len(src) && (src[i+int(r.n)] == r.src+r.n || r.src < 0 && src[i+int(r.n)] < 0) {
			r.n++
		}
		runs = append(runs, r)
		i += int(r.n)
		if len(runs)*minGatherRun > len(src) {
			return k
		}
	}
	k.runs = runs
	return k
}

func (k *gatherKernel) units() int { return (len(k.src) + chunk - 1) / chunk }
func (k *gatherKernel) flops() int { return len(k.src) }
func (k *gatherKernel) run(a *args, lo, hi int) {
	in, out := a.in[0], a.out[0]
	s, e := lo*chunk, min(hi*chunk, len(k.src))
	if k.runs != nil {
		k.copyRuns(in, out, s, e)
		return
	}
	for i, j := range k.src[s:e] {
		if j >= 0 {
			out[s+i] = in[j]
		} else {
			out[s+i] = k.fill
		}
	}
}

// copyRuns writes out[s:e] from the runs that cover it.
func (k *gatherKernel) copyRuns(in, out []float32, s, e int) {
	r, _ := slices.BinarySearchFunc(k.runs, s, func(r gatherRun, i int) int { return cmp.Compare(int(r.dst+r.n), i+1) })
	for ; r < len(k.runs) && int(k.runs[r].dst) < e; r++ {
		run := k.runs[r]
		lo, hi := max(int(run.dst), s), min(int(run.dst+run.n), e)
		dst := out[lo:hi]
		if run.src < 0 {
			if k.fill == 0 {
				clear(dst)
			} else {
				for i := range dst {
					dst[i] = k.fill
				}
			}
			continue
		}
		from := int(run.src) + lo - int(run.dst)
		copy(dst, in[from:from+len(dst)])
	}
}

// mapped plans a data-movement op given its index map.
func mapped(b *buildCtx, shape []int, src []int32, fill float64) (kernel, error) {
	x := b.in[0]
	o := b.out[0]
	o.shape, o.dt = shape, x.dt
	if x.dt == dtInt64 {
		if !x.isConst {
			return nil, b.unsupported("int64 input at run time")
		}
		o.i, o.isConst = make([]int64, len(src)), true
		for i, j := range src {
			if j >= 0 {
				o.i[i] = x.i[j]
			} else {
				o.i[i] = int64(fill)
			}
		}
		return nil, nil
	}
	if x.size() > math.MaxInt32 {
		return nil, b.unsupported("tensor too large")
	}
	return newGatherKernel(src, float32(fill)), nil
}

func buildTranspose(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	r := len(x.shape)
	perm, ok := b.attrInts("perm")
	if !ok {
		for i := r - 1; i >= 0; i-- {
			perm = append(perm, int64(i))
		}
	}
	if len(perm) != r {
		return nil, b.errorf("perm %v for rank %d", perm, r)
	}
	seen := make([]bool, r)
	shape := make([]int, r)
	for i, p := range perm {
		if p < 0 || int(p) >= r || seen[p] {
			return nil, b.errorf("bad perm %v", perm)
		}
		seen[p] = true
		shape[i] = x.shape[p]
	}
	if x.dt == dtFloat {
		if outer, rows, cols, ok := rotation(x.shape, perm); ok {
			b.out[0].shape, b.out[0].dt = shape, dtFloat
			return &transposeKernel{outer: outer, rows: rows, cols: cols}, nil
		}
	}
	st := stridesOf(x.shape)
	src := make([]int32, prod(shape))
	forEachIndex(shape, func(idx []int, flat int) {
		j := 0
		for d, i := range idx {
			j += i * st[perm[d]]
		}
		src[flat] = int32(j)
	})
	return mapped(b, shape, src, 0)
}

// rotation reports whether perm keeps the first axes and moves the last
// ones in front of the rest (NHWC to NCHW, NCHW to NHWC): then the
// transpose is, for each of outer blocks, a rows×cols matrix (of the
// input) transposed.
func rotation(shape []int, perm []int64) (outer, rows, cols int, ok bool) {
	r := len(shape)
	o := 0
	for o < r && perm[o] == int64(o) {
		o++
	}
	for q := 1; q < r-o; q++ {
		ok := true
		for i, p := range perm[o:] {
			want := o + q + i // the moved axes [o+q, r) first
			if i >= r-o-q {
				want = o + i - (r - o - q) // then [o, o+q)
			}
			ok = ok && p == int64(want)
		}
		if ok {
			return prod(shape[:o]), prod(shape[o : o+q]), prod(shape[o+q:]), true
		}
	}
	return 0, 0, 0, false
}

// transposeKernel is a Transpose that rotates axes (see rotation):
// out[o][j][i] = in[o][i][j] for each outer block o of a rows×cols input.
// Unlike the general index map it needs no index array (4 bytes read per
// element) and writes in order: an NHWC input of three channels, the models'
// images, is read pixel by pixel into three planes; otherwise each output
// row is read down a column.
type transposeKernel struct{ outer, rows, cols int }

func (k *transposeKernel) units() int { return k.outer * k.cols }
func (k *transposeKernel) flops() int { return k.outer * k.rows * k.cols }
func (k *transposeKernel) run(a *args, lo, hi int) {
	in, out := a.in[0], a.out[0]
	n := k.rows * k.cols
	if k.cols == 3 && lo%3 == 0 && hi%3 == 0 {
		// Three channels: one pass over the input, writing three planes.
		for o := lo / 3; o < hi/3; o++ {
			src, dst := in[o*n:(o+1)*n], out[o*n:(o+1)*n]
			d0, d1, d2 := dst[:k.rows], dst[k.rows:2*k.rows], dst[2*k.rows:3*k.rows]
			for i := range d0 {
				px := src[3*i : 3*i+3 : 3*i+3]
				d0[i], d1[i], d2[i] = px[0], px[1], px[2]
			}
		}
		return
	}
	for u := lo; u < hi; u++ {
		o, j := u/k.cols, u%k.cols
		dst := out[o*n+j*k.rows : o*n+(j+1)*k.rows]
		src := in[o*n+j:]
		for i := range dst {
			dst[i] = src[i*k.cols]
		}
	}
}

// concatKernel copies its inputs block by block along the axis.
type concatKernel struct {
	outer  int
	blocks []int // per input: elements per outer index
}

func (k *concatKernel) units() int { return 1 }
func (k *concatKernel) run(a *args, lo, hi int) {
	out := a.out[0]
	o := 0
	for i := range k.outer {
		for j, bl := range k.blocks {
			copy(out[o:o+bl], a.in[j][i*bl:(i+1)*bl])
			o += bl
		}
	}
}

func buildConcat(b *buildCtx) (kernel, error) {
	if err := b.need(len(b.in)); err != nil || len(b.in) == 0 {
		return nil, b.errorf("needs inputs")
	}
	x := b.in[0]
	ax, err := b.axis(b.attrInt("axis", 0), max(len(x.shape), 1))
	if err != nil {
		return nil, err
	}
	shape := slices.Clone(x.shape)
	if len(shape) == 0 {
		return nil, b.errorf("cannot concatenate scalars")
	}
	shape[ax] = 0
	k := &concatKernel{outer: prod(x.shape[:ax])}
	allInt := true
	for _, in := range b.in {
		if len(in.shape) != len(x.shape) || in.dt != x.dt {
			return nil, b.errorf("input %q has shape %v (%v), first has %v (%v)", in.name, in.shape, in.dt, x.shape, x.dt)
		}
		for d := range in.shape {
			if d != ax && in.shape[d] != x.shape[d] {
				return nil, b.errorf("input %q has shape %v, first has %v", in.name, in.shape, x.shape)
			}
		}
		shape[ax] += in.shape[ax]
		k.blocks = append(k.blocks, prod(in.shape[ax:]))
		allInt = allInt && in.dt == dtInt64
	}
	o := b.out[0]
	o.shape, o.dt = shape, x.dt
	if allInt {
		for _, in := range b.in {
			if !in.isConst {
				return nil, b.unsupported("int64 input at run time")
			}
		}
		for i := range k.outer {
			for j, bl := range k.blocks {
				o.i = append(o.i, b.in[j].i[i*bl:(i+1)*bl]...)
			}
		}
		o.isConst = true
		if o.i == nil {
			o.i = []int64{}
		}
		return nil, nil
	}
	return k, nil
}

// splitKernel is the inverse of concatKernel.
type splitKernel struct {
	outer  int
	blocks []int
}

func (k *splitKernel) units() int { return 1 }
func (k *splitKernel) run(a *args, lo, hi int) {
	in := a.in[0]
	o := 0
	for i := range k.outer {
		for j, bl := range k.blocks {
			copy(a.out[j][i*bl:(i+1)*bl], in[o:o+bl])
			o += bl
		}
	}
}

func buildSplit(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	ax, err := b.axis(b.attrInt("axis", 0), len(x.shape))
	if err != nil {
		return nil, err
	}
	var sizes []int64
	if b.opset < 13 {
		sizes, _ = b.attrInts("split")
	} else if sizes, err = b.constInts(1); err != nil {
		return nil, err
	}
	n := len(b.out)
	if len(sizes) == 0 {
		if n == 0 || x.shape[ax]%n != 0 && b.opset < 18 {
			return nil, b.errorf("cannot split %d evenly into %d", x.shape[ax], n)
		}
		each := (x.shape[ax] + n - 1) / n
		rest := x.shape[ax]
		for range n {
			sizes = append(sizes, int64(min(each, rest)))
			rest -= min(each, rest)
		}
	}
	if len(sizes) != n {
		return nil, b.errorf("%d split sizes for %d outputs", len(sizes), n)
	}
	total := 0
	k := &splitKernel{outer: prod(x.shape[:ax])}
	for i, s := range sizes {
		shape := slices.Clone(x.shape)
		shape[ax] = int(s)
		total += int(s)
		b.out[i].shape, b.out[i].dt = shape, x.dt
		k.blocks = append(k.blocks, prod(shape[ax:]))
	}
	if total != x.shape[ax] {
		return nil, b.errorf("split sizes %v do not add up to %d", sizes, x.shape[ax])
	}
	if x.dt == dtInt64 {
		return nil, b.unsupported("Split of int64")
	}
	return k, nil
}

func buildSlice(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	r := len(x.shape)
	var starts, ends, axes, steps []int64
	if b.opset < 10 {
		starts, _ = b.attrInts("starts")
		ends, _ = b.attrInts("ends")
		axes, _ = b.attrInts("axes")
	} else {
		var err error
		if err = b.need(3); err != nil {
			return nil, err
		}
		if starts, err = b.constInts(1); err != nil {
			return nil, err
		}
		if ends, err = b.constInts(2); err != nil {
			return nil, err
		}
		if axes, err = b.constInts(3); err != nil {
			return nil, err
		}
		if steps, err = b.constInts(4); err != nil {
			return nil, err
		}
	}
	if len(starts) != len(ends) {
		return nil, b.errorf("%d starts, %d ends", len(starts), len(ends))
	}
	if axes == nil {
		for i := range starts {
			axes = append(axes, int64(i))
		}
	}
	if steps == nil {
		steps = make([]int64, len(starts))
		for i := range steps {
			steps[i] = 1
		}
	}
	if len(axes) != len(starts) || len(steps) != len(starts) {
		return nil, b.errorf("starts, ends, axes and steps differ in length")
	}
	begin := make([]int, r)
	step := make([]int, r)
	shape := slices.Clone(x.shape)
	for i := range r {
		step[i] = 1
	}
	for i, a := range axes {
		ax, err := b.axis(a, r)
		if err != nil {
			return nil, err
		}
		dim := int64(x.shape[ax])
		s, e, st := starts[i], ends[i], steps[i]
		if st == 0 {
			return nil, b.errorf("step 0")
		}
		if s < 0 {
			s += dim
		}
		if e < 0 {
			e += dim
		}
		if st > 0 {
			s, e = min(max(s, 0), dim), min(max(e, 0), dim)
		} else {
			s, e = min(max(s, -1), dim-1), min(max(e, -1), dim-1)
		}
		n := int64(0)
		if st > 0 && e > s {
			n = (e - s + st - 1) / st
		} else if st < 0 && s > e {
			n = (s - e + (-st) - 1) / (-st)
		}
		begin[ax], step[ax], shape[ax] = int(s), int(st), int(n)
	}
	st := stridesOf(x.shape)
	src := make([]int32, prod(shape))
	forEachIndex(shape, func(idx []int, flat int) {
		j := 0
		for d, i := range idx {
			j += (begin[d] + i*step[d]) * st[d]
		}
		src[flat] = int32(j)
	})
	return mapped(b, shape, src, 0)
}

func buildGather(b *buildCtx) (kernel, error) {
	if err := b.need(2); err != nil {
		return nil, err
	}
	x := b.in[0]
	ax, err := b.axis(b.attrInt("axis", 0), len(x.shape))
	if err != nil {
		return nil, err
	}
	idx, err := b.constInts(1)
	if err != nil {
		return nil, err
	}
	ishape := b.in[1].shape
	shape := append(append(slices.Clone(x.shape[:ax]), ishape...), x.shape[ax+1:]...)
	if err := checkSize(shape); err != nil {
		return nil, b.errorf("%v", err)
	}
	outer, inner, dim := prod(x.shape[:ax]), prod(x.shape[ax+1:]), x.shape[ax]
	src := make([]int32, 0, prod(shape))
	for o := range outer {
		for _, k := range idx {
			if k < 0 {
				k += int64(dim)
			}
			if k < 0 || k >= int64(dim) {
				return nil, b.errorf("index %d out of range [0, %d)", k, dim)
			}
			for i := range inner {
				src = append(src, int32((o*dim+int(k))*inner+i))
			}
		}
	}
	return mapped(b, shape, src, 0)
}

func buildExpand(b *buildCtx) (kernel, error) {
	if err := b.need(2); err != nil {
		return nil, err
	}
	x := b.in[0]
	s64, err := b.constInts(1)
	if err != nil {
		return nil, err
	}
	want := make([]int, len(s64))
	for i, d := range s64 {
		want[i] = int(d)
	}
	shape, ok := broadcastShape(x.shape, want)
	if !ok {
		return nil, b.errorf("cannot expand %v to %v", x.shape, want)
	}
	if err := checkSize(shape); err != nil {
		return nil, b.errorf("%v", err)
	}
	st := bcastStrides(x.shape, shape)
	src := make([]int32, prod(shape))
	forEachIndex(shape, func(idx []int, flat int) {
		j := 0
		for d, i := range idx {
			j += i * st[d]
		}
		src[flat] = int32(j)
	})
	return mapped(b, shape, src, 0)
}

func buildTile(b *buildCtx) (kernel, error) {
	if err := b.need(2); err != nil {
		return nil, err
	}
	x := b.in[0]
	reps, err := b.constInts(1)
	if err != nil {
		return nil, err
	}
	if len(reps) != len(x.shape) {
		return nil, b.errorf("%d repeats for rank %d", len(reps), len(x.shape))
	}
	shape := make([]int, len(x.shape))
	for i, r := range reps {
		if r < 0 {
			return nil, b.errorf("negative repeat")
		}
		shape[i] = x.shape[i] * int(r)
	}
	if err := checkSize(shape); err != nil {
		return nil, b.errorf("%v", err)
	}
	st := stridesOf(x.shape)
	src := make([]int32, prod(shape))
	forEachIndex(shape, func(idx []int, flat int) {
		j := 0
		for d, i := range idx {
			j += (i % x.shape[d]) * st[d]
		}
		src[flat] = int32(j)
	})
	return mapped(b, shape, src, 0)
}

func buildPad(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	r := len(x.shape)
	mode := b.attrString("mode", "constant")
	var pads []int64
	var fill float64
	if b.opset < 11 {
		pads, _ = b.attrInts("pads")
		if pads == nil {
			pads, _ = b.attrInts("paddings")
		}
		fill = float64(b.attrFloat("value", 0))
	} else {
		var err error
		if pads, err = b.constInts(1); err != nil {
			return nil, err
		}
		if v := b.input(2); v != nil {
			if x.dt == dtInt64 {
				c, err := b.constInts(2)
				if err != nil || len(c) != 1 {
					return nil, b.errorf("constant_value must be a scalar constant")
				}
				fill = float64(c[0])
			} else {
				c, err := b.constFloats(2)
				if err != nil || len(c) != 1 {
					return nil, b.errorf("constant_value must be a scalar constant")
				}
				fill = float64(c[0])
			}
		}
		if axes, err := b.constInts(3); err != nil {
			return nil, err
		} else if axes != nil {
			full := make([]int64, 2*r)
			for i, a := range axes {
				ax, err := b.axis(a, r)
				if err != nil {
					return nil, err
				}
				full[ax], full[ax+r] = pads[i], pads[i+len(axes)]
			}
			pads = full
		}
	}
	if len(pads) != 2*r {
		return nil, b.errorf("%d pads for rank %d", len(pads), r)
	}
	shape := make([]int, r)
	for d := range r {
		shape[d] = x.shape[d] + int(pads[d]) + int(pads[d+r])
		if shape[d] < 0 {
			return nil, b.errorf("pads %v make dimension %d negative", pads, d)
		}
		if mode == "reflect" && (int(pads[d]) >= x.shape[d] || int(pads[d+r]) >= x.shape[d]) && (pads[d] > 0 || pads[d+r] > 0) {
			return nil, b.errorf("reflect pad %v too large for dimension %d of size %d", pads, d, x.shape[d])
		}
		if (mode == "edge" || mode == "reflect") && x.shape[d] == 0 && shape[d] > 0 {
			return nil, b.errorf("cannot %s-pad an empty dimension", mode)
		}
	}
	if err := checkSize(shape); err != nil {
		return nil, b.errorf("%v", err)
	}
	switch mode {
	case "constant", "reflect", "edge":
	default:
		return nil, b.unsupported("mode %q", mode)
	}
	st := stridesOf(x.shape)
	src := make([]int32, prod(shape))
	forEachIndex(shape, func(idx []int, flat int) {
		j := 0
		for d, i := range idx {
			k := i - int(pads[d])
			n := x.shape[d]
			if k < 0 || k >= n {
				switch mode {
				case "constant":
					src[flat] = -1
					return
				case "edge":
					k = min(max(k, 0), n-1)
				case "reflect":
					if n == 1 {
						k = 0
					}
					for k < 0 || k >= n {
						if k < 0 {
							k = -k
						}
						if k >= n {
							k = 2*(n-1) - k
						}
					}
				}
			}
			j += k * st[d]
		}
		src[flat] = int32(j)
	})
	return mapped(b, shape, src, fill)
}

func buildDepthToSpace(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	if len(x.shape) != 4 {
		return nil, b.errorf("input must be 4-D, is %v", x.shape)
	}
	bs := int(b.attrInt("blocksize", 0))
	n, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	if bs <= 0 || c%(bs*bs) != 0 {
		return nil, b.errorf("blocksize %d does not divide %d channels", bs, c)
	}
	mode := b.attrString("mode", "DCR")
	if mode != "DCR" && mode != "CRD" {
		return nil, b.errorf("mode %q", mode)
	}
	oc := c / (bs * bs)
	shape := []int{n, oc, h * bs, w * bs}
	src := make([]int32, prod(shape))
	forEachIndex(shape, func(idx []int, flat int) {
		bn, ch, y, xx := idx[0], idx[1], idx[2], idx[3]
		by, bx := y%bs, xx%bs
		var ic int
		if mode == "DCR" {
			ic = (by*bs+bx)*oc + ch
		} else {
			ic = ch*bs*bs + by*bs + bx
		}
		src[flat] = int32(((bn*c+ic)*h+y/bs)*w + xx/bs)
	})
	return mapped(b, shape, src, 0)
}

func buildSpaceToDepth(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	if len(x.shape) != 4 {
		return nil, b.errorf("input must be 4-D, is %v", x.shape)
	}
	bs := int(b.attrInt("blocksize", 0))
	n, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	if bs <= 0 || h%bs != 0 || w%bs != 0 {
		return nil, b.errorf("blocksize %d does not divide %dx%d", bs, h, w)
	}
	shape := []int{n, c * bs * bs, h / bs, w / bs}
	src := make([]int32, prod(shape))
	forEachIndex(shape, func(idx []int, flat int) {
		bn, oc, y, xx := idx[0], idx[1], idx[2], idx[3]
		blk, ch := oc/c, oc%c
		by, bx := blk/bs, blk%bs
		src[flat] = int32(((bn*c+ch)*h+y*bs+by)*w + xx*bs + bx)
	})
	return mapped(b, shape, src, 0)
}
