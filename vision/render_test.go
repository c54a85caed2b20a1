package vision

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind"
)

// A renderer of known head and eye angles, for testing the camera gaze
// against truth. The face is MediaPipe's canonical face (the geometry the
// head pose is fitted to) textured with astronaut.png (public domain): each
// canonical vertex takes the photo's colour at that landmark as FaceMesh
// finds it on the photo, and Delaunay triangles over the photo's landmarks
// carry the texture in between. (The photo's own FaceMesh depths make a
// poor shape: the head pose fitted to their exact projections is off by a
// tenth in yaw and up to a half in pitch.) Within each eye opening the
// camera sees the eye of the gaze model, so that an eye turned by a known
// angle shows its iris where that geometry puts it, with its perspective
// and foreshortening: a flat iris disc irisDiscCM in radius (the photo's
// iris, scaled) across the eye's axis, centred irisRadiusCM in front of
// eyeCentres, turned by the eye's rotation, and white of the eye around it
// (the photo's, with the sclera's colour where the photo's iris was). The
// iris at rest so sits between the canonical eye's corners, where the
// model's straight-ahead is; the lids follow vertical turns. Rendering is
// perspective, z-buffered, perspective-correct and 2×2 supersampled;
// everything is deterministic.

// photoFace is the textured 3D face.
type photoFace struct {
	photo   rgbImage
	verts   [meshPoints][3]float64 // the canonical face, cm
	tex     [meshPoints][2]float64 // photo pixels
	tris    [][3]int
	eyes    [2]photoEye
	contour [2][]int
}

type photoEye struct {
	opening    [][2]float64 // the eye contour in photo pixels
	centre     [2]float64   // the photo's iris centre
	radius     float64      // iris radius, photo pixels
	sclera     [3]float64   // mean colour of the white of the eye
	irisColour [3]float64
	// irisPhoto maps a point of the rendered iris, in cm from its centre
	// along the eye's x and y, to photo pixels from the photo's iris
	// centre: the photo's orientation, scaled so that irisDiscCM spans the
	// photo's iris radius.
	irisPhoto [2][2]float64
}

// The rendered iris is irisDiscCM in radius: an adult iris is about 11.7 mm
// across.
const irisDiscCM = 0.585

// MediaPipe's eye contours (FaceMesh numbering), the subject's right eye
// first.
var eyeContours = [2][]int{
	{33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7},
	{263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249},
}

// canonicalVertices reads testdata/canonical_face_model.txt into the
// package's image-like axes (y down, z away from the camera), checking it
// against the rigid points the head pose uses.
func canonicalVertices(t testing.TB) [meshPoints][3]float64 {
	t.Helper()
	raw, err := os.ReadFile("testdata/canonical_face_model.txt")
	if err != nil {
		t.Fatal(err)
	}
	var v [meshPoints][3]float64
	n := 0
	for _, line := range strings.Split(string(raw), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		if n == meshPoints {
			t.Fatal("canonical face: more than 468 vertices")
		}
		var x, y, z float64
		if _, err := fmt.Sscan(line, &x, &y, &z); err != nil {
			t.Fatalf("canonical face line %q: %v", line, err)
		}
		v[n] = [3]float64{x, -y, -z}
		n++
	}
	if n != meshPoints {
		t.Fatalf("canonical face: %d vertices, want 468", n)
	}
	for _, c := range canonicalFace {
		if norm3(sub3(v[c.landmark], c.p)) > 1e-6 {
			t.Fatalf("canonical face vertex %d is %v, the head pose's %v", c.landmark, v[c.landmark], c.p)
		}
	}
	return v
}

// newPhotoFace measures the astronaut photo with the analyzer's own
// FaceMesh and iris models and builds the 3D face.
func newPhotoFace(t testing.TB, a *Analyzer) *photoFace {
	t.Helper()
	return newPhotoFaceFrom(t, a, astronautPath(t))
}

