package infer

import (
	"fmt"
	"math"
	"slices"
)

// ---- elementwise binary with numpy broadcasting ----

type binOp uint8

const (
	opAdd binOp = iota
	opSub
	opMul
	opDiv
	opMax
	opMin
	opPow
	opPRelu
)

func broadcastShape(a, b []int) ([]int, bool) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := 1, 1
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, false
		}
	}
	return out, true
}

// bcastStrides returns the strides of a tensor of shape s read as the
// (broadcast) output shape out: 0 along broadcast dimensions.
func bcastStrides(s, out []int) []int {
	st := make([]int, len(out))
	own := stridesOf(s)
	off := len(out) - len(s)
	for i := range s {
		if s[i] != 1 {
			st[off+i] = own[i]
		}
	}
	return st
}

// binaryKernel applies a binary op over rows of the collapsed broadcast
// shape; the last dimension is the inner loop.
type binaryKernel struct {
	op     binOp
	outer  []int // collapsed outer dims
	sa, sb []int // strides of a and b over outer dims
	inner  int
	ia, ib int // inner strides (0 or 1)
	rows   int
	act    activation // fused activation
	asm    bool       // assembly epilogue allowed
	// addend is an Add of one row (same shapes) that adds in[2] too: the
	// Add of its output and another tensor fused into it (fuseAddChain).
	addend bool
}

func newBinaryKernel(op binOp, as, bs, out []int) *binaryKernel {
	sa, sb := bcastStrides(as, out), bcastStrides(bs, out)
	// Collapse adjacent dimensions that are contiguous for both operands.
	var shape, ca, cb []int
	for i := range out {
		if out[i] == 1 {
			continue
		}
		if n := len(shape); n > 0 && ca[n-1] == sa[i]*out[i] && cb[n-1] == sb[i]*out[i] {
			shape[n-1] *= out[i]
			ca[n-1], cb[n-1] = sa[i], sb[i]
			continue
		}
		shape, ca, cb = append(shape, out[i]), append(ca, sa[i]), append(cb, sb[i])
	}
	k := &binaryKernel{op: op, inner: 1}
	if n := len(shape); n > 0 {
		k.inner, k.ia, k.ib = shape[n-1], ca[n-1], cb[n-1]
		k.outer, k.sa, k.sb = shape[:n-1], ca[:n-1], cb[:n-1]
	}
	k.rows = prod(k.outer)
	return k
}

func (k *binaryKernel) units() int { return k.rows }
func (k *binaryKernel) flops() int { return k.rows * k.inner }

func (k *binaryKernel) run(a *args, lo, hi int) {
	x, y, out := a.in[0], a.in[1], a.out[0]
	if k.addend {
		k.add3(out, x, y, a.in[2])
		return
	}
	for r := lo; r < hi; r++ {
		oa, ob, rem := 0, 0, r
		for d := len(k.outer) - 1; d >= 0; d-- {
			i := rem % k.outer[d]
			rem /= k.outer[d]
			oa += i * k.sa[d]
			ob += i * k.sb[d]
		}
		dst := out[r*k.inner : (r+1)*k.inner]
		done := 0
		if lo, hi, ok := k.act.bounds(); ok && k.asm && k.op == opAdd && k.ia == 1 && k.ib == 1 {
			// The common residual Add (+ Relu) in one vector pass.
			done = addClipAsm(dst, x[oa:oa+k.inner], y[ob:ob+k.inner], lo, hi)
			if done == len(dst) {
				continue
			}
		}
		binaryRow(k.op, dst[done:], x[oa+done*k.ia:], y[ob+done*k.ib:], k.ia, k.ib)
		k.act.applyBias(dst[done:], 0, 0, k.asm)
	}
}

// add3 sets dst = act(x + y + z), a block of L1 at a time so that the
// second addition reads the first one's sums from cache.
func (k *binaryKernel) add3(dst, x, y, z []float32) {
	const block = 2048
	inf := float32(math.Inf(1))
	lo, hi, clamp := k.act.bounds()
	for s := 0; s < len(dst); s += block {
		e := min(s+block, len(dst))
		d := dst[s:e]
		addClip(d, x[s:e], y[s:e], -inf, inf, k.asm)
		if clamp {
			addClip(d, d, z[s:e], lo, hi, k.asm)
			continue
		}
		addClip(d, d, z[s:e], -inf, inf, k.asm)
		k.act.applyBias(d, 0, 0, k.asm)
	}
}

