package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// A naive float64 interpreter for the ONNX operators the converter emits,
// written from the ONNX operator specification (NCHW, numpy broadcasting).
// It lets the tests check that a converted graph computes what the tfjs
// graph means, without onnxruntime.

type tensor struct {
	shape []int
	data  []float64
}

func numel(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func strides(s []int) []int {
	st := make([]int, len(s))
	acc := 1
	for i := len(s) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= s[i]
	}
	return st
}

func initTensor(t onnxTensor) tensor {
	shape := make([]int, len(t.dims))
	for i, d := range t.dims {
		shape[i] = int(d)
	}
	out := tensor{shape: shape, data: make([]float64, numel(shape))}
	for i := range out.data {
		switch t.dataType {
		case dtFloat:
			out.data[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(t.raw[4*i:])))
		case dtInt64:
			out.data[i] = float64(int64(binary.LittleEndian.Uint64(t.raw[8*i:])))
		}
	}
	return out
}

func nodeInts(n onnxNode, name string, def []int64) []int64 {
	for _, a := range n.attrs {
		if a.name == name {
			if a.typ == attrInt {
				return []int64{a.i}
			}
			return a.ints
		}
	}
	return def
}

func attrFloatVal(n onnxNode, name string, def float32) float32 {
	for _, a := range n.attrs {
		if a.name == name {
			return a.f
		}
	}
	return def
}

func broadcast(a, b tensor, f func(x, y float64) float64) (tensor, error) {
	r := max(len(a.shape), len(b.shape))
	pad := func(s []int) []int { return append(slices.Repeat([]int{1}, r-len(s)), s...) }
	as, bs := pad(a.shape), pad(b.shape)
	out := make([]int, r)
	for i := range r {
		switch {
		case as[i] == bs[i] || bs[i] == 1:
			out[i] = as[i]
		case as[i] == 1:
			out[i] = bs[i]
		default:
			return tensor{}, fmt.Errorf("cannot broadcast %v and %v", a.shape, b.shape)
		}
	}
	ast, bst, ost := strides(as), strides(bs), strides(out)
	res := tensor{shape: out, data: make([]float64, numel(out))}
	for i := range res.data {
		ai, bi := 0, 0
		for d := range r {
			c := (i / ost[d]) % out[d]
			if as[d] != 1 {
				ai += c * ast[d]
			}
			if bs[d] != 1 {
				bi += c * bst[d]
			}
		}
		res.data[i] = f(a.data[ai], b.data[bi])
	}
	return res, nil
}

func unary(x tensor, f func(float64) float64) tensor {
	out := tensor{shape: x.shape, data: make([]float64, len(x.data))}
	for i, v := range x.data {
		out.data[i] = f(v)
	}
	return out
}

