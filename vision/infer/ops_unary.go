package infer

import "math"

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
