package vision

import (
	"context"
	"math"
)

// COCO keypoints of PoseNet (models.PoseKeypoints).
const (
	kpNose          = 0
	kpLeftShoulder  = 5 // the subject's left
	kpRightShoulder = 6
	kpLeftElbow     = 7
	kpRightElbow    = 8
	kpLeftWrist     = 9
	kpRightWrist    = 10
	poseKeypoints   = 17
	poseInput       = 257
	poseStride      = 16
	poseCells       = 17
)

// visible is the keypoint score from which a point is used, the seed's
// visibility threshold for MediaPipe Pose.
const visible = 0.5

// Keypoint is one body point in normalised frame coordinates (x / width,
// y / height, as MediaPipe reports them) with its score (0..1).
type Keypoint struct {
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	Score float64 `json:"score"`
}

// poseROI is the region PoseNet sees: for a seated person with a known
// face, a square about five face sizes wide, centred on the face
// horizontally and starting just above the head, which holds the shoulders,
// elbows and hands at a usable scale; without a face, the whole frame.
func poseROI(img rgbImage, face *Box) roi {
	if face == nil || face.W <= 0 {
		return img.letterbox()
	}
	size := 5 * math.Max(face.W, face.H)
	full := img.letterbox()
	if size >= full.size {
		return full
	}
	top := face.Y - 0.4*face.H
	return roi{cx: face.X + face.W/2, cy: top + size/2, size: size}
}

// runPose runs PoseNet on region and returns the 17 keypoints in
// normalised frame coordinates.
func (t *Tracker) runPose(ctx context.Context, img rgbImage, region roi) ([poseKeypoints]Keypoint, error) {
	var kps [poseKeypoints]Keypoint
	out, err := t.pose.run(ctx, img, region)
	if err != nil {
		return kps, err
	}
	heat, off := out["heatmap"], out["offsets"]
	for k := range poseKeypoints {
		best, bestCell := math.Inf(-1), 0
		for c := range poseCells * poseCells {
			if v := float64(heat[c*poseKeypoints+k]); v > best {
				best, bestCell = v, c
			}
		}
		cy, cx := bestCell/poseCells, bestCell%poseCells
		py := float64(poseStride*cy) + float64(off[bestCell*2*poseKeypoints+k])
		px := float64(poseStride*cx) + float64(off[bestCell*2*poseKeypoints+poseKeypoints+k])
		x, y := region.toImage(px, py, poseInput)
		kps[k] = Keypoint{X: x / float64(img.w), Y: y / float64(img.h), Score: sigmoid(best)}
	}
	return kps, nil
}

// The seed's posture constants: thresholds in normalised frame units (the
// shoulders' height difference, the nose's horizontal offset from the
// shoulders' midpoint) and the penalty slope k, which the seed raised from 5
// to 15 in December 2025.
const (
	shoulderThreshold = 0.04399
	headThreshold     = 0.01017
	postureK          = 15
)

// seedScore is the seed's score(diff, th): 1 up to th, then falling with
// slope postureK to 0.
func seedScore(diff, th float64) float64 {
	if diff <= th {
		return 1
	}
	return math.Max(1-(diff-th)*postureK, 0)
}

// PostureFrame holds one frame's posture measures.
type PostureFrame struct {
	// Present is false when PoseNet found no upper body (fewer than two of
	// nose and shoulders visible); the other fields are then zero.
	Present bool `json:"present"`
	// ShoulderDiff is the left shoulder's y minus the right one's
	// (normalised; > 0 when the subject's right shoulder is higher). Null
	// when a shoulder is not visible.
	ShoulderDiff *float64 `json:"shoulder_diff"`
	// HeadOffset is the nose's horizontal offset from the shoulders'
	// midpoint, positive towards the subject's left shoulder. Null when the
	// nose or a shoulder is not visible.
	HeadOffset *float64 `json:"head_offset"`
	// HandRaise is how far the higher wrist is above its shoulder
	// (normalised, > 0 above); null when no wrist–shoulder pair is visible.
	HandRaise *float64 `json:"hand_raise"`
	// Shoulder, Head and Hand are the seed's per-frame scores (0..1).
	Shoulder float64 `json:"shoulder"`
	Head     float64 `json:"head"`
	Hand     float64 `json:"hand"`
	// Motion is the mean speed of the visible upper-body keypoints since the
	// previous frame with a pose, in face sizes per second; null on the first.
	Motion *float64 `json:"motion"`
}

// postureScores applies the seed's per-frame formulas (with its crossed
// wrists fixed) to the keypoints.
func postureScores(k [poseKeypoints]Keypoint) PostureFrame {
	vis := func(i int) bool { return k[i].Score >= visible }
	n := 0
	for _, i := range []int{kpNose, kpLeftShoulder, kpRightShoulder} {
		if vis(i) {
			n++
		}
	}
	if n < 2 {
		return PostureFrame{}
	}
	p := PostureFrame{Present: true, Shoulder: 1, Head: 1, Hand: 1}
	ls, rs := k[kpLeftShoulder], k[kpRightShoulder]
	if vis(kpLeftShoulder) && vis(kpRightShoulder) {
		d := ls.Y - rs.Y
		p.ShoulderDiff = &d
		p.Shoulder = seedScore(math.Abs(d), shoulderThreshold)
		if vis(kpNose) {
			mid := (ls.X + rs.X) / 2
			off := k[kpNose].X - mid
			// Towards the left shoulder is positive whichever way the image is mirrored.
			if ls.X < rs.X {
				off = -off
			}
			p.HeadOffset = &off
			p.Head = seedScore(math.Abs(off), headThreshold)
		}
	}
	raise, any := math.Inf(-1), false
	for _, pair := range [][2]int{{kpLeftShoulder, kpLeftWrist}, {kpRightShoulder, kpRightWrist}} {
		if vis(pair[0]) && vis(pair[1]) {
			raise = math.Max(raise, k[pair[0]].Y-k[pair[1]].Y)
			any = true
		}
	}
	if any {
		p.HandRaise = &raise
		if raise > 0 {
			p.Hand = math.Max(1-postureK*raise, 0)
		}
	}
	return p
}

// motionKeypoints are the points whose movement measures fidgeting.
var motionKeypoints = [...]int{kpNose, kpLeftShoulder, kpRightShoulder, kpLeftElbow, kpRightElbow, kpLeftWrist, kpRightWrist}

// motion is the mean displacement of keypoints visible in both frames, in
// units of faceSize (normalised by the frame width), per second.
func motion(prev, cur [poseKeypoints]Keypoint, aspect, faceSize, dt float64) (float64, bool) {
	if faceSize <= 0 || dt <= 0 {
		return 0, false
	}
	var sum float64
	var n int
	for _, i := range motionKeypoints {
		if prev[i].Score < visible || cur[i].Score < visible {
			continue
		}
		// y is normalised by the height; bring it to width units.
		sum += math.Hypot(cur[i].X-prev[i].X, (cur[i].Y-prev[i].Y)/aspect)
		n++
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n) / faceSize / dt, true
}