func evalGraph(g onnxGraph, inputs map[string]tensor) (map[string]tensor, error) {
	env := map[string]tensor{}
	for k, v := range inputs {
		env[k] = v
	}
	for _, t := range g.inits {
		env[t.name] = initTensor(t)
	}
	for _, n := range g.nodes {
		in := make([]tensor, len(n.inputs))
		for i, name := range n.inputs {
			v, ok := env[name]
			if !ok {
				return nil, fmt.Errorf("node %s: input %s undefined", n.name, name)
			}
			in[i] = v
		}
		var out tensor
		var err error
		switch n.op {
		case "Identity":
			out = in[0]
		case "Transpose":
			out = transpose(in[0], nodeInts(n, "perm", nil))
		case "Reshape":
			shape := make([]int, len(in[1].data))
			for i, v := range in[1].data {
				shape[i] = int(v)
			}
			if numel(shape) != len(in[0].data) {
				return nil, fmt.Errorf("node %s: reshape %v to %v", n.name, in[0].shape, shape)
			}
			out = tensor{shape: shape, data: in[0].data}
		case "Add":
			out, err = broadcast(in[0], in[1], func(x, y float64) float64 { return x + y })
		case "MatMul":
			out = matmul(in[0], in[1])
		case "PRelu":
			out, err = broadcast(in[0], in[1], func(x, a float64) float64 {
				if x < 0 {
					return a * x
				}
				return x
			})
		case "Relu":
			out = unary(in[0], func(x float64) float64 { return max(x, 0) })
		case "Clip":
			lo, hi := in[1].data[0], in[2].data[0]
			out = unary(in[0], func(x float64) float64 { return min(max(x, lo), hi) })
		case "LeakyRelu":
			a := float64(attrFloatVal(n, "alpha", 0.01))
			out = unary(in[0], func(x float64) float64 {
				if x < 0 {
					return a * x
				}
				return x
			})
		case "Sigmoid":
			out = unary(in[0], func(x float64) float64 { return 1 / (1 + math.Exp(-x)) })
		case "Tanh":
			out = unary(in[0], math.Tanh)
		case "Softmax":
			out = softmaxLast(in[0])
		case "Conv":
			out = conv(in, n)
		case "MaxPool", "AveragePool":
			out = pool(in[0], n)
		case "GlobalAveragePool":
			x := in[0]
			N, C, H, W := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
			out = tensor{shape: []int{N, C, 1, 1}, data: make([]float64, N*C)}
			for i := range N * C {
				s := 0.0
				for j := range H * W {
					s += x.data[i*H*W+j]
				}
				out.data[i] = s / float64(H*W)
			}
		case "Pad":
			out = padConst(in[0], in[1].data)
		case "Concat":
			out = concat(in, int(nodeInts(n, "axis", nil)[0]))
		default:
			return nil, fmt.Errorf("evaluator: op %s not implemented", n.op)
		}
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", n.name, err)
		}
		env[n.outputs[0]] = out
	}
	res := map[string]tensor{}
	for _, o := range g.outputs {
		res[o.name] = env[o.name]
	}
	return res, nil
}

func transpose(x tensor, perm []int64) tensor {
	r := len(x.shape)
	shape := make([]int, r)
	for i, p := range perm {
		shape[i] = x.shape[p]
	}
	ist, ost := strides(x.shape), strides(shape)
	out := tensor{shape: shape, data: make([]float64, len(x.data))}
	for i := range out.data {
		src := 0
		for d := range r {
			c := (i / ost[d]) % shape[d]
			src += c * ist[perm[d]]
		}
		out.data[i] = x.data[src]
	}
	return out
}

func matmul(a, b tensor) tensor {
	m, k, n := a.shape[0], a.shape[1], b.shape[1]
	out := tensor{shape: []int{m, n}, data: make([]float64, m*n)}
	for i := range m {
		for j := range n {
			s := 0.0
			for l := range k {
				s += a.data[i*k+l] * b.data[l*n+j]
			}
			out.data[i*n+j] = s
		}
	}
	return out
}

func softmaxLast(x tensor) tensor {
	n := x.shape[len(x.shape)-1]
	out := tensor{shape: x.shape, data: make([]float64, len(x.data))}
	for r := 0; r < len(x.data); r += n {
		m := math.Inf(-1)
		for _, v := range x.data[r : r+n] {
			m = max(m, v)
		}
		s := 0.0
		for i, v := range x.data[r : r+n] {
			out.data[r+i] = math.Exp(v - m)
			s += out.data[r+i]
		}
		for i := range n {
			out.data[r+i] /= s
		}
	}
	return out
}

