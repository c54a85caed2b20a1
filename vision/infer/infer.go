package infer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	onnx "github.com/owulveryck/onnx-go"
	"gorgonia.org/tensor"
)

// Errors callers can branch on with errors.Is.
var (
	// ErrUnsupportedOp is returned by Load when the graph uses an operator
	// (or operator form) the engine does not implement. The message names the
	// operator and the node.
	ErrUnsupportedOp = errors.New("infer: unsupported operator")
	// ErrInvalidModel is returned by Load for a graph that is not valid ONNX
	// or whose shapes do not agree.
	ErrInvalidModel = errors.New("infer: invalid model")
	// ErrInput is returned by Run when an input has the wrong count, shape or
	// element type, and by Load for an unusable Options.InputShapes.
	ErrInput = errors.New("infer: invalid input")
)

// Options tune Load. The zero value is ready to use.
type Options struct {
	// Threads is the number of goroutines one Run may use for large layers.
	// Zero means runtime.GOMAXPROCS(0); 1 runs every layer on the calling
	// goroutine.
	Threads int
	// InputShapes fixes the shape of inputs that have symbolic dimensions
	// (a batch "N", say), keyed by input name. Symbolic dimensions of inputs
	// not listed here are taken as 1. A model is planned for one shape; load
	// it again for another.
	InputShapes map[string][]int
	// PortableKernels turns off the assembly GEMM micro-kernel and uses the
	// pure-Go one everywhere. It exists for testing and comparison; results
	// agree to float32 rounding.
	PortableKernels bool

	// kernel forces a micro-kernel in tests (kernelAVX2 on an AVX-512
	// machine, say); nil selects as above.
	kernel *kernelKind
}

// ValueInfo describes one input or output of a model.
type ValueInfo struct {
	Name  string
	Shape []int // the planned shape; every dimension is known
	// Symbolic holds the declared name of each symbolic input dimension (""
	// where the model fixes the size). It is nil for outputs.
	Symbolic []string
}

// Model is a loaded, planned ONNX graph. It is safe for concurrent use:
// Run may be called from many goroutines at once.
type Model struct {
	plan     *plan
	sessions sync.Pool
	pool     *workerPool
}

// Load reads an ONNX model from r and plans it. See LoadBytes.
func Load(r io.Reader, opts Options) (*Model, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("infer: read model: %w", err)
	}
	return LoadBytes(data, opts)
}

// LoadBytes decodes an ONNX model (a serialized ModelProto) with onnx-go's
// decoder and plans it for execution: operators are checked, constants
// folded, shapes inferred, BatchNormalization and activations fused into the
// preceding Conv, and intermediate buffers assigned so that a steady-state
// Session.Run allocates nothing.
func LoadBytes(data []byte, opts Options) (*Model, error) {
	data, empties, err := stripEmptyTensors(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidModel, err)
	}
	data = packRawFloats(data)
	meta, err := readModelMeta(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidModel, err)
	}
	meta.empties = empties
	inputs := meta.inputs[:0]
	for _, in := range meta.inputs {
		if _, ok := empties[in.name]; !ok { // an initializer also listed as input (IR < 4)
			inputs = append(inputs, in)
		}
	}
	meta.inputs = inputs
	// Name an unsupported operator before onnx-go trips over it: it cannot
	// decode subgraph attributes (If, Loop) at all.
	for _, n := range meta.nodes {
		if n.domain != "" && n.domain != "ai.onnx" {
			return nil, fmt.Errorf("%w: %s in domain %q (node %q)", ErrUnsupportedOp, n.opType, n.domain, n.name)
		}
		if _, ok := operators[n.opType]; !ok {
			return nil, fmt.Errorf("%w: %s (node %q)", ErrUnsupportedOp, n.opType, n.name)
		}
	}
	b := newGraphBuilder(meta)
	if err := decode(b, data); err != nil {
		if errors.Is(err, ErrUnsupportedOp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidModel, err)
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	p, err := newPlan(b, meta, opts, threads)
	if err != nil {
		return nil, err
	}
	m := &Model{plan: p}
	if threads > 1 {
		m.pool = newWorkerPool(threads - 1)
		// The workers hold only the pool, so the Model can be collected;
		// closing the pool then ends them.
		runtime.AddCleanup(m, func(pool *workerPool) { pool.close() }, m.pool)
	}
	m.sessions.New = func() any { return m.NewSession() }
	return m, nil
}

// decode runs onnx-go's decoder into b, turning its panics on malformed
// input into errors.
func decode(b *graphBuilder, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("onnx decoder: %v", r)
		}
	}()
	return onnx.NewModel(b).UnmarshalBinary(data)
}

// Inputs describes the model inputs, in the order Run expects them.
func (m *Model) Inputs() []ValueInfo { return cloneInfo(m.plan.inputInfo) }

// Outputs describes the model outputs, in the order Run returns them.
func (m *Model) Outputs() []ValueInfo { return cloneInfo(m.plan.outputInfo) }

func cloneInfo(v []ValueInfo) []ValueInfo {
	out := make([]ValueInfo, len(v))
	for i, x := range v {
		out[i] = ValueInfo{Name: x.Name, Shape: append([]int(nil), x.Shape...)}
		if x.Symbolic != nil {
			out[i].Symbolic = append([]string(nil), x.Symbolic...)
		}
	}
	return out
}

