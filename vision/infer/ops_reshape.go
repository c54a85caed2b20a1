package infer

// ---- reshapes: the output is a view of its input ----

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