// addClip sets dst[i] = min(max(a[i]+b[i], lo), hi).
func addClip(dst, a, b []float32, lo, hi float32, asm bool) {
	done := 0
	if asm {
		done = addClipAsm(dst, a, b, lo, hi)
	}
	a, b = a[:len(dst)], b[:len(dst)]
	for i := done; i < len(dst); i++ {
		dst[i] = min(max(a[i]+b[i], lo), hi)
	}
}

// fuseAddChain folds Add(s, other) into the Add that produced s (one row,
// no broadcasting, s used only here) when other has the same shape and is
// ready before that Add runs: the sums of face-api's dense blocks,
// out1 + (out2 + out3), then take one pass instead of two.
func fuseAddChain(b *buildCtx) bool {
	for i := range 2 {
		s, other := b.in[i], b.in[1-i]
		inner, ok := fusible(b, s).(*binaryKernel)
		if !ok || inner.op != opAdd || inner.addend || inner.act.kind != actNone || len(inner.outer) != 0 ||
			inner.ia != 1 || inner.ib != 1 || !slices.Equal(s.shape, other.shape) || other.dt != dtFloat {
			continue
		}
		addOp := b.p.values[b.p.root(b.inIdx[i])].producer
		if ov := b.p.values[b.p.root(b.inIdx[1-i])]; !ov.isConst && ov.producer >= addOp {
			continue // computed after the inner Add
		}
		op := b.p.ops[addOp]
		op.in = append(op.in, b.inIdx[1-i])
		inner.addend = true
		b.aliasOf = i
		b.out[0].fused = true
		return true
	}
	return false
}

func binaryRow(op binOp, dst, a, b []float32, ia, ib int) {
	n := len(dst)
	switch {
	case ia == 1 && ib == 1:
		a, b = a[:n], b[:n]
		switch op {
		case opAdd:
			for i := range dst {
				dst[i] = a[i] + b[i]
			}
		case opSub:
			for i := range dst {
				dst[i] = a[i] - b[i]
			}
		case opMul:
			for i := range dst {
				dst[i] = a[i] * b[i]
			}
		case opDiv:
			for i := range dst {
				dst[i] = a[i] / b[i]
			}
		default:
			for i := range dst {
				dst[i] = binaryScalar(op, a[i], b[i])
			}
		}
	case ia == 1:
		a, bv := a[:n], b[0]
		switch op {
		case opAdd:
			for i := range dst {
				dst[i] = a[i] + bv
			}
		case opSub:
			for i := range dst {
				dst[i] = a[i] - bv
			}
		case opMul:
			for i := range dst {
				dst[i] = a[i] * bv
			}
		case opDiv:
			for i := range dst {
				dst[i] = a[i] / bv
			}
		default:
			for i := range dst {
				dst[i] = binaryScalar(op, a[i], bv)
			}
		}
	case ib == 1:
		av, b := a[0], b[:n]
		for i := range dst {
			dst[i] = binaryScalar(op, av, b[i])
		}
	default:
		v := binaryScalar(op, a[0], b[0])
		for i := range dst {
			dst[i] = v
		}
	}
}

func binaryScalar(op binOp, a, b float32) float32 {
	switch op {
	case opAdd:
		return a + b
	case opSub:
		return a - b
	case opMul:
		return a * b
	case opDiv:
		return a / b
	case opMax:
		if a != a || b != b {
			return float32(math.NaN())
		}
		return max(a, b)
	case opMin:
		if a != a || b != b {
			return float32(math.NaN())
		}
		return min(a, b)
	case opPow:
		return float32(math.Pow(float64(a), float64(b)))
	case opPRelu:
		if a < 0 {
			return a * b
		}
		return a
	}
	panic("infer: unknown binary op")
}

