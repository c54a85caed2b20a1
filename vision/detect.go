package vision

import (
	"context"
	"math"
	"sort"
)

// detection is one face found by BlazeFace, in source pixels.
type detection struct {
	score    float64
	cx, cy   float64
	w, h     float64
	rightEye [2]float64 // the subject's right eye: the image-left one in a non-mirrored view
	leftEye  [2]float64
	nose     [2]float64
	mouth    [2]float64
	rightEar [2]float64
	leftEar  [2]float64
}

// blazeFace anchors: 16×16 cells with 2 anchors, then 8×8 cells with 6.
var blazeGrids = [...]struct{ cells, perCell int }{{16, 2}, {8, 6}}

const (
	// detectScore is the minimum face probability, MediaPipe's
	// min_detection_confidence as the seed sets it.
	detectScore = 0.5
	// nmsIoU merges overlapping boxes of the same face (MediaPipe's face
	// detection uses 0.3 with weighted suppression).
	nmsIoU = 0.3
	// maxTiles bounds the tiled search of detectFaces.
	maxTiles = 6
)

// detectFaces runs BlazeFace on the whole frame, letterboxed to a square,
// and returns the faces found, the most probable first. BlazeFace's
// short-range model sees 128×128 pixels and misses faces much smaller than
// a fifth of that, so when the whole frame shows none it also looks at
// overlapping square tiles as tall as the frame's short side (three for a
// 16:9 frame), which enlarges faces 1.8× in a wide frame.
func (t *Tracker) detectFaces(ctx context.Context, img rgbImage) ([]detection, error) {
	faces, err := t.detectIn(ctx, img, img.letterbox())
	if err != nil || len(faces) > 0 || img.w == img.h {
		return faces, err
	}
	side := float64(min(img.w, img.h))
	long := float64(max(img.w, img.h))
	// Tiles overlap by at least a third; a strip-like frame (beyond 4:1)
	// gets at most maxTiles, spread evenly, since a face filling its short
	// side is large enough for the whole-frame pass anyway.
	n := int(math.Ceil(long/side*1.5 - 0.5))
	n = min(max(n, 2), maxTiles)
	var all []detection
	for i := range n {
		c := side/2 + float64(i)*(long-side)/float64(n-1)
		r := roi{cx: c, cy: side / 2, size: side}
		if img.h > img.w {
			r.cx, r.cy = side/2, c
		}
		d, err := t.detectIn(ctx, img, r)
		if err != nil {
			return nil, err
		}
		all = append(all, d...)
	}
	return weightedNMS(all), nil
}

// detectIn runs BlazeFace on one square region.
func (t *Tracker) detectIn(ctx context.Context, img rgbImage, box roi) ([]detection, error) {
	out, err := t.blaze.run(ctx, img, box)
	if err != nil {
		return nil, err
	}
	scores := [2][]float32{out["Identity:0"], out["Identity_1:0"]}
	raws := [2][]float32{out["Identity_2:0"], out["Identity_3:0"]}
	var cands []detection
	for g, grid := range blazeGrids {
		n := grid.cells * grid.cells * grid.perCell
		for i := 0; i < n; i++ {
			p := sigmoid(float64(scores[g][i]))
			if p < detectScore {
				continue
			}
			cell := i / grid.perCell
			ax := (float64(cell%grid.cells) + 0.5) / float64(grid.cells)
			ay := (float64(cell/grid.cells) + 0.5) / float64(grid.cells)
			r := raws[g][i*16 : i*16+16]
			// Normalized [0,1] coordinates of the letterboxed square to source pixels.
			px := func(nx float64) float64 { return box.cx - box.size/2 + nx*box.size }
			py := func(ny float64) float64 { return box.cy - box.size/2 + ny*box.size }
			kp := func(j int) [2]float64 {
				return [2]float64{px(ax + float64(r[4+2*j])/128), py(ay + float64(r[5+2*j])/128)}
			}
			cands = append(cands, detection{
				score: p,
				cx:    px(ax + float64(r[0])/128), cy: py(ay + float64(r[1])/128),
				w: float64(r[2]) / 128 * box.size, h: float64(r[3]) / 128 * box.size,
				rightEye: kp(0), leftEye: kp(1), nose: kp(2), mouth: kp(3), rightEar: kp(4), leftEar: kp(5),
			})
		}
	}
	return weightedNMS(cands), nil
}

// weightedNMS clusters boxes that overlap the best remaining one by more
// than nmsIoU and replaces each cluster by its score-weighted mean, as
// MediaPipe's face detection does; a face therefore yields one detection
// however many anchors fire on it.
func weightedNMS(c []detection) []detection {
	sort.Slice(c, func(i, j int) bool { return c[i].score > c[j].score })
	used := make([]bool, len(c))
	var out []detection
	for i := range c {
		if used[i] {
			continue
		}
		var sum float64
		var acc detection
		for j := i; j < len(c); j++ {
			if used[j] || iou(c[i], c[j]) < nmsIoU {
				continue
			}
			used[j] = true
			s := c[j].score
			sum += s
			acc.cx += s * c[j].cx
			acc.cy += s * c[j].cy
			acc.w += s * c[j].w
			acc.h += s * c[j].h
			for k, p := range [][2]float64{c[j].rightEye, c[j].leftEye, c[j].nose, c[j].mouth, c[j].rightEar, c[j].leftEar} {
				q := acc.keypoint(k)
				q[0] += s * p[0]
				q[1] += s * p[1]
			}
		}
		acc.cx /= sum
		acc.cy /= sum
		acc.w /= sum
		acc.h /= sum
		for k := range 6 {
			q := acc.keypoint(k)
			q[0] /= sum
			q[1] /= sum
		}
		acc.score = c[i].score
		out = append(out, acc)
	}
	return out
}

func (d *detection) keypoint(k int) *[2]float64 {
	switch k {
	case 0:
		return &d.rightEye
	case 1:
		return &d.leftEye
	case 2:
		return &d.nose
	case 3:
		return &d.mouth
	case 4:
		return &d.rightEar
	default:
		return &d.leftEar
	}
}

func iou(a, b detection) float64 {
	ix := math.Min(a.cx+a.w/2, b.cx+b.w/2) - math.Max(a.cx-a.w/2, b.cx-b.w/2)
	iy := math.Min(a.cy+a.h/2, b.cy+b.h/2) - math.Max(a.cy-a.h/2, b.cy-b.h/2)
	if ix <= 0 || iy <= 0 {
		return 0
	}
	inter := ix * iy
	return inter / (a.w*a.h + b.w*b.h - inter)
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