func newPhotoFaceFrom(t testing.TB, a *Analyzer, path string) *photoFace {
	t.Helper()
	ctx := context.Background()
	img := readImageFile(t, path)
	tr := a.NewTracker(5)
	faces, err := tr.detectFaces(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	m, err := tr.confirmFaces(ctx, img, faces, nil)
	if err != nil || m == nil {
		t.Fatalf("no face in the photo: %v", err)
	}
	for range 3 { // let the crop settle on the landmarks, as tracking does
		if m, _, err = tr.runMesh(ctx, img, meshROI(m)); err != nil {
			t.Fatal(err)
		}
	}
	pf := &photoFace{photo: img, contour: eyeContours}
	// The photo's head orientation, from the weak-perspective fit of the
	// rigid points, lines the rendered iris up with the photo's.
	wp, ok := weakPose(m, newCamera(img.w, img.h, DefaultFieldOfViewDeg))
	if !ok {
		t.Fatal("no pose fit on the photo")
	}
	pf.verts = canonicalVertices(t)
	for j := range meshPoints {
		pf.tex[j] = [2]float64{m[j][0], m[j][1]}
	}
	pf.tris = delaunay(pf.tex[:])
	for e, contour := range eyeContours {
		pe := &pf.eyes[e]
		for _, j := range contour {
			pe.opening = append(pe.opening, pf.tex[j])
		}
		a, b := pf.tex[contour[0]], pf.tex[contour[8]]
		ir, err := tr.runIris(ctx, img, a, b, math.Atan2(m[lmLeftEyeOut][1]-m[lmRightEyeOut][1], m[lmLeftEyeOut][0]-m[lmRightEyeOut][0]), e == 1)
		if err != nil {
			t.Fatal(err)
		}
		pe.centre = ir.centre
		// The iris is 11.7 mm across (a standard adult value), the eye's
		// corners about 28 mm apart: radius ≈ 0.21 of the corner distance.
		pe.radius = 0.21 * math.Hypot(b[0]-a[0], b[1]-a[1])
		pe.sclera, pe.irisColour = eyeColours(img, pe)
		// The photo's orientation is that of the weak-perspective fit; its
		// head-frame x and y axes in the photo are wp.R's first two columns.
		for r := range 2 {
			for c := range 2 {
				pe.irisPhoto[r][c] = pe.radius / irisDiscCM * wp.R[r][c] / math.Hypot(wp.R[0][c], wp.R[1][c])
			}
		}
	}
	return pf
}

// eyeColours is the mean colour of the brighter half of the eye opening
// outside the iris (the sclera) and of the iris disc inside the opening.
func eyeColours(img rgbImage, e *photoEye) (sclera, iris [3]float64) {
	x0, y0, x1, y1 := bounds(e.opening)
	type px struct {
		c    [3]float64
		luma float64
	}
	var out []px
	var in [3]float64
	var nIn float64
	for y := int(y0); y <= int(y1)+1; y++ {
		for x := int(x0); x <= int(x1)+1; x++ {
			p := [2]float64{float64(x) + 0.5, float64(y) + 0.5}
			if !inPolygon(p, e.opening) {
				continue
			}
			c := img.rgbAt(x, y)
			if math.Hypot(p[0]-e.centre[0], p[1]-e.centre[1]) <= e.radius {
				for k := range 3 {
					in[k] += c[k]
				}
				nIn++
				continue
			}
			out = append(out, px{c, c[0] + c[1] + c[2]})
		}
	}
	// The brighter half: sort by brightness.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].luma > out[j-1].luma; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	half := max(1, len(out)/2)
	for _, p := range out[:min(half, len(out))] {
		for k := range 3 {
			sclera[k] += p.c[k] / float64(half)
		}
	}
	for k := range 3 {
		iris[k] = in[k] / math.Max(nIn, 1)
	}
	return sclera, iris
}

func (img rgbImage) rgbAt(x, y int) [3]float64 {
	x, y = min(max(x, 0), img.w-1), min(max(y, 0), img.h-1)
	i := 3 * (y*img.w + x)
	return [3]float64{float64(img.pix[i]), float64(img.pix[i+1]), float64(img.pix[i+2])}
}

// bilinear samples the image at a point in pixel coordinates (pixel
// centres at +0.5).
func (img rgbImage) bilinear(p [2]float64) [3]float64 {
	x, y := p[0]-0.5, p[1]-0.5
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	a, b := img.rgbAt(int(x0), int(y0)), img.rgbAt(int(x0)+1, int(y0))
	c, d := img.rgbAt(int(x0), int(y0)+1), img.rgbAt(int(x0)+1, int(y0)+1)
	var out [3]float64
	for k := range 3 {
		out[k] = (a[k]*(1-fx)+b[k]*fx)*(1-fy) + (c[k]*(1-fx)+d[k]*fx)*fy
	}
	return out
}

// scene is one rendered view with its truth.
type scene struct {
	fov        float64    // horizontal field of view, degrees
	head       [3]float64 // yaw, pitch, roll, degrees (the documented signs)
	at         [3]float64 // the canonical face's origin in the camera frame, cm
	eyeYaw     float64    // eye turn within the head, degrees (the head's signs)
	eyePitch   float64
	width, hgt int
}

func (s scene) pose() pose { return pose{rotation(s.head[0], s.head[1], s.head[2]), s.at} }

// trueGaze is the scene's gaze relative to the ray from the eyes to the
// camera, computed as gazeAtCamera defines it.
func (s scene) trueGaze() (yaw, pitch float64) {
	hp := s.pose()
	eye := mul33(hp.R, rotation(s.eyeYaw, s.eyePitch, 0))
	g := [3]float64{-eye[0][2], -eye[1][2], -eye[2][2]}
	a, b := hp.apply(eyeCentres[0]), hp.apply(eyeCentres[1])
	mid := [3]float64{-(a[0] + b[0]) / 2, -(a[1] + b[1]) / 2, -(a[2] + b[2]) / 2}
	return anglesFrom(g, scale3(mid, 1/norm3(mid)))
}

// render draws the scene on a grey background.
func (pf *photoFace) render(s scene) rgbImage {
	const ss = 2 // supersampling
	W, H := s.width*ss, s.hgt*ss
	cam := newCamera(W, H, s.fov)
	hp := s.pose()
	eyeR := mul33(hp.R, rotation(s.eyeYaw, s.eyePitch, 0))
	var balls [2]eyeball
	for e := range 2 {
		balls[e] = eyeball{centre: hp.apply(eyeCentres[e]), turn: eyeR}
	}
	verts := liftLids(pf.verts, s.eyePitch)
	var scr [meshPoints][3]float64 // screen x, y, camera z
	for j := range meshPoints {
		v := hp.apply(verts[j])
		q := cam.project(v)
		scr[j] = [3]float64{q[0], q[1], v[2]}
	}
	acc := make([][3]float64, W*H)
	depth := make([]float64, W*H)
	for i := range depth {
		depth[i] = math.Inf(1)
		acc[i] = [3]float64{128, 128, 128}
	}
	for _, tri := range pf.tris {
		a, b, c := scr[tri[0]], scr[tri[1]], scr[tri[2]]
		area := (b[0]-a[0])*(c[1]-a[1]) - (c[0]-a[0])*(b[1]-a[1])
		if math.Abs(area) < 1e-9 {
			continue
		}
		x0 := max(0, int(math.Floor(math.Min(a[0], math.Min(b[0], c[0])))))
		x1 := min(W-1, int(math.Ceil(math.Max(a[0], math.Max(b[0], c[0])))))
		y0 := max(0, int(math.Floor(math.Min(a[1], math.Min(b[1], c[1])))))
		y1 := min(H-1, int(math.Ceil(math.Max(a[1], math.Max(b[1], c[1])))))
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				px, py := float64(x)+0.5, float64(y)+0.5
				l0 := ((b[0]-px)*(c[1]-py) - (c[0]-px)*(b[1]-py)) / area
				l1 := ((c[0]-px)*(a[1]-py) - (a[0]-px)*(c[1]-py)) / area
				l2 := 1 - l0 - l1
				if l0 < 0 || l1 < 0 || l2 < 0 {
					continue
				}
				// Perspective-correct weights.
				w0, w1, w2 := l0/a[2], l1/b[2], l2/c[2]
				sum := w0 + w1 + w2
				z := 1 / sum
				k := y*W + x
				if z >= depth[k] {
					continue
				}
				depth[k] = z
				ta, tb, tc := pf.tex[tri[0]], pf.tex[tri[1]], pf.tex[tri[2]]
				uv := [2]float64{(w0*ta[0] + w1*tb[0] + w2*tc[0]) / sum, (w0*ta[1] + w1*tb[1] + w2*tc[1]) / sum}
				acc[k] = pf.colour(uv, cam.ray([2]float64{px, py}), &balls)
			}
		}
	}
	out := rgbImage{w: s.width, h: s.hgt, pix: make([]byte, s.width*s.hgt*3)}
	for y := range s.hgt {
		for x := range s.width {
			var c [3]float64
			for dy := range ss {
				for dx := range ss {
					p := acc[(y*ss+dy)*W+x*ss+dx]
					for k := range 3 {
						c[k] += p[k] / (ss * ss)
					}
				}
			}
			for k := range 3 {
				out.pix[3*(y*s.width+x)+k] = byte(math.Round(math.Max(0, math.Min(255, c[k]))))
			}
		}
	}
	return out
}

