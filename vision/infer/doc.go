// Package infer runs ONNX models in pure Go, fast enough for per-frame video
// analysis: NEVER MIND's vision models (BlazeFace, FaceMesh, Iris, face-api
// expression, PoseNet) run within a small factor of onnxruntime on one core.
//
// It plugs into onnx-go (github.com/owulveryck/onnx-go) as a backend: onnx-go
// decodes the protobuf, this package receives every node and operation,
// then plans the graph once at load time:
//
//   - operators are checked (an unknown one fails Load with ErrUnsupportedOp,
//     naming the operator and the node);
//   - shape computations (Shape, Gather, ConstantOfShape, Concat over
//     constants...) are folded into constants and every shape is inferred;
//   - BatchNormalization, a residual Add and the activation (Relu, Clip,
//     PRelu, LeakyRelu, Sigmoid...) are fused into the preceding Conv, and
//     Add(a, Add(b, c)) runs as one three-input pass;
//   - intermediate tensors get slots in one arena, reused as soon as a tensor
//     is dead, so that a steady-state Session.Run allocates nothing.
//
// Kernels: a cache-blocked SGEMM (1×1 convolutions feed it directly, others
// through im2col) whose micro-kernel is AVX-512 or AVX2/FMA assembly on amd64,
// chosen at load from the CPU, and pure Go elsewhere (also with
// Options.PortableKernels or the purego build tag). The environment
// variable NEVERMIND_INFER_KERNELS caps the choice for every Load of the
// process: "avx2" runs an AVX-512 machine on the AVX2/FMA kernels that
// AVX2-only machines get (to benchmark and test that path), "go" the pure-Go
// ones; "auto" or unset is the default, and any other value fails Load.
// A direct depthwise convolution with assembly row kernels; pooling, resize,
// pad and data movement. Large layers are split across goroutines
// (Options.Threads).
//
// # Loading and running
//
// Load once, then run from as many goroutines as you like:
//
//	m, err := infer.Load(f, infer.Options{})
//	if err != nil {
//		return err // errors.Is(err, infer.ErrUnsupportedOp) for unknown operators
//	}
//	in := m.Inputs()[0] // name, planned shape
//	x := tensor.New(tensor.WithShape(in.Shape...), tensor.WithBacking(pixels))
//	outs, err := m.Run(ctx, x) // fresh output tensors, in m.Outputs() order
//
// Inputs must be dense float32 tensors of exactly the planned shape; anything
// else is an ErrInput, never a silent wrong answer. A symbolic dimension
// (a batch "N") is planned as 1 unless Options.InputShapes fixes it.
//
// For a hot loop, keep a Session per goroutine: its Run reuses its buffers
// and returns output tensors that stay valid until the next Run.
//
//	s := m.NewSession()
//	for frame := range frames {
//		outs, err := s.Run(ctx, frame)
//		...
//	}
//
// Operators (opset 7–22 semantics where they differ): Conv (groups,
// depthwise, dilations, strides, asymmetric pads, auto_pad, 1-D and 2-D),
// BatchNormalization, Add, Sub, Mul, Div, Max, Min, Sum, Pow with numpy
// broadcasting, Relu, PRelu, LeakyRelu, Clip, Sigmoid, Tanh, Elu,
// HardSigmoid, HardSwish, Exp, Log, Sqrt, Neg, Abs, Reciprocal, Floor, Ceil,
// Softplus, Softmax, MaxPool and AveragePool (pads, ceil_mode,
// count_include_pad), GlobalAveragePool, GlobalMaxPool, Pad (constant,
// reflect, edge), Resize and Upsample (nearest with every nearest_mode;
// linear with half_pixel, pytorch_half_pixel, align_corners, asymmetric),
// Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice,
// Gather, Expand, Tile, DepthToSpace, SpaceToDepth, MatMul, Gemm,
// ReduceMean, ReduceSum, ReduceMax, ReduceMin, Identity, Dropout, Cast,
// Shape, Size, Constant, ConstantOfShape, Range. Integer tensors exist only
// at load time (shapes, axes, indices); everything that flows at run time
// is float32. A tensor may hold at most 64 Mi elements: a model that asks
// for more fails to load rather than exhausting memory.
package infer
