package infer_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/nevermind-ai/nevermind/vision/infer"
	"github.com/nevermind-ai/nevermind/vision/models"
	"gorgonia.org/tensor"
)

// Load the embedded BlazeFace detector and run it on a grey image.
func Example() {
	data, err := models.BlazeFace().ONNX()
	if err != nil {
		panic(err)
	}
	m, err := infer.Load(bytes.NewReader(data), infer.Options{})
	if err != nil {
		panic(err)
	}
	in := m.Inputs()[0]
	fmt.Println("input", in.Name, in.Shape)

	pixels := make([]float32, 1*128*128*3) // 0 is mid-grey after BlazeFace's normalization
	x := tensor.New(tensor.WithShape(in.Shape...), tensor.WithBacking(pixels))
	outs, err := m.Run(context.Background(), x)
	if err != nil {
		panic(err)
	}
	for i, o := range m.Outputs() {
		fmt.Println("output", o.Name, outs[i].Shape())
	}
	// Output:
	// input input:0 [1 128 128 3]
	// output Identity:0 (1, 512, 1)
	// output Identity_1:0 (1, 384, 1)
	// output Identity_2:0 (1, 512, 16)
	// output Identity_3:0 (1, 384, 16)
}

// A Session reuses its buffers: the steady state allocates nothing.
func ExampleModel_NewSession() {
	data, err := models.Expression().ONNX()
	if err != nil {
		panic(err)
	}
	m, err := infer.LoadBytes(data, infer.Options{Threads: 1})
	if err != nil {
		panic(err)
	}
	s := m.NewSession()
	in := m.Inputs()[0]
	x := tensor.New(tensor.WithShape(in.Shape...), tensor.Of(tensor.Float32))
	for range 3 {
		outs, err := s.Run(context.Background(), x)
		if err != nil {
			panic(err)
		}
		probs := outs[0].Float32s()
		sum := float32(0)
		for _, p := range probs {
			sum += p
		}
		fmt.Printf("%d classes, probabilities sum to %.3f\n", len(probs), sum)
	}
	// Output:
	// 7 classes, probabilities sum to 1.000
	// 7 classes, probabilities sum to 1.000
	// 7 classes, probabilities sum to 1.000
}