// The lids follow the eye up and down, as they do: the upper lid keeps its
// place on the iris (lid–eye coordination, gain near 1; Becker & Fuchs,
// Exp. Brain Res. 72:221–229, 1988) and the lower lid moves less. Each
// eye's upper and lower lid margins and the ring of landmarks outside
// each (the skin that moves with the lid, taken at half the lid's turn),
// MediaPipe numbering, from the outer corner inwards.
var eyeLids = [2][4][]int{
	{{246, 161, 160, 159, 158, 157, 173}, {247, 30, 29, 27, 28, 56, 190}, {7, 163, 144, 145, 153, 154, 155}, {25, 110, 24, 23, 22, 26, 112}},
	{{466, 388, 387, 386, 385, 384, 398}, {467, 260, 259, 257, 258, 286, 414}, {249, 390, 373, 374, 380, 381, 382}, {255, 339, 254, 253, 252, 256, 341}},
}

const (
	upperLidGain = 1.0
	lowerLidGain = 0.3
)

// liftLids turns the lids of the canonical face about the eyeballs'
// horizontal axes with an eye pitch (degrees, > 0 up): by the lid's gain in
// the middle of the eye, tapering to nothing at the corners, which stay.
func liftLids(v [meshPoints][3]float64, pitch float64) [meshPoints][3]float64 {
	corners := [2][2]int{{lmRightEyeOut, lmRightEyeIn}, {lmLeftEyeOut, lmLeftEyeIn}}
	for e, rings := range eyeLids {
		x0, x1 := v[corners[e][0]][0], v[corners[e][1]][0]
		c := eyeCentres[e]
		for r, ring := range rings {
			gain := upperLidGain
			if r >= 2 {
				gain = lowerLidGain
			}
			if r%2 == 1 {
				gain /= 2
			}
			for _, j := range ring {
				taper := math.Sin(math.Pi * math.Max(0, math.Min(1, (v[j][0]-x0)/(x1-x0))))
				turn := axisRotation(0, -taper*gain*pitch*math.Pi/180)
				d := sub3(v[j], c)
				v[j] = add3(c, [3]float64{dot3(turn[0], d), dot3(turn[1], d), dot3(turn[2], d)})
			}
		}
	}
	return v
}

