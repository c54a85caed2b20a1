package vision

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"
)

// These tests hold the pipeline to the reference pipeline of
// tools/refgen (onnxruntime-node on the same .onnx files, on real photos),
// whose crops and outputs vision/models/testdata stores.

func sourceImage(t *testing.T, name string) rgbImage {
	switch name {
	case "astronaut":
		return readImageFile(t, astronautPath(t))
	case "pigo":
		return readImageFile(t, pigoPath(t))
	}
	t.Fatalf("unknown image %q", name)
	return rgbImage{}
}

func boxROI(c []float64) roi {
	return roi{cx: c[0] + c[2]/2, cy: c[1] + c[3]/2, size: c[2]}
}

// The crops fed to the models are those of the reference, pixel for pixel.
func TestCropsMatchReference(t *testing.T) {
	images := map[string]rgbImage{}
	for _, c := range refCases(t) {
		t.Run(c.Model+"-"+c.Image, func(t *testing.T) {
			img, ok := images[c.Image]
			if !ok {
				img = sourceImage(t, c.Image)
				images[c.Image] = img
			}
			want := readImageFile(t, filepath.Join(refDir, c.Input.File))
			got := img.crop(boxROI(c.Crop), want.w, nil)
			// The manifest rounds the box to 1/1000 px and the JPEG decoders
			// (jpeg-js, image/jpeg) may differ by a unit.
			tol := 1
			if c.Image == "pigo" {
				tol = 3
			}
			worst, off := 0, 0
			for i := range got {
				d := int(got[i]) - int(want.pix[i])
				d = max(d, -d)
				worst = max(worst, d)
				if d > 1 {
					off++
				}
			}
			if worst > tol {
				t.Errorf("crop differs from the reference by up to %d (%d values > 1)", worst, off)
			}
		})
	}
}

// meshRef is the reference FaceMesh output for an image, in model pixels.
func meshRef(t *testing.T, image string) []float32 {
	return readF32(t, filepath.Join(refDir, "facemesh-"+image+".mesh.ort.f32"))
}

func findCase(t *testing.T, model, image string) refCase {
	for _, c := range refCases(t) {
		if c.Model == model && c.Image == image {
			return c
		}
	}
	t.Fatalf("no reference case %s-%s", model, image)
	return refCase{}
}