// Run executes the model on inputs given in Inputs() order and returns
// freshly allocated outputs in Outputs() order. Every input must be a dense
// float32 tensor of exactly the planned shape.
//
// Run is safe for concurrent use. It borrows a Session from an internal pool;
// use a Session directly to avoid the output copies.
func (m *Model) Run(ctx context.Context, inputs ...*tensor.Dense) ([]*tensor.Dense, error) {
	s := m.sessions.Get().(*Session)
	defer m.sessions.Put(s)
	outs, err := s.Run(ctx, inputs...)
	if err != nil {
		return nil, err
	}
	res := make([]*tensor.Dense, len(outs))
	for i, o := range outs {
		data := append([]float32(nil), o.Float32s()...)
		res[i] = tensor.New(tensor.WithShape(o.Shape().Clone()...), tensor.WithBacking(data))
	}
	return res, nil
}

// Session holds the buffers of one execution of a Model. A Session is not
// safe for concurrent use; give each goroutine its own or use Model.Run.
type Session struct {
	m       *Model
	arena   []float32
	vals    [][]float32 // by value index
	opArgs  [][]args    // by op, one per worker
	jobs    []*job      // by op; nil for an op that is not split
	outputs []*tensor.Dense
}

// NewSession allocates the buffers for running m.
func (m *Model) NewSession() *Session {
	p := m.plan
	s := &Session{m: m, arena: make([]float32, p.arenaSize), vals: make([][]float32, len(p.values))}
	for i, v := range p.values {
		switch {
		case v.isConst:
			s.vals[i] = v.f
		case v.offset >= 0:
			s.vals[i] = s.arena[v.offset : v.offset+v.size() : v.offset+v.size()]
		}
	}
	for i, v := range p.values {
		if v.alias >= 0 {
			s.vals[i] = s.vals[p.root(i)]
		}
	}
	workers := p.threads
	scratch := make([]float32, p.scratchSize*workers)
	s.opArgs = make([][]args, len(p.ops))
	s.jobs = make([]*job, len(p.ops))
	for i, op := range p.ops {
		in := make([][]float32, len(op.in))
		for j, v := range op.in {
			if v >= 0 {
				in[j] = s.vals[v]
			}
		}
		out := make([][]float32, len(op.out))
		for j, v := range op.out {
			out[j] = s.vals[v]
		}
		s.opArgs[i] = make([]args, workers)
		for w := range workers {
			s.opArgs[i][w] = args{in: in, out: out, scratch: scratch[w*p.scratchSize : (w+1)*p.scratchSize]}
		}
		if op.parallel && m.pool != nil {
			units := op.k.units()
			s.jobs[i] = newJob(op.k, s.opArgs[i], units, min(units, partsPerThread*workers))
		}
	}
	for _, v := range p.outputs {
		s.outputs = append(s.outputs, tensor.New(tensor.WithShape(p.values[v].shape...), tensor.WithBacking(s.vals[v])))
	}
	return s
}

// Run executes the model on inputs given in Inputs() order. The returned
// tensors belong to the Session and are overwritten by its next Run; copy
// what you keep. Run checks ctx between layers and returns ctx.Err() once it
// is cancelled.
func (s *Session) Run(ctx context.Context, inputs ...*tensor.Dense) ([]*tensor.Dense, error) {
	p := s.m.plan
	if len(inputs) != len(p.inputs) {
		return nil, fmt.Errorf("%w: got %d inputs, model takes %d (%s)", ErrInput, len(inputs), len(p.inputs), p.inputNames())
	}
	for i, t := range inputs {
		info := p.inputInfo[i]
		if t == nil {
			return nil, fmt.Errorf("%w: input %q is nil", ErrInput, info.Name)
		}
		if t.Dtype() != tensor.Float32 {
			return nil, fmt.Errorf("%w: input %q is %v, want float32", ErrInput, info.Name, t.Dtype())
		}
		if !sameShape(t.Shape(), info.Shape) {
			return nil, fmt.Errorf("%w: input %q has shape %v, want %v", ErrInput, info.Name, []int(t.Shape()), info.Shape)
		}
		if t.RequiresIterator() {
			return nil, fmt.Errorf("%w: input %q is a non-contiguous view; pass t.Materialize()", ErrInput, info.Name)
		}
		dst := s.vals[p.inputs[i]]
		data := t.Float32s() // unlike Data, this does not box the slice
		if len(data) != len(dst) {
			return nil, fmt.Errorf("%w: input %q is not a dense float32 tensor of %d elements", ErrInput, info.Name, len(dst))
		}
		copy(dst, data)
	}
	if s.m.pool != nil {
		s.m.pool.begin()
		defer s.m.pool.end()
	}
	for i, op := range p.ops {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.exec(op, s.opArgs[i], s.jobs[i])
	}
	return s.outputs, nil
}

func sameShape(s tensor.Shape, want []int) bool {
	if len(s) != len(want) {
		// tensor.Dense reports a one-element vector as a scalar sometimes.
		return s.TotalSize() == 1 && prod(want) == 1 && len(want) <= 1 && len(s) <= 1
	}
	for i := range want {
		if s[i] != want[i] {
			return false
		}
	}
	return true
}