// renderIrises draws the scene and gives the centroid (output pixels) of
// each eye's iris disc as the camera would see it without the lids, the
// subject's right eye first.
func (pf *photoFace) renderIrises(s scene) (rgbImage, [2][2]float64) {
	const ss = 4 // rays per pixel side
	cam := newCamera(s.width*ss, s.hgt*ss, s.fov)
	hp := s.pose()
	eyeR := mul33(hp.R, rotation(s.eyeYaw, s.eyePitch, 0))
	var irises [2][2]float64
	for e := range 2 {
		ball := eyeball{centre: hp.apply(eyeCentres[e]), turn: eyeR}
		// A window about the disc's centre, wider than the disc.
		c := cam.project(add3(ball.centre, scale3([3]float64{-eyeR[0][2], -eyeR[1][2], -eyeR[2][2]}, irisRadiusCM)))
		r := int(2*cam.f*irisDiscCM/ball.centre[2]) + 2
		var sum [2]float64
		var count float64
		for y := int(c[1]) - r; y <= int(c[1])+r; y++ {
			for x := int(c[0]) - r; x <= int(c[0])+r; x++ {
				if _, _, ok := ball.iris(cam.ray([2]float64{float64(x) + 0.5, float64(y) + 0.5})); ok {
					sum[0] += (float64(x) + 0.5) / ss
					sum[1] += (float64(y) + 0.5) / ss
					count++
				}
			}
		}
		irises[e] = [2]float64{sum[0] / count, sum[1] / count}
	}
	return pf.render(s), irises
}

// eyeball is one eye as the camera sees it: its centre (cm, the camera's
// frame) and the rotation from the head's rest frame to the turned eye's.
type eyeball struct {
	centre [3]float64
	turn   [3][3]float64
}

// iris is where the camera ray meets the eye's iris, a flat disc
// irisDiscCM in radius across the eye's axis and centred where the model
// puts the iris, irisRadiusCM in front of the eyeball's centre: x and y in
// the eye's own frame (cm from the disc's centre); ok is false when the
// ray misses it.
func (b eyeball) iris(ray [3]float64) (x, y float64, ok bool) {
	R := b.turn
	axis := [3]float64{-R[0][2], -R[1][2], -R[2][2]}
	centre := add3(b.centre, scale3(axis, irisRadiusCM))
	den := dot3(ray, axis)
	if den >= 0 {
		return 0, 0, false
	}
	d := sub3(scale3(ray, dot3(centre, axis)/den), centre)
	if norm3(d) > irisDiscCM {
		return 0, 0, false
	}
	return R[0][0]*d[0] + R[1][0]*d[1] + R[2][0]*d[2], R[0][1]*d[0] + R[1][1]*d[1] + R[2][1]*d[2], true
}

// colour is the face's colour at photo point uv, seen along the camera ray
// through the pixel: within an eye opening, the eye the ray meets.
func (pf *photoFace) colour(uv [2]float64, ray [3]float64, balls *[2]eyeball) [3]float64 {
	for e := range 2 {
		pe := &pf.eyes[e]
		if !inPolygon(uv, pe.opening) {
			continue
		}
		if x, y, ok := balls[e].iris(ray); ok {
			src := [2]float64{pe.centre[0] + pe.irisPhoto[0][0]*x + pe.irisPhoto[0][1]*y, pe.centre[1] + pe.irisPhoto[1][0]*x + pe.irisPhoto[1][1]*y}
			// Where the photo's lids hid its iris, the iris's mean colour.
			if inPolygon(src, pe.opening) {
				return pf.photo.bilinear(src)
			}
			return pe.irisColour
		}
		if math.Hypot(uv[0]-pe.centre[0], uv[1]-pe.centre[1]) <= pe.radius*1.15 {
			return pe.sclera // where the photo's iris was
		}
		return pf.photo.bilinear(uv)
	}
	return pf.photo.bilinear(uv)
}

