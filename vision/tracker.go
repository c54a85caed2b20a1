package vision

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/nevermind-ai/nevermind/media/frame"
	"github.com/nevermind-ai/nevermind/vision/infer"
	"github.com/nevermind-ai/nevermind/vision/models"
)

// Errors callers can branch on with [errors.Is].
var (
	// ErrBadFrame is returned for a frame whose pixel buffer does not hold
	// Width × Height packed RGB24 pixels, or whose size is zero.
	ErrBadFrame = errors.New("vision: malformed frame")
	// ErrNoFrames is returned by Analyze when the frame sequence is empty.
	// The seed answered that case with its no_video_frames result, which
	// Summarize(nil, …) builds.
	ErrNoFrames = errors.New("vision: the video has no frames")
)

// Options configure [New]. The zero value is ready to use.
type Options struct {
	// Threads is how many goroutines one frame may use: with 2 or more,
	// PoseNet runs alongside the face models and the expression model
	// alongside the iris model; more than 2 changes nothing. Zero means
	// min(2, runtime.GOMAXPROCS(0)).
	Threads int
	// MinFaceWidth is the face width, as a fraction of the frame width,
	// below which a face counts as too small to measure (state
	// StateFaceTooSmall). Zero means 0.05 (32 px of a 640-px frame).
	MinFaceWidth float64
	// MinLuma is the mean brightness (0..255) of the face, or of the whole
	// frame when no face is found, below which a frame counts as too dark
	// (StateTooDark). Zero means 30.
	MinLuma float64
	// FieldOfViewDeg is the camera's horizontal field of view in degrees,
	// which gives the focal length the head pose and the ray to the camera
	// are computed with. Zero means DefaultFieldOfViewDeg.
	FieldOfViewDeg float64
}

func (o Options) withDefaults() Options {
	if o.Threads <= 0 {
		o.Threads = min(2, runtime.GOMAXPROCS(0))
	}
	if o.MinFaceWidth <= 0 {
		o.MinFaceWidth = 0.05
	}
	if o.MinLuma <= 0 {
		o.MinLuma = 30
	}
	if o.FieldOfViewDeg == 0 {
		o.FieldOfViewDeg = DefaultFieldOfViewDeg
	}
	return o
}

// Analyzer holds the loaded models. It is safe for concurrent use: every
// [Analyzer.Analyze] call and every [Tracker] keeps its own tracking state
// and buffers.
type Analyzer struct {
	opts                           Options
	blaze, mesh, iris, expr, poseN *net
}