func binaryInt(op binOp, a, b int64) (int64, error) {
	switch op {
	case opAdd:
		return a + b, nil
	case opSub:
		return a - b, nil
	case opMul:
		return a * b, nil
	case opDiv:
		if b == 0 {
			return 0, fmt.Errorf("integer division by zero")
		}
		return a / b, nil
	case opMax:
		return max(a, b), nil
	case opMin:
		return min(a, b), nil
	}
	return 0, fmt.Errorf("op not defined on int64")
}

func buildBinary(op binOp) opBuilder {
	return func(b *buildCtx) (kernel, error) {
		if err := b.need(2); err != nil {
			return nil, err
		}
		x, y := b.in[0], b.in[1]
		if op == opPRelu {
			// PRelu broadcasts the slope to X (unidirectionally).
			if s, ok := broadcastShape(x.shape, y.shape); !ok || !slices.Equal(s, x.shape) {
				return nil, b.errorf("slope shape %v does not broadcast to %v", y.shape, x.shape)
			}
			if slope := channelSlope(x, y); slope != nil {
				b.out[0].shape, b.out[0].dt = x.shape, dtFloat
				if fuseActivation(b, activation{kind: actPRelu, slope: slope}) {
					return &copyKernel{}, nil
				}
			}
		}
		return binaryBuild(b, op, x, y)
	}
}

func binaryBuild(b *buildCtx, op binOp, x, y *value) (kernel, error) {
	out, ok := broadcastShape(x.shape, y.shape)
	if !ok {
		return nil, b.errorf("shapes %v and %v do not broadcast", x.shape, y.shape)
	}
	b.out[0].shape = out
	if x.dt != y.dt {
		return nil, b.errorf("element types differ: %v and %v", x.dt, y.dt)
	}
	if x.dt == dtInt64 {
		if !x.isConst || !y.isConst {
			return nil, b.unsupported("int64 arithmetic on values computed at run time")
		}
		sa, sb := bcastStrides(x.shape, out), bcastStrides(y.shape, out)
		res := make([]int64, prod(out))
		var err error
		forEachIndex(out, func(idx []int, flat int) {
			ia, ib := 0, 0
			for d, i := range idx {
				ia += i * sa[d]
				ib += i * sb[d]
			}
			var e error
			res[flat], e = binaryInt(op, x.i[ia], y.i[ib])
			if e != nil && err == nil {
				err = e
			}
		})
		if err != nil {
			return nil, b.errorf("%v", err)
		}
		o := b.out[0]
		o.dt, o.i, o.isConst = dtInt64, res, true
		return nil, nil
	}
	b.out[0].dt = dtFloat
	if op == opAdd && (fuseResidual(b) || fuseAddChain(b)) {
		return &copyKernel{}, nil
	}
	k := newBinaryKernel(op, x.shape, y.shape, out)
	k.asm = haveAsmKernel && !b.p.portable
	return k, nil
}

// channelSlope returns a constant PRelu slope as one value per channel
// (axis 1 of x), or nil if it varies along another axis.
func channelSlope(x, y *value) []float32 {
	if !y.isConst || y.dt != dtFloat || len(x.shape) < 2 {
		return nil
	}
	st := bcastStrides(y.shape, x.shape)
	for d, s := range st {
		if d != 1 && s != 0 {
			return nil
		}
	}
	slope := make([]float32, x.shape[1])
	for c := range slope {
		slope[c] = y.f[c*st[1]]
	}
	return slope
}

// buildVariadic handles Max, Min and Sum, which take one or more inputs.
func buildVariadic(op binOp) opBuilder {
	return func(b *buildCtx) (kernel, error) {
		if err := b.need(1); err != nil {
			return nil, err
		}
		switch len(b.in) {
		case 1:
			b.out[0].shape, b.out[0].dt = b.in[0].shape, b.in[0].dt
			b.aliasOf = 0
			return &copyKernel{}, nil
		case 2:
			return binaryBuild(b, op, b.in[0], b.in[1])
		}
		return nil, b.unsupported("more than two inputs")
	}
}
