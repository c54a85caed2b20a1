package infer

import (
	"fmt"
	"strings"

	"gorgonia.org/tensor"
)

type dtype uint8

const (
	dtFloat dtype = iota
	dtInt64
)

func (d dtype) String() string {
	if d == dtInt64 {
		return "int64"
	}
	return "float32"
}

// value is one tensor of the planned graph.
type value struct {
	name    string
	shape   []int
	dt      dtype
	isConst bool
	f       []float32 // constant data (dtFloat)
	i       []int64   // constant data (dtInt64)

	producer  int // op index in plan.ops, -1 for inputs and constants
	consumers int // number of op inputs reading this value
	alias     int // value whose buffer this one shares, -1 if none
	offset    int // arena offset of a runtime value, -1 if none
	isOutput  bool
	fused     bool // an alias that is the result of a kernel's extended epilogue
}

func (v *value) size() int { return prod(v.shape) }

func prod(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// args is what a kernel sees when it runs: the buffers of its inputs and
// outputs (nil for an omitted optional input) and a private scratch area.
type args struct {
	in, out [][]float32
	scratch []float32
}

// kernel executes one planned operation on float32 buffers.
type kernel interface {
	// units is how many independent pieces the work splits into; run is
	// called on disjoint ranges [lo, hi) of them, possibly concurrently.
	units() int
	run(a *args, lo, hi int)
}

// parallelKernel is a kernel big enough to be worth splitting.
type parallelKernel interface {
	kernel
	// flops estimates the work, to decide whether to split at all.
	flops() int
}

// scratchKernel needs per-worker scratch memory.
type scratchKernel interface {
	scratch() int
}

// finalizer is a kernel that prepares itself (packs weights) once fusions
// into it are done.
type finalizer interface {
	finalize()
}

// planOp is one scheduled kernel.
type planOp struct {
	name, opType string
	k            kernel
	in, out      []int // value indexes, -1 for omitted inputs
	parallel     bool
}

type plan struct {
	values      []*value
	ops         []*planOp
	inputs      []int
	outputs     []int
	inputInfo   []ValueInfo
	outputInfo  []ValueInfo
	arenaSize   int
	scratchSize int
	threads     int
	opset       int64
	gemm        gemmKernel
	portable    bool
}

// valueIndex finds v's index.
func (p *plan) valueIndex(v *value) int {
	for i, x := range p.values {
		if x == v {
			return i
		}
	}
	return -1
}

// root follows aliases to the value that owns the buffer.
func (p *plan) root(i int) int {
	for p.values[i].alias >= 0 {
		i = p.values[i].alias
	}
	return i
}

func (p *plan) inputNames() string {
	var names []string
	for _, in := range p.inputInfo {
		names = append(names, fmt.Sprintf("%s%v", in.Name, in.Shape))
	}
	return strings.Join(names, ", ")
}

// buildCtx is handed to an operator's builder.
type buildCtx struct {
	p      *plan
	name   string
	opType string
	attrs  map[string]any
	opset  int64
	in     []*value // nil for an omitted optional input
	inIdx  []int
	out    []*value
	outIdx []int
	// aliasOf, when set by the builder (>= 0), makes output 0 share the
	// buffer of that input: the op is a pure reshape.
	aliasOf int
}

func (b *buildCtx) errorf(format string, a ...any) error {
	return fmt.Errorf("%w: %s node %q: %s", ErrInvalidModel, b.opType, b.name, fmt.Sprintf(format, a...))
}

func (b *buildCtx) unsupported(format string, a ...any) error {
	return fmt.Errorf("%w: %s node %q: %s", ErrUnsupportedOp, b.opType, b.name, fmt.Sprintf(format, a...))
}

// input returns input i or nil when it is absent.
func (b *buildCtx) input(i int) *value {
	if i < len(b.in) {
		return b.in[i]
	}
	return nil
}

// need checks that inputs [0, n) are present.
func (b *buildCtx) need(n int) error {
	if len(b.in) < n {
		return b.errorf("needs %d inputs, has %d", n, len(b.in))
	}
	for i := range n {
		if b.in[i] == nil {
			return b.errorf("input %d is missing", i)
		}
	}
	return nil
}

// constInts returns a constant integer input (shape, axes, pads...).
func (b *buildCtx) constInts(i int) ([]int64, error) {
	v := b.input(i)
	if v == nil {
		return nil, nil
	}
	if !v.isConst {
		return nil, b.unsupported("input %d (%s) must be a constant (computed shapes are not supported)", i, v.name)
	}
	if v.dt == dtInt64 {
		return v.i, nil
	}
	out := make([]int64, len(v.f))
	for j, x := range v.f {
		out[j] = int64(x)
	}
	return out, nil
}

// constFloats returns a constant float input.
func (b *buildCtx) constFloats(i int) ([]float32, error) {
	v := b.input(i)
	if v == nil {
		return nil, nil
	}
	if !v.isConst {
		return nil, b.unsupported("input %d (%s) must be a constant", i, v.name)
	}
	if v.dt == dtFloat {
		return v.f, nil
	}
	out := make([]float32, len(v.i))
	for j, x := range v.i {
		out[j] = float32(x)
	}
	return out, nil
}

// opBuilder checks an operation, infers its output shapes (setting
// b.out[i].shape and dt) and returns its kernel. It returns a nil kernel when
// it computed the outputs itself as constants.
type opBuilder func(b *buildCtx) (kernel, error)

func newPlan(g *graphBuilder, meta *modelMeta, opts Options, threads int) (*plan, error) {
	limit, err := kernelCap()
	if err != nil {
		return nil, err
	}
	if opts.PortableKernels {
		limit = kernelGo
	}
	p := &plan{threads: threads, opset: meta.opset, gemm: selectGemm(limit)}
	if opts.kernel != nil {
		p.gemm = newGemm(*opts.kernel)
	}
	p.portable = p.gemm.kind == kernelGo
	if meta.opset > 22 {
		return nil, fmt.Errorf("%w: opset %d is newer than this engine knows (up to 22)", ErrUnsupportedOp, meta.opset)
	}
	byNode := make([]int, len(g.nodes))
	for i, n := range g.nodes {
		byNode[i] = len(p.values)
		p.values = append(p.values, &value{name: n.name, producer: -1, alias: -1, offset: -1})
	}
	produced := make([]bool, len(g.nodes))
	for _, op := range g.ops {
		for _, o := range op.outputs {
			if produced[o] {
				return nil, fmt.Errorf("%w: value %q is produced twice", ErrInvalidModel, g.nodes[o].name)
			}
			produced[o] = true
		}
	}
	// Graph inputs.
	isInput := map[string]bool{}
	for _, in := range meta.inputs {
		n := findNode(g, in.name)
		if n < 0 {
			return nil, fmt.Errorf("%w: input %q not in graph", ErrInvalidModel, in.name)
		}
		if in.elemType != 1 {
			return nil, fmt.Errorf("%w: input %q has element type %d; only float32 inputs are supported", ErrUnsupportedOp, in.name, in.elemType)
		}
		shape := make([]int, len(in.dims))
		fixed, hasFixed := opts.InputShapes[in.name]
		if hasFixed && len(fixed) != len(in.dims) {
			return nil, fmt.Errorf("%w: InputShapes[%q] has rank %d, the model declares %d", ErrInput, in.name, len(fixed), len(in.dims))
		}
		for j, d := range in.dims {
			switch {
			case d >= 0 && hasFixed && fixed[j] != int(d):
				return nil, fmt.Errorf("%w: InputShapes[%q] dimension %d is %d, the model fixes it at %d", ErrInput, in.name, j, fixed[j], d)
			case d >= 0:
				shape[j] = int(d)
			case hasFixed:
				shape[j] = fixed[j]
			default:
				shape[j] = 1
			}
		}
		if !in.hasShape {
			return nil, fmt.Errorf("%w: input %q has no declared shape", ErrInvalidModel, in.name)
		}
		if err := checkSize(shape); err != nil {
			return nil, fmt.Errorf("%w: input %q: %v", ErrInvalidModel, in.name, err)
		}
		v := p.values[byNode[n]]
		v.shape, v.dt = shape, dtFloat
		isInput[in.name] = true
		p.inputs = append(p.inputs, byNode[n])
		p.inputInfo = append(p.inputInfo, ValueInfo{Name: in.name, Shape: shape, Symbolic: append([]string(nil), in.params...)})
	}
	// Initializers: any tensor on a node that no op produces and that is not
	// a graph input.
	for i, n := range g.nodes {
		if e, ok := meta.empties[n.name]; ok && !produced[i] && !isInput[n.name] {
			v := p.values[byNode[i]]
			v.shape, v.dt, v.isConst = e.shape, e.dt, true
			v.f, v.i = []float32{}, []int64{}
			continue
		}
		if produced[i] || isInput[n.name] || n.tensor == nil {
			continue
		}
		if err := setConst(p.values[byNode[i]], n.tensor); err != nil {
			return nil, fmt.Errorf("%w: initializer %q: %v", ErrUnsupportedOp, n.name, err)
		}
	}
	order, err := topoOrder(g, produced)
	if err != nil {
		return nil, err
	}
	// Consumer counts drive fusion decisions and buffer lifetimes.
	for _, op := range g.ops {
		for _, in := range op.inputs {
			if in >= 0 {
				p.values[byNode[in]].consumers++
			}
		}
	}
	for _, o := range meta.outputs {
		n := findNode(g, o.name)
		if n < 0 {
			return nil, fmt.Errorf("%w: output %q not in graph", ErrInvalidModel, o.name)
		}
		p.values[byNode[n]].isOutput = true
		p.outputs = append(p.outputs, byNode[n])
	}
	for _, oi := range order {
		op := g.ops[oi]
		b := &buildCtx{p: p, name: op.name, opType: op.opType, attrs: op.attrs, opset: meta.opset, aliasOf: -1}
		if b.name == "" && len(op.outputs) > 0 {
			b.name = g.nodes[op.outputs[0]].name
		}
		for _, in := range op.inputs {
			if in < 0 {
				b.in = append(b.in, nil)
				b.inIdx = append(b.inIdx, -1)
				continue
			}
			v := p.values[byNode[in]]
			if v.shape == nil && !v.isConst && v.producer < 0 && !isInput[v.name] {
				return nil, fmt.Errorf("%w: %s node %q reads %q, which nothing produces", ErrInvalidModel, op.opType, b.name, v.name)
			}
			b.in = append(b.in, v)
			b.inIdx = append(b.inIdx, byNode[in])
		}
		for _, o := range op.outputs {
			b.out = append(b.out, p.values[byNode[o]])
			b.outIdx = append(b.outIdx, byNode[o])
		}
		if err := p.build(b); err != nil {
			return nil, err
		}
	}
	for i, o := range p.outputs {
		v := p.values[o]
		if v.dt != dtFloat {
			return nil, fmt.Errorf("%w: output %q is %v; only float32 outputs are supported", ErrUnsupportedOp, v.name, v.dt)
		}
		if v.isConst || (v.alias >= 0 && p.values[p.root(o)].isConst) {
			// A constant output still needs a Session buffer; copy it once.
			k := &copyConst{data: p.constData(o)}
			nv := &value{name: v.name, shape: v.shape, producer: len(p.ops), alias: -1, offset: -1, isOutput: true}
			p.values = append(p.values, nv)
			p.ops = append(p.ops, &planOp{name: "output " + v.name, opType: "Identity", k: k, out: []int{len(p.values) - 1}})
			p.outputs[i] = len(p.values) - 1
		}
		p.outputInfo = append(p.outputInfo, ValueInfo{Name: v.name, Shape: append([]int(nil), v.shape...)})
	}
	for _, op := range p.ops {
		if f, ok := op.k.(finalizer); ok {
			f.finalize()
		}
	}
	p.assignBuffers()
	return p, nil
}

func (p *plan) constData(i int) []float32 {
	return p.values[p.root(i)].f
}

type copyConst struct{ data []float32 }

func (k *copyConst) units() int              { return 1 }
func (k *copyConst) run(a *args, lo, hi int) { copy(a.out[0], k.data) }

func findNode(g *graphBuilder, name string) int {
	for i, n := range g.nodes {
		if n.name == name {
			return i
		}
	}
	return -1
}

func setConst(v *value, t tensor.Tensor) error {
	shape := []int(t.Shape())
	if t.Shape().IsScalar() {
		shape = []int{}
	}
	v.shape = append([]int{}, shape...)
	v.isConst = true
	switch d := t.Data().(type) {
	case []float32:
		// The decoded model is dropped after planning, so the constant can
		// keep its backing array (kernels that change weights copy them).
		v.dt, v.f = dtFloat, d
	case float32:
		v.dt, v.f = dtFloat, []float32{d}
	case []float64:
		v.dt = dtFloat
		for _, x := range d {
			v.f = append(v.f, float32(x))
		}
	case []int64:
		v.dt, v.i = dtInt64, append([]int64(nil), d...)
	case int64:
		v.dt, v.i = dtInt64, []int64{d}
	case []int32:
		v.dt = dtInt64
		for _, x := range d {
			v.i = append(v.i, int64(x))
		}
	case []bool:
		v.dt = dtInt64
		for _, x := range d {
			v.i = append(v.i, b2i(x))
		}
	default:
		return fmt.Errorf("element type %v is not supported", t.Dtype())
	}
	n := len(v.f) + len(v.i)
	if n != prod(v.shape) {
		return fmt.Errorf("has %d elements for shape %v", n, v.shape)
	}
	return nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// topoOrder sorts the recorded operations so that every value is produced
// before it is read (ONNX requires sorted graphs, but be forgiving).
func topoOrder(g *graphBuilder, produced []bool) ([]int, error) {
	producer := make(map[int64]int)
	for i, op := range g.ops {
		for _, o := range op.outputs {
			producer[o] = i
		}
	}
	state := make([]uint8, len(g.ops)) // 0 new, 1 visiting, 2 done
	var order []int
	var visit func(i int) error
	visit = func(i int) error {
		switch state[i] {
		case 1:
			return fmt.Errorf("%w: the graph has a cycle through %s node %q", ErrInvalidModel, g.ops[i].opType, g.ops[i].name)
		case 2:
			return nil
		}
		state[i] = 1
		for _, in := range g.ops[i].inputs {
			if in < 0 || !produced[in] {
				continue
			}
			if err := visit(producer[in]); err != nil {
				return err
			}
		}
		state[i] = 2
		order = append(order, i)
		return nil
	}
	for i := range g.ops {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// build plans one operation: it runs the operator's builder, folds it when
// every input is constant, and otherwise schedules its kernel.
func (p *plan) build(b *buildCtx) error {
	builder := operators[b.opType]
	for _, o := range b.out {
		o.producer = len(p.ops)
	}
	k, err := builder(b)
	if err != nil {
		return err
	}
	// An output the builder did not define is one the operator does not
	// have (a Slice with two outputs, say).
	for _, o := range b.out {
		if (k == nil && !o.isConst) || o.shape == nil {
			return b.errorf("has output %q, which %s does not produce", o.name, b.opType)
		}
		if err := checkSize(o.shape); err != nil {
			return b.errorf("output %q: %v", o.name, err)
		}
	}
	if k == nil {
		for _, o := range b.out {
			o.producer = -1
		}
		return nil
	}
	allConst := true
	for _, in := range b.in {
		if in != nil && !in.isConst {
			allConst = false
		}
	}
	if allConst {
		return p.fold(b, k)
	}
	if b.aliasOf >= 0 {
		b.out[0].alias = b.inIdx[b.aliasOf]
		b.out[0].producer = -1
		return nil
	}
	for _, in := range b.in {
		if in != nil && in.dt != dtFloat && !in.isConst {
			return b.unsupported("input %q is %v at run time; only float32 tensors flow through the graph", in.name, in.dt)
		}
	}
	op := &planOp{name: b.name, opType: b.opType, k: k, in: b.inIdx, out: b.outIdx}
	if pk, ok := k.(parallelKernel); ok && p.threads > 1 && pk.units() > 1 && pk.flops() > minParallelFlops {
		op.parallel = true
	}
	if sk, ok := k.(scratchKernel); ok && sk.scratch() > p.scratchSize {
		p.scratchSize = sk.scratch()
	}
	p.ops = append(p.ops, op)
	return nil
}

// fold runs a kernel on constant inputs at load time.
func (p *plan) fold(b *buildCtx, k kernel) error {
	a := &args{}
	for _, in := range b.in {
		if in == nil {
			a.in = append(a.in, nil)
			continue
		}
		// Integer inputs are planning parameters (shapes, axes) that the
		// kernel has already consumed.
		a.in = append(a.in, in.f)
	}
	for _, o := range b.out {
		o.dt = dtFloat
		o.f = make([]float32, o.size())
		a.out = append(a.out, o.f)
	}
	if f, ok := k.(finalizer); ok {
		f.finalize()
	}
	if sk, ok := k.(scratchKernel); ok {
		a.scratch = make([]float32, sk.scratch())
	}
	k.run(a, 0, k.units())
	for _, o := range b.out {
		o.isConst = true
		o.producer = -1
	}
	return nil
}

// assignBuffers gives every runtime value an arena offset, reusing the
// space of values that are dead. Buffers are kept as slots; a value takes
// the smallest free slot that fits, or grows one, or opens a new one.
func (p *plan) assignBuffers() {
	lastUse := make([]int, len(p.values))
	for i := range lastUse {
		lastUse[i] = -1
	}
	for oi, op := range p.ops {
		for _, in := range op.in {
			if in >= 0 {
				r := p.root(in)
				lastUse[r] = max(lastUse[r], oi)
			}
		}
	}
	keep := make([]bool, len(p.values))
	for _, o := range p.outputs {
		keep[p.root(o)] = true
	}
	type slot struct {
		size int
		free bool
	}
	var slots []slot
	slotOf := make([]int, len(p.values))
	take := func(v int) {
		need := p.values[v].size()
		best, largest := -1, -1
		for s := range slots {
			if !slots[s].free {
				continue
			}
			if slots[s].size >= need && (best < 0 || slots[s].size < slots[best].size) {
				best = s
			}
			if largest < 0 || slots[s].size > slots[largest].size {
				largest = s
			}
		}
		if best < 0 {
			best = largest
		}
		if best < 0 {
			slots = append(slots, slot{size: need})
			best = len(slots) - 1
		}
		slots[best].free = false
		slots[best].size = max(slots[best].size, need)
		slotOf[v] = best
	}
	allocated := make([]bool, len(p.values))
	for _, in := range p.inputs {
		take(in)
		allocated[in] = true
	}
	for oi, op := range p.ops {
		for _, o := range op.out {
			if p.values[o].alias < 0 && !allocated[o] {
				take(o)
				allocated[o] = true
			}
		}
		// Free what dies here. Outputs that nobody reads die at once, but
		// only after every output of this op has its own slot.
		for _, v := range append(append([]int(nil), op.in...), op.out...) {
			if v < 0 {
				continue
			}
			r := p.root(v)
			if allocated[r] && lastUse[r] <= oi && !keep[r] {
				slots[slotOf[r]].free = true
			}
		}
	}
	offsets := make([]int, len(slots))
	total := 0
	for s := range slots {
		offsets[s] = total
		total += slots[s].size
	}
	for v := range p.values {
		if allocated[v] {
			p.values[v].offset = offsets[slotOf[v]]
		}
	}
	p.arenaSize = total
}

// exec runs one planned op, splitting it across the workers when it is
// large (j is its job then, else nil).
func (s *Session) exec(op *planOp, a []args, j *job) {
	if j == nil {
		op.k.run(&a[0], 0, op.k.units())
		return
	}
	s.m.pool.run(j)
}

// maxElements bounds every tensor of a plan (256 MiB of float32), so that a
// malformed model fails to load instead of exhausting memory.
const maxElements = 1 << 26

// checkSize rejects negative dimensions and tensors over maxElements,
// without overflowing on the way.
func checkSize(shape []int) error {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("negative dimension in %v", shape)
		}
		if d > 0 && n > maxElements/d {
			return fmt.Errorf("shape %v has more than %d elements", shape, maxElements)
		}
		n *= d
	}
	return nil
}

// minParallelFlops is the work below which splitting a layer across
// goroutines costs more (claiming, waking a parked worker) than it saves.
const minParallelFlops = 1 << 20

// partsPerThread is how many parts a split layer has per thread, so that
// a late goroutine leaves little to wait for.
const partsPerThread = 4