func conv(in []tensor, n onnxNode) tensor {
	x, w := in[0], in[1]
	N, C, H, W := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	O, Cg, kh, kw := w.shape[0], w.shape[1], w.shape[2], w.shape[3]
	group := int(nodeInts(n, "group", []int64{1})[0])
	st := nodeInts(n, "strides", []int64{1, 1})
	dl := nodeInts(n, "dilations", []int64{1, 1})
	p := nodeInts(n, "pads", []int64{0, 0, 0, 0})
	top, left, bottom, right := int(p[0]), int(p[1]), int(p[2]), int(p[3])
	sh, sw, dh, dw := int(st[0]), int(st[1]), int(dl[0]), int(dl[1])
	Ho := (H+top+bottom-((kh-1)*dh+1))/sh + 1
	Wo := (W+left+right-((kw-1)*dw+1))/sw + 1
	out := tensor{shape: []int{N, O, Ho, Wo}, data: make([]float64, N*O*Ho*Wo)}
	opg := O / group
	for b := range N {
		for o := range O {
			g := o / opg
			for oy := range Ho {
				for ox := range Wo {
					s := 0.0
					if len(in) > 2 {
						s = in[2].data[o]
					}
					for ci := range Cg {
						c := g*Cg + ci
						for ky := range kh {
							iy := oy*sh - top + ky*dh
							if iy < 0 || iy >= H {
								continue
							}
							for kx := range kw {
								ix := ox*sw - left + kx*dw
								if ix < 0 || ix >= W {
									continue
								}
								s += x.data[((b*C+c)*H+iy)*W+ix] * w.data[((o*Cg+ci)*kh+ky)*kw+kx]
							}
						}
					}
					out.data[((b*O+o)*Ho+oy)*Wo+ox] = s
				}
			}
		}
	}
	return out
}

func pool(x tensor, n onnxNode) tensor {
	N, C, H, W := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	k := nodeInts(n, "kernel_shape", nil)
	st := nodeInts(n, "strides", []int64{1, 1})
	p := nodeInts(n, "pads", []int64{0, 0, 0, 0})
	kh, kw, sh, sw := int(k[0]), int(k[1]), int(st[0]), int(st[1])
	top, left, bottom, right := int(p[0]), int(p[1]), int(p[2]), int(p[3])
	Ho := (H+top+bottom-kh)/sh + 1
	Wo := (W+left+right-kw)/sw + 1
	out := tensor{shape: []int{N, C, Ho, Wo}, data: make([]float64, N*C*Ho*Wo)}
	for bc := range N * C {
		for oy := range Ho {
			for ox := range Wo {
				m, s, cnt := math.Inf(-1), 0.0, 0
				for ky := range kh {
					iy := oy*sh - top + ky
					for kx := range kw {
						ix := ox*sw - left + kx
						if iy < 0 || iy >= H || ix < 0 || ix >= W {
							continue // padding is ignored (count_include_pad = 0)
						}
						v := x.data[(bc*H+iy)*W+ix]
						m = max(m, v)
						s += v
						cnt++
					}
				}
				if n.op == "MaxPool" {
					out.data[(bc*Ho+oy)*Wo+ox] = m
				} else {
					out.data[(bc*Ho+oy)*Wo+ox] = s / float64(cnt)
				}
			}
		}
	}
	return out
}

func padConst(x tensor, pads []float64) tensor {
	r := len(x.shape)
	shape := make([]int, r)
	for i := range r {
		shape[i] = x.shape[i] + int(pads[i]) + int(pads[i+r])
	}
	out := tensor{shape: shape, data: make([]float64, numel(shape))}
	ist, ost := strides(x.shape), strides(shape)
	for i := range x.data {
		dst := 0
		for d := range r {
			c := (i / ist[d]) % x.shape[d]
			dst += (c + int(pads[d])) * ost[d]
		}
		out.data[dst] = x.data[i]
	}
	return out
}

func concat(in []tensor, axis int) tensor {
	shape := slices.Clone(in[0].shape)
	shape[axis] = 0
	for _, t := range in {
		shape[axis] += t.shape[axis]
	}
	outer := numel(shape[:axis])
	out := tensor{shape: shape}
	for o := range outer {
		for _, t := range in {
			chunk := numel(t.shape[axis:])
			out.data = append(out.data, t.data[o*chunk:(o+1)*chunk]...)
		}
	}
	return out
}