func inPolygon(p [2]float64, poly [][2]float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}

func bounds(poly [][2]float64) (x0, y0, x1, y1 float64) {
	x0, y0, x1, y1 = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range poly {
		x0, x1 = math.Min(x0, p[0]), math.Max(x1, p[0])
		y0, y1 = math.Min(y0, p[1]), math.Max(y1, p[1])
	}
	return x0, y0, x1, y1
}

// delaunay triangulates points by Bowyer–Watson.
func delaunay(pts [][2]float64) [][3]int {
	x0, y0, x1, y1 := bounds(pts)
	d := math.Max(x1-x0, y1-y0) * 20
	cx, cy := (x0+x1)/2, (y0+y1)/2
	all := append(append([][2]float64{}, pts...), [2]float64{cx - d, cy - d}, [2]float64{cx + d, cy - d}, [2]float64{cx, cy + d})
	n := len(pts)
	type tri struct {
		v      [3]int
		cx, cy float64
		r2     float64
	}
	mk := func(a, b, c int) tri {
		A, B, C := all[a], all[b], all[c]
		dd := 2 * (A[0]*(B[1]-C[1]) + B[0]*(C[1]-A[1]) + C[0]*(A[1]-B[1]))
		ux := ((A[0]*A[0]+A[1]*A[1])*(B[1]-C[1]) + (B[0]*B[0]+B[1]*B[1])*(C[1]-A[1]) + (C[0]*C[0]+C[1]*C[1])*(A[1]-B[1])) / dd
		uy := ((A[0]*A[0]+A[1]*A[1])*(C[0]-B[0]) + (B[0]*B[0]+B[1]*B[1])*(A[0]-C[0]) + (C[0]*C[0]+C[1]*C[1])*(B[0]-A[0])) / dd
		return tri{[3]int{a, b, c}, ux, uy, (A[0]-ux)*(A[0]-ux) + (A[1]-uy)*(A[1]-uy)}
	}
	tris := []tri{mk(n, n+1, n+2)}
	for i := range n {
		p := all[i]
		var keep []tri
		edges := map[[2]int]int{}
		for _, t := range tris {
			if (p[0]-t.cx)*(p[0]-t.cx)+(p[1]-t.cy)*(p[1]-t.cy) < t.r2 {
				for k := range 3 {
					a, b := t.v[k], t.v[(k+1)%3]
					if a > b {
						a, b = b, a
					}
					edges[[2]int{a, b}]++
				}
				continue
			}
			keep = append(keep, t)
		}
		for e, c := range edges {
			if c == 1 {
				keep = append(keep, mk(e[0], e[1], i))
			}
		}
		tris = keep
	}
	var out [][3]int
	for _, t := range tris {
		if t.v[0] < n && t.v[1] < n && t.v[2] < n {
			v := t.v
			sort.Ints(v[:])
			out = append(out, v)
		}
	}
	// Map order varies between runs; a fixed order keeps the z-buffer's
	// ties, and so the pixels, the same.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		if a[1] != b[1] {
			return a[1] < b[1]
		}
		return a[2] < b[2]
	})
	return out
}

// renderedScenes draws n scenes from a seeded generator: head yaw and pitch
// up to ±35°, roll up to ±8°, the face up to 12 cm aside and 6 cm up or
// down at 45–75 cm, one of the two fields of view, and the eyes turned so
// that the gaze is at the camera (within 5° of its ray) in half of them and
// 13–30° off it in the rest, with eye turns of at most 30°.
func renderedScenes(seed uint64, n int, fovs [2]float64) []scene {
	rng := rand.New(rand.NewPCG(seed, 14))
	u := func(a, b float64) float64 { return a + (b-a)*rng.Float64() }
	var out []scene
	for len(out) < n {
		s := scene{fov: fovs[len(out)%2], width: 640, hgt: 480}
		s.head = [3]float64{u(-35, 35), u(-35, 35), u(-8, 8)}
		s.at = [3]float64{u(-12, 12), u(-6, 6), u(45, 75)}
		off := u(0, 5)
		if len(out)%4 >= 2 {
			off = u(13, 30)
		}
		dir := u(0, 2*math.Pi)
		// The wanted gaze, off the camera ray by off degrees towards dir.
		hp := s.pose()
		a, b := hp.apply(eyeCentres[0]), hp.apply(eyeCentres[1])
		ref := scale3([3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]}, -1)
		ref = scale3(ref, 1/norm3(ref))
		right := cross3(ref, [3]float64{0, 1, 0})
		right = scale3(right, 1/norm3(right))
		up := cross3(ref, right)
		so, co := math.Sincos(off * math.Pi / 180)
		sd, cd := math.Sincos(dir)
		g := add3(scale3(ref, co), add3(scale3(right, so*cd), scale3(up, so*sd)))
		// Into the head's frame, as eye yaw and pitch.
		var h [3]float64
		for k := range 3 {
			h[k] = hp.R[0][k]*g[0] + hp.R[1][k]*g[1] + hp.R[2][k]*g[2]
		}
		s.eyeYaw = math.Atan2(h[0], -h[2]) * 180 / math.Pi
		s.eyePitch = math.Atan2(-h[1], math.Hypot(h[0], h[2])) * 180 / math.Pi
		if math.Abs(s.eyeYaw) > 30 || math.Abs(s.eyePitch) > 30 {
			continue
		}
		out = append(out, s)
	}
	return out
}

