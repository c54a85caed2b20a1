package infer

import (
	"fmt"
	"sort"

	onnx "github.com/owulveryck/onnx-go"
	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gorgonia.org/tensor"
)

// graphBuilder is the onnx-go backend: onnx-go's decoder adds one node per
// ONNX value, an edge from each operation output to each of its inputs
// (weighted by input position) and then calls ApplyOperation. The builder only
// records; planning happens once the whole graph is known.
//
// Edges are kept as a list rather than a set because an operation may use the
// same value twice (Mul(x, x)); a simple graph would lose one of them.
type graphBuilder struct {
	nodes []*valueNode
	edges map[int64][]edge // keyed by the "from" node (an operation output)
	ops   []*opRecord
	meta  *modelMeta
}

type edge struct {
	to     int64
	weight float64
}

// valueNode is one ONNX value (input, initializer or operation output).
type valueNode struct {
	id     int64
	name   string
	tensor tensor.Tensor
}

func (n *valueNode) ID() int64                       { return n.id }
func (n *valueNode) SetName(s string)                { n.name = s }
func (n *valueNode) GetName() string                 { return n.name }
func (n *valueNode) SetTensor(t tensor.Tensor) error { n.tensor = t; return nil }
func (n *valueNode) GetTensor() tensor.Tensor        { return n.tensor }
func (e weightedEdge) From() graph.Node              { return e.from }
func (e weightedEdge) To() graph.Node                { return e.to }
func (e weightedEdge) Weight() float64               { return e.weight }
func (e weightedEdge) ReversedEdge() graph.Edge      { return weightedEdge{e.to, e.from, e.weight} }
func (b *graphBuilder) NewNode() graph.Node          { return &valueNode{id: int64(len(b.nodes))} }
func (b *graphBuilder) Nodes() graph.Nodes           { return iterator.NewOrderedNodes(b.nodeList()) }
func (b *graphBuilder) HasEdgeBetween(x, y int64) bool {
	return b.HasEdgeFromTo(x, y) || b.HasEdgeFromTo(y, x)
}

type weightedEdge struct {
	from, to graph.Node
	weight   float64
}

var _ onnx.Backend = (*graphBuilder)(nil)

func newGraphBuilder(meta *modelMeta) *graphBuilder {
	return &graphBuilder{edges: map[int64][]edge{}, meta: meta}
}

func (b *graphBuilder) nodeList() []graph.Node {
	out := make([]graph.Node, len(b.nodes))
	for i, n := range b.nodes {
		out[i] = n
	}
	return out
}

func (b *graphBuilder) AddNode(n graph.Node) {
	vn, ok := n.(*valueNode)
	if !ok || vn.id != int64(len(b.nodes)) {
		panic(fmt.Sprintf("infer: unexpected node %v added to the graph", n))
	}
	b.nodes = append(b.nodes, vn)
}

func (b *graphBuilder) Node(id int64) graph.Node {
	if id < 0 || id >= int64(len(b.nodes)) {
		return nil
	}
	return b.nodes[id]
}

func (b *graphBuilder) From(id int64) graph.Nodes {
	var out []graph.Node
	seen := map[int64]bool{}
	for _, e := range b.edges[id] {
		if !seen[e.to] {
			seen[e.to] = true
			out = append(out, b.nodes[e.to])
		}
	}
	return iterator.NewOrderedNodes(out)
}

func (b *graphBuilder) To(id int64) graph.Nodes {
	var out []graph.Node
	for from, es := range b.edges {
		for _, e := range es {
			if e.to == id {
				out = append(out, b.nodes[from])
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID() < out[j].ID() })
	return iterator.NewOrderedNodes(out)
}

func (b *graphBuilder) HasEdgeFromTo(u, v int64) bool {
	for _, e := range b.edges[u] {
		if e.to == v {
			return true
		}
	}
	return false
}

func (b *graphBuilder) Edge(u, v int64) graph.Edge {
	for _, e := range b.edges[u] {
		if e.to == v {
			return weightedEdge{b.nodes[u], b.nodes[v], e.weight}
		}
	}
	return nil
}

func (b *graphBuilder) NewWeightedEdge(from, to graph.Node, weight float64) graph.WeightedEdge {
	return weightedEdge{from, to, weight}
}

func (b *graphBuilder) SetWeightedEdge(e graph.WeightedEdge) {
	from, to := e.From().ID(), e.To().ID()
	b.edges[from] = append(b.edges[from], edge{to: to, weight: e.Weight()})
}

// opRecord is one ONNX node as the decoder delivered it.
type opRecord struct {
	name    string // NodeProto.name, or derived from the first output
	opType  string
	attrs   map[string]any
	inputs  []int64 // value node ids; -1 for an omitted optional input
	outputs []int64
}

// ApplyOperation records an operation. The decoder calls it in NodeProto
// order, which lets the builder pair it with the node names from modelMeta.
func (b *graphBuilder) ApplyOperation(op onnx.Operation, outputs ...graph.Node) error {
	idx := len(b.ops)
	rec := &opRecord{opType: op.Name, attrs: op.Attributes}
	if idx < len(b.meta.nodes) {
		nm := b.meta.nodes[idx]
		rec.name = nm.name
		if nm.domain != "" && nm.domain != "ai.onnx" {
			return fmt.Errorf("%w: %s in domain %q (node %q)", ErrUnsupportedOp, op.Name, nm.domain, b.describe(rec, outputs))
		}
	}
	if len(outputs) == 0 {
		return fmt.Errorf("infer: node %q (%s) has no outputs", rec.name, op.Name)
	}
	if _, ok := operators[op.Name]; !ok {
		return fmt.Errorf("%w: %s (node %q)", ErrUnsupportedOp, op.Name, b.describe(rec, outputs))
	}
	for _, o := range outputs {
		rec.outputs = append(rec.outputs, o.ID())
	}
	es := append([]edge(nil), b.edges[outputs[0].ID()]...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].weight < es[j].weight })
	for _, e := range es {
		in := e.to
		if b.nodes[in].name == "" {
			in = -1 // optional input left out
		}
		rec.inputs = append(rec.inputs, in)
	}
	// An input-less node (Constant) gets a fake "<name>/input" value from the
	// decoder; it carries nothing.
	if op.Name == "Constant" {
		rec.inputs = nil
	}
	b.ops = append(b.ops, rec)
	return nil
}

func (b *graphBuilder) describe(rec *opRecord, outputs []graph.Node) string {
	if rec.name != "" {
		return rec.name
	}
	if len(outputs) > 0 {
		if n, ok := outputs[0].(*valueNode); ok {
			return "producing " + n.name
		}
	}
	return "?"
}
