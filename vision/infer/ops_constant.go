package infer

import (
	"math"
	"slices"

	"gorgonia.org/tensor"
)

// ---- ops evaluated at load: shapes, constants, casts, ranges ----

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