// renderedResult is what the tracker made of one scene.
type renderedResult struct {
	s scene
	r FrameResult
}

// trackRendered renders each scene and tracks it for two frames (the
// second one's crop comes from the first one's landmarks, as in a video).
func trackRendered(t *testing.T, pf *photoFace, scenes []scene) []renderedResult {
	t.Helper()
	analyzers := map[float64]*Analyzer{}
	var out []renderedResult
	for _, s := range scenes {
		a := analyzers[s.fov]
		if a == nil {
			var err error
			if a, err = New(Options{FieldOfViewDeg: s.fov}); err != nil {
				t.Fatal(err)
			}
			analyzers[s.fov] = a
		}
		img := pf.render(s)
		tr := a.NewTracker(5)
		var r FrameResult
		for k := range 2 {
			var err error
			if r, err = tr.Process(context.Background(), img.frame(float64(k)/5)); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, renderedResult{s, r})
	}
	return out
}

func percentile(v []float64, p float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[min(len(s)-1, int(math.Ceil(p*float64(len(s))))-1)]
}

// TestRenderedGaze checks head pose and camera gaze on rendered faces of
// known angles (renderedScenes), on scenes other than those the constants
// (headPitchGain, irisGainAlong, irisGainAcross) were fitted on: those came
// from seed 1, these are seeds 2 and 3, at other positions, depths and, for
// seed 3, other fields of view.
func TestRenderedGaze(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and tracks 125 faces")
	}
	acc := renderedGaze(t, newPhotoFace(t, testAnalyzer(t)))
	// The targets (median ≤ 3°, p95 ≤ 6°) hold for yaw; pitch's
	// spread and the eyes' measure fall short of them and of the 95 %
	// aimed at: these bounds hold the present accuracy, so that a change
	// for the worse fails.
	acc.check(t, 3, 7, 0.85, 0.75)
}

// TestRenderedGazeOtherFace checks that the constants, fitted on renders of
// astronaut.png, hold for another face: pigo's sample photo (a frontal
// face; see vision/models/testdata/README.md) on the same canonical face
// and scenes. Its head pitch is biased by about +2° where the
// astronaut's is by −7°, and its eyes read about 2° left (the
// astronaut's 5°) when looking into the lens: those biases are the
// faces', not the models', and no constant corrects them. Before
// irisRestAcross both read 6–7° up; now pigo's read 0.4° down and the
// astronaut's 2°.
func TestRenderedGazeOtherFace(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and tracks 125 faces")
	}
	a := testAnalyzer(t)
	acc := renderedGaze(t, newPhotoFaceFrom(t, a, pigoPath(t)))
	acc.check(t, 4, 8, 0.82, 0.86)
}

// check holds acc to the head-yaw targets (median ≤ 3°, p95 ≤ 6°), to a pitch
// spread of at most pitchMedian and pitchP95 degrees, and to the least shares of right
// camera-gaze verdicts with and without calibration.
func (acc renderedAccuracy) check(t *testing.T, pitchMedian, pitchP95, calibrated, absolute float64) {
	t.Helper()
	if m, p := percentile(acc.yawErr, 0.5), percentile(acc.yawErr, 0.95); len(acc.yawErr) < 110 || m > 3 || p > 6 {
		t.Errorf("head yaw error median %.1f° p95 %.1f° over %d scenes, want ≤ 3° and ≤ 6° over at least 110", m, p, len(acc.yawErr))
	}
	if m, p := percentile(acc.pitchSpread, 0.5), percentile(acc.pitchSpread, 0.95); m > pitchMedian || p > pitchP95 {
		t.Errorf("head pitch spread median %.1f° p95 %.1f°, want ≤ %g° and ≤ %g°", m, p, pitchMedian, pitchP95)
	}
	if share := acc.calibrated(); share < calibrated {
		t.Errorf("calibrated camera gaze right in %.0f %% of the scenes, want at least %.0f %%", 100*share, 100*calibrated)
	}
	if share := acc.absolute(); share < absolute {
		t.Errorf("absolute camera gaze right in %.0f %% of the scenes, want at least %.0f %%", 100*share, 100*absolute)
	}
}