// New loads the embedded models (package [models]) once.
func New(opts Options) (*Analyzer, error) {
	opts = opts.withDefaults()
	if !(opts.FieldOfViewDeg >= 10 && opts.FieldOfViewDeg <= 170) {
		return nil, fmt.Errorf("vision: a camera field of view of %v° is outside 10–170°", opts.FieldOfViewDeg)
	}
	a := &Analyzer{opts: opts}
	// Each model runs on one goroutine; parallelism comes from running
	// the pose and face models side by side and from concurrent analyses.
	io := infer.Options{Threads: 1}
	var err error
	for _, l := range []struct {
		dst  **net
		spec models.Model
	}{{&a.blaze, models.BlazeFace()}, {&a.mesh, models.FaceMesh()}, {&a.iris, models.Iris()}, {&a.expr, models.Expression()}, {&a.poseN, models.Pose()}} {
		if *l.dst, err = loadNet(l.spec, io); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// FrameState says what could be measured in one frame.
type FrameState string

// The per-frame states. Every sampled frame has exactly one.
const (
	// StateFace: one face, measured.
	StateFace FrameState = "face"
	// StateMultipleFaces: more than one face; the one being tracked (on a
	// fresh detection, the largest) is measured.
	StateMultipleFaces FrameState = "multiple_faces"
	// StateNoFace: no face found.
	StateNoFace FrameState = "no_face"
	// StateFaceTooSmall: a face smaller than Options.MinFaceWidth; not measured.
	StateFaceTooSmall FrameState = "face_too_small"
	// StateTooDark: the face (or, with none found, the frame) is darker than
	// Options.MinLuma; not measured.
	StateTooDark FrameState = "too_dark"
)

// Measured reports whether face measures were taken in this state.
func (s FrameState) Measured() bool { return s == StateFace || s == StateMultipleFaces }

// Box is an axis-aligned rectangle in frame pixels.
type Box struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
	W float64 `json:"w"`
	H float64 `json:"h"`
}

// FrameResult is what one frame shows. Fields that could not be measured
// are nil (null in JSON).
type FrameResult struct {
	// Time is the sampling instant in seconds.
	Time  float64    `json:"t"`
	State FrameState `json:"state"`
	// Faces is the number of faces at the last detector run.
	Faces int `json:"faces"`
	// Face is the measured face's landmark bounding box.
	Face *Box `json:"face"`
	// Yaw, Pitch and Roll are the head pose in degrees: yaw > 0 turned
	// towards the image right, pitch > 0 tilted up, roll > 0 leaning
	// clockwise.
	Yaw   *float64 `json:"yaw"`
	Pitch *float64 `json:"pitch"`
	Roll  *float64 `json:"roll"`
	// GazeYaw and GazePitch are the gaze direction's angles from the ray
	// from the eyes to the camera, in degrees (yaw > 0 towards the image
	// right, pitch > 0 upwards): head pose and eye rotation in the camera's
	// frame, less the calibration (Metrics.Calibration) once Summarize has
	// applied it. Nil when GazeReason says why not.
	GazeYaw   *float64 `json:"gaze_yaw"`
	GazePitch *float64 `json:"gaze_pitch"`
	// LookingAtCamera is true when the gaze is within GazeToleranceDeg of
	// the camera ray, false when it is not or when the head is turned too
	// far for the eyes to be measured (GazeReason "head_turned"), and nil
	// when the gaze could not be measured.
	LookingAtCamera *bool `json:"looking_at_camera"`
	// GazeReason says why a face frame has no gaze direction:
	// "head_turned", "eyes_closed" or "iris_lost"; frames without a
	// measured face give their State instead.
	GazeReason string `json:"gaze_reason,omitempty"`
	// EAR is the seed's eye aspect ratio, the mean of both eyes.
	EAR *float64 `json:"ear"`
	// EyeH and EyeV are the iris offsets within the eye, as fractions of
	// the eye's width and height, averaged over both eyes: > 0 towards the
	// image right and downwards.
	EyeH *float64 `json:"eye_h"`
	EyeV *float64 `json:"eye_v"`
	// Mouth is the seed's mouth-corner measure (< 0: corners raised).
	Mouth *float64 `json:"mouth"`
	// Expression is "smile", "neutral" or "other" (face-api's most probable
	// class: happy, neutral, anything else); Smile is the happy probability.
	Expression string   `json:"expression,omitempty"`
	Smile      *float64 `json:"smile"`
	// NoseX and NoseY are the seed's head proxy: the nose tip's offset from
	// the frame centre over the frame size.
	NoseX *float64 `json:"nose_x"`
	NoseY *float64 `json:"nose_y"`
	// Luma is the mean brightness (0..255) of the face, or of the frame.
	Luma    float64      `json:"luma"`
	Posture PostureFrame `json:"posture"`
	// Keypoints are PoseNet's 17 COCO points; kept out of JSON.
	Keypoints [poseKeypoints]Keypoint `json:"-"`
}

// Tracker analyses the frames of one video in order, carrying the face
// track from frame to frame. It is not safe for concurrent use; make one per
// video with [Analyzer.NewTracker].
type Tracker struct {
	a                             *Analyzer
	fps                           float64
	blaze, mesh, iris, expr, pose *runner
	poseWorkers                   bool
	track                         *roi
	lastFaces                     int
	sinceDetect                   int
	prevBox                       *Box
	poseRegion                    *roi
	prevKeypoints                 [poseKeypoints]Keypoint
	prevPoseTime                  float64
	havePrevPose                  bool
}

// NewTracker starts the analysis of one video sampled at fps frames per
// second (used to re-run the face detector about once a second while
// tracking, so that a second face is noticed).
func (a *Analyzer) NewTracker(fps float64) *Tracker {
	if fps <= 0 || math.IsNaN(fps) || math.IsInf(fps, 0) {
		fps = DefaultFPS
	}
	return &Tracker{
		a: a, fps: fps,
		blaze: a.blaze.newRunner(), mesh: a.mesh.newRunner(), iris: a.iris.newRunner(),
		expr: a.expr.newRunner(), pose: a.poseN.newRunner(),
		poseWorkers: a.opts.Threads >= 2,
	}
}

// Process analyses one frame.
func (t *Tracker) Process(ctx context.Context, f *frame.Frame) (FrameResult, error) {
	if f == nil || f.Width <= 0 || f.Height <= 0 || len(f.RGB) != f.Width*f.Height*3 {
		return FrameResult{}, fmt.Errorf("%w: need %d×%d×3 bytes", ErrBadFrame, frameDim(f, true), frameDim(f, false))
	}
	img := rgbImage{w: f.Width, h: f.Height, pix: f.RGB}
	res := FrameResult{Time: f.Time.Seconds()}

	// PoseNet depends only on the previous face box, so it can run while
	// the face models work.
	var (
		wg      sync.WaitGroup
		kps     [poseKeypoints]Keypoint
		poseErr error
	)
	// Without a previous face (the first frame, or after losing it) PoseNet
	// waits for this frame's face to place its region.
	parallel := t.poseWorkers && t.prevBox != nil
	if parallel {
		region := t.stablePoseROI(img, t.prevBox)
		wg.Add(1)
		go func() {
			defer wg.Done()
			kps, poseErr = t.runPose(ctx, img, region)
		}()
	}
	faceErr := t.processFace(ctx, img, &res)
	if parallel {
		wg.Wait()
	} else if faceErr == nil {
		kps, poseErr = t.runPose(ctx, img, t.stablePoseROI(img, res.Face))
	}
	if err := errors.Join(faceErr, poseErr); err != nil {
		return FrameResult{}, err
	}
	res.Keypoints = kps
	res.Posture = postureScores(kps)
	if res.Posture.Present {
		if t.havePrevPose && res.Face != nil {
			if m, ok := motion(t.prevKeypoints, kps, float64(img.w)/float64(img.h), res.Face.W/float64(img.w), res.Time-t.prevPoseTime); ok {
				res.Posture.Motion = &m
			}
		}
		t.prevKeypoints, t.prevPoseTime, t.havePrevPose = kps, res.Time, true
	}
	t.prevBox = res.Face
	return res, nil
}

func frameDim(f *frame.Frame, width bool) int {
	if f == nil {
		return 0
	}
	if width {
		return f.Width
	}
	return f.Height
}

// poseROIHysteresis is how far, as a fraction of its size, the face may
// move the PoseNet region before the region follows. PoseNet's keypoints
// shift by a few pixels when its input window moves, which would read as
// body movement; a still person keeps a still window.
const poseROIHysteresis = 0.1

func (t *Tracker) stablePoseROI(img rgbImage, face *Box) roi {
	r := poseROI(img, face)
	if p := t.poseRegion; p != nil && p.angle == r.angle &&
		math.Hypot(r.cx-p.cx, r.cy-p.cy) < poseROIHysteresis*p.size &&
		math.Abs(r.size-p.size) < poseROIHysteresis*p.size {
		return *p
	}
	t.poseRegion = &r
	return r
}

// processFace finds and measures the face, updating the track.
func (t *Tracker) processFace(ctx context.Context, img rgbImage, res *FrameResult) error {
	redetect := t.track == nil || t.sinceDetect >= int(math.Round(t.fps))
	var m *mesh
	if t.track != nil {
		var flag float64
		var err error
		if m, flag, err = t.runMesh(ctx, img, *t.track); err != nil {
			return err
		}
		if flag < trackScore {
			m, t.track, redetect = nil, nil, true
		}
	}
	if redetect {
		faces, err := t.detectFaces(ctx, img)
		if err != nil {
			return err
		}
		if m, err = t.confirmFaces(ctx, img, faces, m); err != nil {
			return err
		}
		t.sinceDetect = 0
	} else {
		t.sinceDetect++
	}
	res.Faces = t.lastFaces
	if m == nil {
		t.track = nil
		res.Luma = img.meanLuma(0, 0, float64(img.w), float64(img.h))
		res.State = StateNoFace
		if res.Luma < t.a.opts.MinLuma {
			res.State = StateTooDark
		}
		return nil
	}
	next := meshROI(m)
	t.track = &next
	box := landmarkBox(m)
	res.Face = &box
	res.Luma = img.meanLuma(box.X, box.Y, box.X+box.W, box.Y+box.H)
	switch {
	case res.Luma < t.a.opts.MinLuma:
		res.State = StateTooDark
		return nil
	case box.W < t.a.opts.MinFaceWidth*float64(img.w):
		res.State = StateFaceTooSmall
		return nil
	case res.Faces > 1:
		res.State = StateMultipleFaces
	default:
		res.State = StateFace
	}
	return t.measureFace(ctx, img, m, next, res)
}

// maxCandidates bounds the detections checked with FaceMesh per detector
// run.
const maxCandidates = 4

// confirmFaces checks the detector's candidates with FaceMesh's face flag,
// which rejects the detector's false alarms and counts the people in view
// (t.lastFaces). The tracked face (tracked, may be nil) stays the measured
// one; without it the largest confirmed face is measured.
func (t *Tracker) confirmFaces(ctx context.Context, img rgbImage, faces []detection, tracked *mesh) (*mesh, error) {
	sort.Slice(faces, func(i, j int) bool { return faces[i].w*faces[i].h > faces[j].w*faces[j].h })
	var boxes []Box
	if tracked != nil {
		boxes = append(boxes, landmarkBox(tracked))
	}
	best := tracked
	for i, d := range faces {
		if i == maxCandidates {
			break
		}
		if containsAny(boxes, d.cx, d.cy) {
			continue // a face already confirmed
		}
		m, flag, err := t.runMesh(ctx, img, detectionROI(d, true))
		if err != nil {
			return nil, err
		}
		if flag < trackScore {
			continue
		}
		b := landmarkBox(m)
		if containsAny(boxes, b.X+b.W/2, b.Y+b.H/2) {
			continue
		}
		boxes = append(boxes, b)
		if best == nil {
			best = m
		}
	}
	t.lastFaces = len(boxes)
	return best, nil
}

func containsAny(boxes []Box, x, y float64) bool {
	for _, b := range boxes {
		if x >= b.X && x <= b.X+b.W && y >= b.Y && y <= b.Y+b.H {
			return true
		}
	}
	return false
}

// measureFace fills the face measures of res from the landmarks.
func (t *Tracker) measureFace(ctx context.Context, img rgbImage, m *mesh, face roi, res *FrameResult) error {
	w, h := float64(img.w), float64(img.h)
	cam := newCamera(img.w, img.h, t.a.opts.FieldOfViewDeg)
	hp, poseOK := headPose(m, cam)
	if poseOK {
		yaw, pitch, roll := hp.angles()
		res.Yaw, res.Pitch, res.Roll = &yaw, &pitch, &roll
	}
	ear := (eyeAspectRatio(m, earRightEye) + eyeAspectRatio(m, earLeftEye)) / 2
	mouth := mouthCorners(m, h)
	nx, ny := (m[lmNoseTip][0]-w/2)/w, (m[lmNoseTip][1]-h/2)/h
	res.EAR, res.Mouth, res.NoseX, res.NoseY = &ear, &mouth, &nx, &ny

	// The expression model needs only the face region: with a second
	// thread it runs while the eyes are measured.
	var (
		wg        sync.WaitGroup
		label     string
		smile     float64
		expErr    error
		exprFaceR = roi{cx: face.cx, cy: face.cy, size: face.size / meshScale, angle: face.angle}
	)
	if t.poseWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			label, smile, expErr = t.expression(ctx, img, exprFaceR)
		}()
	}

	eyes, sumH, sumV, irisErr := t.observeEyes(ctx, img, m, face.angle)
	if t.poseWorkers {
		wg.Wait()
	} else if irisErr == nil {
		label, smile, expErr = t.expression(ctx, img, exprFaceR)
	}
	if err := errors.Join(irisErr, expErr); err != nil {
		return err
	}
	res.EyeH, res.EyeV = &sumH, &sumV
	res.Expression, res.Smile = label, &smile
	if poseOK {
		judgeGaze(res, gazeAtCamera(hp, cam, eyes, ear), 0, 0)
	}
	return nil
}

