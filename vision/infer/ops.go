package infer

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