// renderedAccuracy is what renderedGaze measured.
type renderedAccuracy struct {
	yawErr, pitchSpread     []float64 // head yaw error, pitch error less its median, degrees
	right, rightAbs, judged int       // verdicts right calibrated and absolute, of judged
}

func (a renderedAccuracy) calibrated() float64 { return float64(a.right) / float64(a.judged) }
func (a renderedAccuracy) absolute() float64   { return float64(a.rightAbs) / float64(a.judged) }

// renderedGaze renders and tracks the scenes of seeds 2 and 3 with face pf,
// with a calibration of five frontal renders looking into the lens, and
// logs each scene and the summary.
func renderedGaze(t *testing.T, pf *photoFace) renderedAccuracy {
	t.Helper()
	scenes := append(renderedScenes(2, 60, [2]float64{60, 78}), renderedScenes(3, 60, [2]float64{50, 70})...)
	results := trackRendered(t, pf, scenes)
	// The calibration: five frontal renders looking into the lens, then
	// every scene as one video, judged with AnalyzeOptions.Calibration.
	var calib []scene
	for i, fov := range []float64{60, 78, 50, 70, 60} {
		calib = append(calib, scene{fov: fov, width: 640, hgt: 480, head: [3]float64{float64(i-2) * 3, float64(2-i) * 2, 0}, at: [3]float64{float64(i-2) * 2, 1, 55}})
		// Eyes back onto the camera.
		s := &calib[i]
		hp := s.pose()
		a, b := hp.apply(eyeCentres[0]), hp.apply(eyeCentres[1])
		g := scale3([3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]}, -1)
		var h [3]float64
		for k := range 3 {
			h[k] = hp.R[0][k]*g[0] + hp.R[1][k]*g[1] + hp.R[2][k]*g[2]
		}
		s.eyeYaw = math.Atan2(h[0], -h[2]) * 180 / math.Pi
		s.eyePitch = math.Atan2(-h[1], math.Hypot(h[0], h[2])) * 180 / math.Pi
	}
	calibrated := trackRendered(t, pf, calib)
	var frames []FrameResult
	for i, r := range append(calibrated, results...) {
		r.r.Time = float64(i) / testFPS
		frames = append(frames, r.r)
	}
	absolute := append([]FrameResult(nil), frames...)
	rep := Summarize(frames, testFPS, AnalyzeOptions{Calibration: &nevermind.Interval{Start: 0, End: float64(len(calib)-1) / testFPS}})
	t.Logf("calibration %+v", *rep.Metrics.Calibration)

	var headErr, yawErr, pitchErr, pitchSigned, gazeErr []float64
	var right, judged, rightAbs, measured, band int
	for i, rr := range results {
		s, r := rr.s, frames[len(calib)+i]
		ty, tp := s.trueGaze()
		trueAngle := math.Hypot(ty, tp)
		if r.Yaw != nil {
			yawErr = append(yawErr, math.Abs(*r.Yaw-s.head[0]))
			pitchErr = append(pitchErr, math.Abs(*r.Pitch-s.head[1]))
			pitchSigned = append(pitchSigned, *r.Pitch-s.head[1])
			headErr = append(headErr, angleDeg(rotation(*r.Yaw, *r.Pitch, *r.Roll)[2], rotation(s.head[0], s.head[1], s.head[2])[2]))
		}
		t.Logf("fov %2.0f head %6.1f %6.1f at %5.1f %5.1f %4.1f eyes %6.1f %6.1f | head %s %s | gaze %6.1f %6.1f got %s %s (absolute %s %s) %v %s",
			s.fov, s.head[0], s.head[1], s.at[0], s.at[1], s.at[2], s.eyeYaw, s.eyePitch,
			fmtPtr(r.Yaw), fmtPtr(r.Pitch), ty, tp, fmtPtr(r.GazeYaw), fmtPtr(r.GazePitch), fmtPtr(absolute[len(calib)+i].GazeYaw), fmtPtr(absolute[len(calib)+i].GazePitch), boolPtr(r.LookingAtCamera), r.GazeReason)
		if r.GazeYaw != nil {
			gazeErr = append(gazeErr, math.Hypot(*r.GazeYaw-ty, *r.GazePitch-tp))
		}
		if math.Abs(trueAngle-GazeToleranceDeg) <= 3 {
			band++
			continue
		}
		want := trueAngle < GazeToleranceDeg
		// A frame without a verdict counts as wrong: the score is over every
		// scene outside the band.
		judged++
		if r.LookingAtCamera != nil {
			measured++
			if *r.LookingAtCamera == want {
				right++
			}
		}
		if a := absolute[len(calib)+i].LookingAtCamera; a != nil && *a == want {
			rightAbs++
		}
	}
	t.Logf("head pose: %d of %d measured; error of the face direction median %.1f° p95 %.1f°; |yaw| median %.1f p95 %.1f; |pitch| median %.1f p95 %.1f",
		len(headErr), len(results), percentile(headErr, 0.5), percentile(headErr, 0.95), percentile(yawErr, 0.5), percentile(yawErr, 0.95), percentile(pitchErr, 0.5), percentile(pitchErr, 0.95))
	t.Logf("camera gaze: %d scenes outside the ±3° band (%d inside), %d with a verdict; calibrated %d right (%.0f %%), error median %.1f° p95 %.1f°; absolute %d right (%.0f %%)",
		judged, band, measured, right, 100*float64(right)/float64(judged), percentile(gazeErr, 0.5), percentile(gazeErr, 0.95), rightAbs, 100*float64(rightAbs)/float64(judged))
	// Pitch carries a bias on these renders that depends on the photo
	// (FaceMesh reads the canonical face textured with the astronaut as
	// tilted down by about 7°, with pigo's face up by 2°; a calibration
	// absorbs it in the gaze); its spread about the bias is what the fit
	// controls.
	pitchBias := percentile(pitchSigned, 0.5)
	var pitchSpread []float64
	for _, e := range pitchSigned {
		pitchSpread = append(pitchSpread, math.Abs(e-pitchBias))
	}
	t.Logf("pitch bias %.1f°, spread about it median %.1f° p95 %.1f°", pitchBias, percentile(pitchSpread, 0.5), percentile(pitchSpread, 0.95))
	return renderedAccuracy{yawErr: yawErr, pitchSpread: pitchSpread, right: right, rightAbs: rightAbs, judged: judged}
}