// The whole detector → FaceMesh → iris chain, run on the photos, puts the
// landmarks where the reference pipeline does, within a pixel at the
// models' resolution.
func TestLandmarksMatchReference(t *testing.T) {
	a := testAnalyzer(t)
	ctx := context.Background()
	for _, name := range []string{"astronaut", "pigo"} {
		t.Run(name, func(t *testing.T) {
			img := sourceImage(t, name)
			tr := a.NewTracker(5)

			// Detection: one face, its FaceMesh box where the reference's is.
			faces, err := tr.detectFaces(ctx, img)
			if err != nil {
				t.Fatal(err)
			}
			if len(faces) != 1 {
				t.Fatalf("found %d faces, want 1", len(faces))
			}
			ref := boxROI(findCase(t, "facemesh", name).Crop)
			got := detectionROI(faces[0], false)
			if d := math.Max(math.Hypot(got.cx-ref.cx, got.cy-ref.cy), math.Abs(got.size-ref.size)); d > 0.03*ref.size {
				t.Errorf("FaceMesh box centre (%.1f, %.1f) size %.1f; the reference's (%.1f, %.1f) %.1f", got.cx, got.cy, got.size, ref.cx, ref.cy, ref.size)
			}

			// FaceMesh on the reference crop: within 1 px of 192.
			m, flag, err := tr.runMesh(ctx, img, ref)
			if err != nil {
				t.Fatal(err)
			}
			if flag < 0.9 {
				t.Errorf("face flag %.3f on a clear face", flag)
			}
			// Against onnxruntime on the same file and tfjs on the original model.
			want := meshRef(t, name)
			worst := 0.0
			for _, runtime := range []string{"ort", "tfjs"} {
				ref := readF32(t, filepath.Join(refDir, "facemesh-"+name+".mesh."+runtime+".f32"))
				w := 0.0
				for i := range meshPoints {
					x, y := toModel(boxROI(findCase(t, "facemesh", name).Crop), m[i][0], m[i][1], 192)
					w = math.Max(w, math.Hypot(x-float64(ref[3*i]), y-float64(ref[3*i+1])))
				}
				t.Logf("FaceMesh vs %s: worst landmark error %.2g px at 192", runtime, w)
				if w > 1 {
					t.Errorf("FaceMesh landmarks differ from %s by up to %.3f px at 192", runtime, w)
				}
				worst = math.Max(worst, w)
			}

			// Our own tracking crop from these landmarks, fed back, keeps
			// the landmarks (the tracker converges on the face).
			m2, flag2, err := tr.runMesh(ctx, img, meshROI(m))
			if err != nil {
				t.Fatal(err)
			}
			drift := 0.0
			for i := range meshPoints {
				drift = math.Max(drift, math.Hypot(m2[i][0]-m[i][0], m2[i][1]-m[i][1]))
			}
			drift *= 192 / ref.size
			t.Logf("tracking crop: flag %.3f, landmarks move up to %.2f px at 192", flag2, drift)
			if flag2 < 0.9 || drift > 6 {
				t.Errorf("tracking crop: flag %.3f, landmarks move up to %.2f px at 192", flag2, drift)
			}

			// Iris on the reference's eye crop (subject's right eye from the
			// reference landmarks): within 1 px of 64.
			pt := func(i int) [2]float64 {
				return [2]float64{ref.cx - ref.size/2 + float64(want[3*i])/192*ref.size, ref.cy - ref.size/2 + float64(want[3*i+1])/192*ref.size}
			}
			irisBox := boxROI(findCase(t, "iris", name).Crop)
			a0, b0 := pt(lmRightEyeOut), pt(lmRightEyeIn)
			ic := roi{cx: (a0[0] + b0[0]) / 2, cy: (a0[1] + b0[1]) / 2, size: irisScale * math.Hypot(b0[0]-a0[0], b0[1]-a0[1])}
			if d := math.Max(math.Hypot(ic.cx-irisBox.cx, ic.cy-irisBox.cy), math.Abs(ic.size-irisBox.size)); d > 0.01 {
				t.Fatalf("iris crop (%.3f, %.3f, %.3f), reference (%.3f, %.3f, %.3f)", ic.cx, ic.cy, ic.size, irisBox.cx, irisBox.cy, irisBox.size)
			}
			out, err := tr.iris.run(ctx, img, irisBox)
			if err != nil {
				t.Fatal(err)
			}
			for _, runtime := range []string{"ort", "tfjs"} {
				wantIris := readF32(t, filepath.Join(refDir, "iris-"+name+".iris."+runtime+".f32"))
				worst = 0
				for i := 0; i < 76; i++ {
					worst = math.Max(worst, math.Hypot(float64(out["iris"][3*i]-wantIris[3*i]), float64(out["iris"][3*i+1]-wantIris[3*i+1])))
				}
				t.Logf("iris vs %s: worst point error %.2g px at 64", runtime, worst)
				if worst > 1 {
					t.Errorf("iris points differ from %s by up to %.3f px at 64", runtime, worst)
				}
			}
		})
	}
}

// toModel maps a source point into the out×out pixels of region.
func toModel(r roi, x, y, out float64) (float64, float64) {
	sin, cos := math.Sincos(-r.angle)
	dx, dy := x-r.cx, y-r.cy
	u, v := dx*cos-dy*sin, dx*sin+dy*cos
	if r.flip {
		u = -u
	}
	return (u/r.size + 0.5) * out, (v/r.size + 0.5) * out
}

func ExampleFrameState_Measured() {
	fmt.Println(StateFace.Measured(), StateNoFace.Measured())
	// Output: true false
}
