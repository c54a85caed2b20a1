package vision

import (
	"context"
	"fmt"

	"github.com/nevermind-ai/nevermind/vision/infer"
	"github.com/nevermind-ai/nevermind/vision/models"
	"gorgonia.org/tensor"
)

// net is one loaded model and what is needed to feed it.
type net struct {
	spec  models.Model
	model *infer.Model
	// outIndex maps an output name to its position in Run's results.
	outIndex map[string]int
}

func loadNet(spec models.Model, opts infer.Options) (*net, error) {
	data, err := spec.ONNX()
	if err != nil {
		return nil, fmt.Errorf("vision: reading model %s: %w", spec.Name, err)
	}
	m, err := infer.LoadBytes(data, opts)
	if err != nil {
		return nil, fmt.Errorf("vision: loading model %s: %w", spec.Name, err)
	}
	idx := map[string]int{}
	for i, o := range m.Outputs() {
		idx[o.Name] = i
	}
	for _, o := range spec.Outputs {
		if _, ok := idx[o.Name]; !ok {
			return nil, fmt.Errorf("vision: model %s has no output %q", spec.Name, o.Name)
		}
	}
	return &net{spec: spec, model: m, outIndex: idx}, nil
}

// runner is one goroutine's handle on a net: a session and reusable input
// buffers, so that steady-state frames allocate little.
type runner struct {
	net     *net
	session *infer.Session
	rgb     []byte
	input   []float32
	tensor  *tensor.Dense
}

func (n *net) newRunner() *runner {
	in := n.spec.Input
	r := &runner{net: n, session: n.model.NewSession(), input: make([]float32, in.Size())}
	r.tensor = tensor.New(tensor.WithShape(1, in.Height, in.Width, 3), tensor.WithBacking(r.input))
	return r
}

// run crops region of img to the model's input size, normalizes it as
// models.Input.Normalize does and runs the model. The returned slices
// belong to the session and are valid until its next run.
func (r *runner) run(ctx context.Context, img rgbImage, region roi) (map[string][]float32, error) {
	in := r.net.spec.Input
	r.rgb = img.crop(region, in.Width, r.rgb)
	for i, v := range r.rgb {
		c := i % 3
		r.input[i] = (float32(v) - in.Mean[c]) / in.Std[c]
	}
	outs, err := r.session.Run(ctx, r.tensor)
	if err != nil {
		return nil, fmt.Errorf("vision: running %s: %w", r.net.spec.Name, err)
	}
	res := make(map[string][]float32, len(r.net.outIndex))
	for name, i := range r.net.outIndex {
		res[name] = outs[i].Data().([]float32)
	}
	return res, nil
}