func fmtPtr(p *float64) string {
	if p == nil {
		return "  null"
	}
	return fmt.Sprintf("%6.1f", *p)
}

func boolPtr(p *bool) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

// TestRenderedEyeballs checks the renderer against the geometry the gaze
// tests take as truth: turning the eyes moves each rendered iris disc (its
// centroid as the camera sees it, lids aside) as far as the projection of
// the iris centre the model puts on the eyeball moves, for heads turned
// and tilted. (The first renderer moved the iris in the photo's texture,
// which the face's mesh stretched: 0.8 of a sideways turn and 0.6 of a
// vertical one reached the image.)
func TestRenderedEyeballs(t *testing.T) {
	pf := newPhotoFace(t, testAnalyzer(t))
	var worstAlong, worstAcross float64
	for _, head := range [][3]float64{{0, 0, 0}, {25, 0, 0}, {-25, 10, 5}, {10, -20, 0}, {0, 20, -5}} {
		rest := scene{fov: 60, width: 640, hgt: 480, head: head, at: [3]float64{4, 2, 55}}
		_, at0 := pf.renderIrises(rest)
		u, v, _ := eyeAxes(rest.pose())
		cam := newCamera(rest.width, rest.hgt, rest.fov)
		for _, turn := range [][2]float64{{25, 0}, {-25, 0}, {0, 20}, {0, -20}, {15, 15}} {
			s := rest
			s.eyeYaw, s.eyePitch = turn[0], turn[1]
			_, at := pf.renderIrises(s)
			hp := s.pose()
			eye := mul33(hp.R, rotation(s.eyeYaw, s.eyePitch, 0))
			look := [3]float64{-eye[0][2], -eye[1][2], -eye[2][2]}
			for e := range 2 {
				c := hp.apply(eyeCentres[e])
				want := sub2(cam.project(add3(c, scale3(look, irisRadiusCM))), cam.project(add3(c, scale3(hp.forward(), irisRadiusCM))))
				got := sub2(at[e], at0[e])
				dAlong := (got[0]-want[0])*u[0] + (got[1]-want[1])*u[1]
				dAcross := (got[0]-want[0])*v[0] + (got[1]-want[1])*v[1]
				t.Logf("head %v eyes %v eye %d: iris moved %.2f, %.2f px, want %.2f, %.2f", head, turn, e, got[0], got[1], want[0], want[1])
				worstAlong, worstAcross = math.Max(worstAlong, math.Abs(dAlong)), math.Max(worstAcross, math.Abs(dAcross))
			}
		}
	}
	t.Logf("largest error of the rendered iris's move: %.2f px along the eye, %.2f px across", worstAlong, worstAcross)
	if worstAlong > 0.15 || worstAcross > 0.15 {
		t.Errorf("rendered iris moves off the model's by up to %.2f px along the eye and %.2f px across, want ≤ 0.15", worstAlong, worstAcross)
	}
}

func sub2(a, b [2]float64) [2]float64 { return [2]float64{a[0] - b[0], a[1] - b[1]} }
