package infer

import (
	"fmt"
	"math"
	"slices"

	"gorgonia.org/tensor"
)

// operators maps ONNX op types to their builders. It is filled once at
// package initialisation and never changed.
var operators map[string]opBuilder

func init() {
	operators = map[string]opBuilder{
		"Add": buildBinary(opAdd), "Sub": buildBinary(opSub), "Mul": buildBinary(opMul),
		"Div": buildBinary(opDiv), "Max": buildVariadic(opMax), "Min": buildVariadic(opMin),
		"Pow": buildBinary(opPow), "PRelu": buildBinary(opPRelu), "Sum": buildVariadic(opAdd),

		"Relu": buildUnary(actRelu), "Sigmoid": buildUnary(actSigmoid), "Tanh": buildUnary(actTanh),
		"LeakyRelu": buildUnary(actLeaky), "Clip": buildUnary(actClip), "Elu": buildUnary(actElu),
		"HardSigmoid": buildUnary(actHardSigmoid), "HardSwish": buildUnary(actHardSwish),
		"Exp": buildUnary(actExp), "Log": buildUnary(actLog), "Neg": buildUnary(actNeg),
		"Abs": buildUnary(actAbs), "Sqrt": buildUnary(actSqrt), "Reciprocal": buildUnary(actReciprocal),
		"Floor": buildUnary(actFloor), "Ceil": buildUnary(actCeil), "Softplus": buildUnary(actSoftplus),

		"Identity": buildIdentity, "Dropout": buildIdentity,
		"Reshape": buildReshape, "Flatten": buildFlatten, "Squeeze": buildSqueeze, "Unsqueeze": buildUnsqueeze,
		"Transpose": buildTranspose, "Concat": buildConcat, "Split": buildSplit, "Slice": buildSlice,
		"Gather": buildGather, "Shape": buildShape, "Size": buildSize, "ConstantOfShape": buildConstantOfShape,
		"Constant": buildConstant, "Cast": buildCast, "Expand": buildExpand, "Tile": buildTile,
		"Range": buildRange, "Pad": buildPad, "DepthToSpace": buildDepthToSpace, "SpaceToDepth": buildSpaceToDepth,

		"Conv": buildConv, "BatchNormalization": buildBatchNorm,
		"MaxPool": buildPool(false), "AveragePool": buildPool(true),
		"GlobalAveragePool": buildGlobalPool(true), "GlobalMaxPool": buildGlobalPool(false),
		"MatMul": buildMatMul, "Gemm": buildGemm,
		"Softmax": buildSoftmax, "ReduceMean": buildReduce(reduceMean), "ReduceSum": buildReduce(reduceSum),
		"ReduceMax": buildReduce(reduceMax), "ReduceMin": buildReduce(reduceMin),
		"Resize": buildResize, "Upsample": buildResize,
	}
}

// ---- attributes ----

func (b *buildCtx) attrInt(name string, def int64) int64 {
	if v, ok := b.attrs[name].(int64); ok {
		return v
	}
	return def
}

func (b *buildCtx) attrInts(name string) ([]int64, bool) {
	v, ok := b.attrs[name].([]int64)
	return v, ok
}

func (b *buildCtx) attrFloat(name string, def float32) float32 {
	if v, ok := b.attrs[name].(float32); ok {
		return v
	}
	return def
}

func (b *buildCtx) attrFloats(name string) ([]float32, bool) {
	v, ok := b.attrs[name].([]float32)
	return v, ok
}

func (b *buildCtx) attrString(name, def string) string {
	if v, ok := b.attrs[name].(string); ok {
		return v
	}
	return def
}

// axis normalises a possibly negative axis for a tensor of the given rank.
func (b *buildCtx) axis(a int64, rank int) (int, error) {
	if a < 0 {
		a += int64(rank)
	}
	if a < 0 || a >= int64(rank) {
		return 0, b.errorf("axis %d out of range for rank %d", a, rank)
	}
	return int(a), nil
}

func stridesOf(shape []int) []int {
	s := make([]int, len(shape))
	n := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = n
		n *= shape[i]
	}
	return s
}