// observeEyes runs the iris model on each eye's crop (the subject's left
// eye flipped, as the model wants) at the face's angle: the eyes for the
// camera gaze, and the seed's iris offsets, both eyes' mean. An eye's
// corners for the gaze are the mean of FaceMesh's and the iris model's:
// each errs by about a pixel, partly independently, and a pixel is 5–10°
// of eye turn.
func (t *Tracker) observeEyes(ctx context.Context, img rgbImage, m *mesh, angle float64) (eyes [2]eyeObservation, offH, offV float64, err error) {
	for i, eye := range []struct {
		out, in, up, lo int
		flip            bool
	}{{lmRightEyeOut, lmRightEyeIn, lmRightLidUp, lmRightLidLo, false}, {lmLeftEyeOut, lmLeftEyeIn, lmLeftLidUp, lmLeftLidLo, true}} {
		a, b := m.xy(eye.out), m.xy(eye.in)
		ir, err := t.runIris(ctx, img, a, b, angle, eye.flip)
		if err != nil {
			return eyes, 0, 0, err
		}
		eyes[i] = eyeObservation{corners: [2]float64{(a[0] + b[0] + 2*ir.corners[0]) / 4, (a[1] + b[1] + 2*ir.corners[1]) / 4}, iris: ir.centre}
		l, r := imageLeftRight(a, b)
		eh, ev := irisOffset(ir.centre, l, r, m.xy(eye.up), m.xy(eye.lo))
		offH += eh / 2
		offV += ev / 2
	}
	return eyes, offH, offV, nil
}

// judgeGaze fills the frame's gaze fields from its camera gaze, less the
// calibration offsets (degrees).
func judgeGaze(res *FrameResult, g cameraGaze, yawOffset, pitchOffset float64) {
	res.GazeYaw, res.GazePitch, res.LookingAtCamera, res.GazeReason = nil, nil, nil, g.reason
	switch g.reason {
	case "":
		y, p := g.yaw-yawOffset, g.pitch-pitchOffset
		look := math.Hypot(y, p) <= GazeToleranceDeg
		res.GazeYaw, res.GazePitch, res.LookingAtCamera = &y, &p, &look
	case GazeHeadTurned:
		look := false
		res.LookingAtCamera = &look
	}
}

// expression classifies the upright face square: "smile" (face-api's
// happy), "neutral" or "other" by the most probable class, and returns the
// happy probability.
func (t *Tracker) expression(ctx context.Context, img rgbImage, face roi) (string, float64, error) {
	out, err := t.expr.run(ctx, img, face)
	if err != nil {
		return "", 0, err
	}
	probs := out["expressions"]
	labels := models.ExpressionLabels()
	best, happy := 0, 0.0
	for i, p := range probs {
		if p > probs[best] {
			best = i
		}
		if labels[i] == "happy" {
			happy = float64(p)
		}
	}
	switch labels[best] {
	case "happy":
		return "smile", happy, nil
	case "neutral":
		return "neutral", happy, nil
	}
	return "other", happy, nil
}

// landmarkBox is the axis-aligned bounding box of the landmarks.
func landmarkBox(m *mesh) Box {
	x0, y0 := math.Inf(1), math.Inf(1)
	x1, y1 := math.Inf(-1), math.Inf(-1)
	for i := range meshPoints {
		x0, x1 = math.Min(x0, m[i][0]), math.Max(x1, m[i][0])
		y0, y1 = math.Min(y0, m[i][1]), math.Max(y1, m[i][1])
	}
	return Box{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}