// forEachIndex visits every multi-index of shape in row-major order.
func forEachIndex(shape []int, fn func(idx []int, flat int)) {
	n := prod(shape)
	idx := make([]int, len(shape))
	for flat := range n {
		fn(idx, flat)
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}

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
	if op == opAdd && fuseResidual(b) {
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

// ---- elementwise unary ----

type actKind uint8

const (
	actNone actKind = iota
	actRelu
	actSigmoid
	actTanh
	actLeaky
	actClip
	actElu
	actHardSigmoid
	actHardSwish
	actExp
	actLog
	actNeg
	actAbs
	actSqrt
	actReciprocal
	actFloor
	actCeil
	actSoftplus
	actPRelu // per-channel slope, only as a fused Conv epilogue
)

// activation is an elementwise function with its parameters.
type activation struct {
	kind        actKind
	alpha, beta float32
	slope       []float32 // actPRelu: one per channel
}

// applyBias adds bias to x and applies the activation in one pass. Relu,
// Clip, PRelu and the identity run in assembly where available; like
// onnxruntime's kernels, the clamps map NaN to the lower bound.
func (act *activation) applyBias(x []float32, channel int, bias float32, asm bool) {
	lo, hi, slope := float32(math.Inf(-1)), float32(math.Inf(1)), float32(1)
	switch act.kind {
	case actNone:
		if bias == 0 {
			return
		}
	case actRelu:
		lo = 0
	case actClip:
		lo, hi = act.alpha, act.beta
	case actPRelu:
		slope = act.slope[channel]
	default:
		if bias != 0 {
			for i := range x {
				x[i] += bias
			}
		}
		act.apply(x, channel)
		return
	}
	done := 0
	if asm {
		done = biasActAsm(x, bias, slope, lo, hi)
	}
	rest := x[done:]
	if act.kind == actPRelu {
		for i, v := range rest {
			if v += bias; v < 0 {
				v *= slope
			}
			rest[i] = v
		}
		return
	}
	for i, v := range rest {
		v += bias
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		rest[i] = v
	}
}

// bounds returns the clamp an activation amounts to, if it is one
// (identity, Relu, Clip).
func (act *activation) bounds() (lo, hi float32, ok bool) {
	switch act.kind {
	case actNone:
		return float32(math.Inf(-1)), float32(math.Inf(1)), true
	case actRelu:
		return 0, float32(math.Inf(1)), true
	case actClip:
		return act.alpha, act.beta, true
	}
	return 0, 0, false
}

func (act *activation) apply(x []float32, channel int) {
	switch act.kind {
	case actNone:
	case actRelu:
		for i, v := range x {
			x[i] = max(v, 0)
		}
	case actClip:
		lo, hi := act.alpha, act.beta
		for i, v := range x {
			if v < lo {
				x[i] = lo
			} else if v > hi {
				x[i] = hi
			}
		}
	case actLeaky:
		for i, v := range x {
			if v < 0 {
				x[i] = v * act.alpha
			}
		}
	case actPRelu:
		s := act.slope[channel]
		for i, v := range x {
			if v < 0 {
				x[i] = v * s
			}
		}
	default:
		for i, v := range x {
			x[i] = act.scalar(v)
		}
	}
}

func (act *activation) scalar(v float32) float32 {
	switch act.kind {
	case actRelu:
		return max(v, 0)
	case actSigmoid:
		return float32(1 / (1 + math.Exp(-float64(v))))
	case actTanh:
		return float32(math.Tanh(float64(v)))
	case actLeaky:
		if v < 0 {
			return v * act.alpha
		}
		return v
	case actClip:
		return min(max(v, act.alpha), act.beta)
	case actElu:
		if v < 0 {
			return act.alpha * float32(math.Expm1(float64(v)))
		}
		return v
	case actHardSigmoid:
		return min(max(act.alpha*v+act.beta, 0), 1)
	case actHardSwish:
		return v * min(max(v/6+0.5, 0), 1)
	case actExp:
		return float32(math.Exp(float64(v)))
	case actLog:
		return float32(math.Log(float64(v)))
	case actNeg:
		return -v
	case actAbs:
		return float32(math.Abs(float64(v)))
	case actSqrt:
		return float32(math.Sqrt(float64(v)))
	case actReciprocal:
		return 1 / v
	case actFloor:
		return float32(math.Floor(float64(v)))
	case actCeil:
		return float32(math.Ceil(float64(v)))
	case actSoftplus:
		return float32(math.Log1p(math.Exp(float64(v))))
	}
	return v
}

const chunk = 1 << 14 // elements per parallel piece of an elementwise op

type unaryKernel struct {
	act activation
	n   int
	asm bool
}

func (k *unaryKernel) units() int { return (k.n + chunk - 1) / chunk }
func (k *unaryKernel) flops() int { return k.n * 4 }
func (k *unaryKernel) run(a *args, lo, hi int) {
	s, e := lo*chunk, min(hi*chunk, k.n)
	copy(a.out[0][s:e], a.in[0][s:e])
	k.act.applyBias(a.out[0][s:e], 0, 0, k.asm)
}

func buildUnary(kind actKind) opBuilder {
	return func(b *buildCtx) (kernel, error) {
		if err := b.need(1); err != nil {
			return nil, err
		}
		x := b.in[0]
		if x.dt != dtFloat {
			if kind == actNeg || kind == actAbs || kind == actRelu {
				return nil, b.unsupported("int64 input")
			}
			return nil, b.errorf("input is %v", x.dt)
		}
		act := activation{kind: kind}
		switch kind {
		case actLeaky:
			act.alpha = b.attrFloat("alpha", 0.01)
		case actElu:
			act.alpha = b.attrFloat("alpha", 1)
		case actHardSigmoid:
			act.alpha, act.beta = b.attrFloat("alpha", 0.2), b.attrFloat("beta", 0.5)
		case actClip:
			act.alpha, act.beta = float32(math.Inf(-1)), float32(math.Inf(1))
			if b.opset < 11 {
				act.alpha, act.beta = b.attrFloat("min", act.alpha), b.attrFloat("max", act.beta)
			} else {
				for i, dst := range []*float32{&act.alpha, &act.beta} {
					f, err := b.constFloats(i + 1)
					if err != nil {
						return nil, err
					}
					if len(f) > 1 {
						return nil, b.errorf("clip bound must be a scalar")
					}
					if len(f) == 1 {
						*dst = f[0]
					}
				}
			}
		}
		b.out[0].shape, b.out[0].dt = x.shape, dtFloat
		if fused := fuseActivation(b, act); fused {
			return &copyKernel{}, nil
		}
		return &unaryKernel{act: act, n: x.size(), asm: haveAsmKernel && !b.p.portable}, nil
	}
}

// ---- data movement ----

// copyKernel copies input 0 to output 0; with b.aliasOf set it is never run
// because the output shares the input's buffer.
type copyKernel struct{}

func (copyKernel) units() int              { return 1 }
func (copyKernel) run(a *args, lo, hi int) { copy(a.out[0], a.in[0]) }

// reshapeTo makes output 0 a view of input 0 with a new shape.
func reshapeTo(b *buildCtx, shape []int) (kernel, error) {
	x := b.in[0]
	if prod(shape) != x.size() {
		return nil, b.errorf("cannot reshape %v (%d elements) to %v", x.shape, x.size(), shape)
	}
	o := b.out[0]
	o.shape, o.dt = shape, x.dt
	if x.dt == dtInt64 {
		if !x.isConst {
			return nil, b.unsupported("int64 input at run time")
		}
		o.i, o.isConst = x.i, true
		return nil, nil
	}
	b.aliasOf = 0
	return &copyKernel{}, nil
}

func buildIdentity(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	if len(b.out) > 1 { // Dropout's mask: all kept at inference.
		m := b.out[1]
		m.shape, m.dt, m.isConst = b.in[0].shape, dtInt64, true
		m.i = make([]int64, prod(m.shape))
		for i := range m.i {
			m.i[i] = 1
		}
	}
	return reshapeTo(b, b.in[0].shape)
}

func buildReshape(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	var spec []int64
	if b.opset < 5 {
		spec, _ = b.attrInts("shape")
	} else {
		if err := b.need(2); err != nil {
			return nil, err
		}
		var err error
		if spec, err = b.constInts(1); err != nil {
			return nil, err
		}
	}
	allowZero := b.attrInt("allowzero", 0) == 1
	shape := make([]int, len(spec))
	infer := -1
	known := 1
	for i, d := range spec {
		switch {
		case d == 0 && !allowZero:
			if i >= len(x.shape) {
				return nil, b.errorf("shape %v copies dimension %d of %v", spec, i, x.shape)
			}
			shape[i] = x.shape[i]
		case d == -1:
			if infer >= 0 {
				return nil, b.errorf("shape %v has two -1", spec)
			}
			infer = i
			continue
		case d < 0:
			return nil, b.errorf("bad dimension %d in shape %v", d, spec)
		default:
			shape[i] = int(d)
		}
		known *= shape[i]
	}
	if infer >= 0 {
		if known == 0 || x.size()%known != 0 {
			return nil, b.errorf("cannot reshape %v to %v", x.shape, spec)
		}
		shape[infer] = x.size() / known
	}
	return reshapeTo(b, shape)
}

func buildFlatten(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	ax := b.attrInt("axis", 1)
	if ax < 0 {
		ax += int64(len(x.shape))
	}
	if ax < 0 || ax > int64(len(x.shape)) {
		return nil, b.errorf("axis %d out of range", ax)
	}
	return reshapeTo(b, []int{prod(x.shape[:ax]), prod(x.shape[ax:])})
}

// axesArg reads "axes" from the attribute (older opsets) or input 1.
func (b *buildCtx) axesArg(attrUntil int64, inputIdx int) ([]int64, error) {
	if b.opset < attrUntil {
		a, _ := b.attrInts("axes")
		return a, nil
	}
	return b.constInts(inputIdx)
}

func buildSqueeze(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	axes, err := b.axesArg(13, 1)
	if err != nil {
		return nil, err
	}
	drop := make([]bool, len(x.shape))
	for _, a := range axes {
		ax, err := b.axis(a, len(x.shape))
		if err != nil {
			return nil, err
		}
		if x.shape[ax] != 1 {
			return nil, b.errorf("cannot squeeze dimension %d of %v", ax, x.shape)
		}
		drop[ax] = true
	}
	shape := []int{}
	for i, d := range x.shape {
		if (len(axes) == 0 && d == 1) || drop[i] {
			continue
		}
		shape = append(shape, d)
	}
	return reshapeTo(b, shape)
}

func buildUnsqueeze(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x := b.in[0]
	axes, err := b.axesArg(13, 1)
	if err != nil {
		return nil, err
	}
	rank := len(x.shape) + len(axes)
	ins := make([]bool, rank)
	for _, a := range axes {
		ax, err := b.axis(a, rank)
		if err != nil {
			return nil, err
		}
		if ins[ax] {
			return nil, b.errorf("axis %d repeated", ax)
		}
		ins[ax] = true
	}
	shape := make([]int, 0, rank)
	j := 0
	for i := range rank {
		if ins[i] {
			shape = append(shape, 1)
		} else {
			shape = append(shape, x.shape[j])
			j++
		}
	}
	return reshapeTo(b, shape)
}

// gatherKernel copies out[i] = in[src[i]], or fill where src[i] < 0. Every
// pure data-movement op (Transpose, Slice, Gather, Pad, Expand, Tile,
// DepthToSpace) is planned as one: the index map is computed at load.
type gatherKernel struct {
	src  []int32
	fill float32
}

func (k *gatherKernel) units() int { return (len(k.src) + chunk - 1) / chunk }
func (k *gatherKernel) flops() int { return len(k.src) }
func (k *gatherKernel) run(a *args, lo, hi int) {
	in, out := a.in[0], a.out[0]
	s, e := lo*chunk, min(hi*chunk, len(k.src))
	for i, j := range k.src[s:e] {
		if j >= 0 {
			out[s+i] = in[j]
		} else {
			out[s+i] = k.fill
		}
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
	return &gatherKernel{src: src, fill: float32(fill)}, nil
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

func buildShape(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	s := b.in[0].shape
	r := int64(len(s))
	start, end := b.attrInt("start", 0), b.attrInt("end", r)
	if start < 0 {
		start += r
	}
	if end < 0 {
		end += r
	}
	start, end = min(max(start, 0), r), min(max(end, 0), r)
	o := b.out[0]
	o.dt, o.isConst, o.i = dtInt64, true, []int64{}
	for _, d := range s[start:max(start, end)] {
		o.i = append(o.i, int64(d))
	}
	o.shape = []int{len(o.i)}
	return nil, nil
}

func buildSize(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	o := b.out[0]
	o.dt, o.isConst, o.i, o.shape = dtInt64, true, []int64{int64(b.in[0].size())}, []int{}
	return nil, nil
}

// setTensorConst stores a tensor attribute as the constant output o.
func setTensorConst(b *buildCtx, o *value, t tensor.Tensor) error {
	if err := setConst(o, t); err != nil {
		return b.unsupported("%v", err)
	}
	return nil
}

func buildConstantOfShape(b *buildCtx) (kernel, error) {
	shape64, err := b.constInts(0)
	if err != nil {
		return nil, err
	}
	shape := make([]int, len(shape64))
	for i, d := range shape64 {
		if d < 0 {
			return nil, b.errorf("negative dimension %d", d)
		}
		shape[i] = int(d)
	}
	if err := checkSize(shape); err != nil {
		return nil, b.errorf("%v", err)
	}
	o := b.out[0]
	fill := &value{}
	if t, ok := b.attrs["value"].(tensor.Tensor); ok {
		if err := setTensorConst(b, fill, t); err != nil {
			return nil, err
		}
	} else {
		fill.dt, fill.f = dtFloat, []float32{0}
	}
	if len(fill.f)+len(fill.i) != 1 {
		return nil, b.errorf("value must have one element")
	}
	o.shape, o.dt, o.isConst = shape, fill.dt, true
	n := prod(shape)
	if fill.dt == dtFloat {
		o.f = make([]float32, n)
		for i := range o.f {
			o.f[i] = fill.f[0]
		}
	} else {
		o.i = make([]int64, n)
		for i := range o.i {
			o.i[i] = fill.i[0]
		}
	}
	return nil, nil
}

func buildConstant(b *buildCtx) (kernel, error) {
	o := b.out[0]
	switch {
	case b.attrs["value"] != nil:
		t, ok := b.attrs["value"].(tensor.Tensor)
		if !ok {
			return nil, b.errorf("value is not a tensor")
		}
		if err := setTensorConst(b, o, t); err != nil {
			return nil, err
		}
	case b.attrs["value_float"] != nil:
		o.dt, o.f, o.shape = dtFloat, []float32{b.attrFloat("value_float", 0)}, []int{}
	case b.attrs["value_floats"] != nil:
		f, _ := b.attrFloats("value_floats")
		o.dt, o.f, o.shape = dtFloat, slices.Clone(f), []int{len(f)}
	case b.attrs["value_int"] != nil:
		o.dt, o.i, o.shape = dtInt64, []int64{b.attrInt("value_int", 0)}, []int{}
	case b.attrs["value_ints"] != nil:
		v, _ := b.attrInts("value_ints")
		o.dt, o.i, o.shape = dtInt64, slices.Clone(v), []int{len(v)}
	default:
		return nil, b.unsupported("constant without value, value_float(s) or value_int(s)")
	}
	o.isConst = true
	return nil, nil
}

func buildCast(b *buildCtx) (kernel, error) {
	if err := b.need(1); err != nil {
		return nil, err
	}
	x, o := b.in[0], b.out[0]
	to := b.attrInt("to", 0)
	var dt dtype
	switch to {
	case 1, 11: // float, double
		dt = dtFloat
	case 6, 7, 9: // int32, int64, bool
		dt = dtInt64
	default:
		return nil, b.unsupported("cast to element type %d", to)
	}
	o.shape, o.dt = x.shape, dt
	if dt == x.dt {
		return reshapeTo(b, x.shape)
	}
	if !x.isConst {
		return nil, b.unsupported("cast between float and int at run time")
	}
	o.isConst = true
	if dt == dtFloat {
		o.f = make([]float32, len(x.i))
		for i, v := range x.i {
			o.f[i] = float32(v)
		}
	} else {
		o.i = make([]int64, len(x.f))
		for i, v := range x.f {
			if to == 9 {
				o.i[i] = b2i(v != 0)
			} else {
				o.i[i] = int64(v)
			}
		}
	}
	return nil, nil
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

func buildRange(b *buildCtx) (kernel, error) {
	if err := b.need(3); err != nil {
		return nil, err
	}
	o := b.out[0]
	if b.in[0].dt == dtInt64 {
		var v [3]int64
		for i := range 3 {
			x, err := b.constInts(i)
			if err != nil || len(x) != 1 {
				return nil, b.unsupported("Range needs scalar constant inputs")
			}
			v[i] = x[0]
		}
		if v[2] == 0 {
			return nil, b.errorf("delta 0")
		}
		if n := (v[1] - v[0]) / v[2]; n > maxElements {
			return nil, b.errorf("range of %d elements", n)
		}
		o.dt, o.isConst, o.i = dtInt64, true, []int64{}
		for x := v[0]; (v[2] > 0 && x < v[1]) || (v[2] < 0 && x > v[1]); x += v[2] {
			o.i = append(o.i, x)
		}
		o.shape = []int{len(o.i)}
		return nil, nil
	}
	var v [3]float32
	for i := range 3 {
		x, err := b.constFloats(i)
		if err != nil || len(x) != 1 {
			return nil, b.unsupported("Range needs scalar constant inputs")
		}
		v[i] = x[0]
	}
	if v[2] == 0 {
		return nil, b.errorf("delta 0")
	}
	nf := math.Max(math.Ceil(float64((v[1]-v[0])/v[2])), 0)
	if nf > maxElements || math.IsNaN(nf) {
		return nil, b.errorf("range of %v elements", nf)
	}
	n := int(nf)
	o.dt, o.isConst, o.f = dtFloat, true, make([]float32, n)
	for i := range n {
		o.f[i] = v[0] + float32(i)*v[2]
	}
	o.shape = []int{n}
	return nil, nil
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
