// Package vision turns the sampled frames of an interview recording into
// measures of eye contact, head pose, blinking, expression and posture, and
// into the face and posture scores of the original NEVER MIND service.
//
// # Analysing a recording
//
// Load the models once and share the Analyzer; decode with the media
// package and hand its frames over as they stream:
//
//	a, err := vision.New(vision.Options{})
//	if err != nil { ... }
//	d, err := media.Open(ctx, "answer.webm", media.Options{FPS: 5, Width: 640})
//	if err != nil { ... }
//	defer d.Close()
//	rep, err := a.Analyze(ctx, d.Frames(ctx), vision.AnalyzeOptions{FPS: 5})
//	if err != nil { ... }
//	fmt.Println(rep.Frames.WithFace, *rep.Metrics.EyeContactPercent, rep.Face.Summary)
//
// Only the frame being analysed is held in memory; the report keeps a few
// numbers per frame. Pass the speech intervals of the vocal analysis in
// AnalyzeOptions.Speech to get the eye contact while speaking, and set
// Series for per-frame values to plot. To analyse frames as they arrive
// (a live preview), drive a Tracker yourself and call Summarize at the end:
//
//	tr := a.NewTracker(5)
//	for f := range frames {
//		r, err := tr.Process(ctx, f) // r.State, r.Yaw, r.EAR, r.Posture …
//		...
//	}
//
// # What runs on each frame
//
// BlazeFace finds the face on the first frame, whenever the track is lost,
// and once a second to notice a second person; in between, the FaceMesh
// crop comes from the previous frame's landmarks (MediaPipe's tracking), so
// the detector rarely runs. BlazeFace's short-range model misses faces
// under about a fifth of its 128-pixel input, so when the whole frame shows
// none it also searches square tiles as tall as the frame. FaceMesh gives
// the 468 landmarks (MediaPipe numbering), the iris model refines each eye
// on its own crop, the face-api expression model classifies the upright
// face, and PoseNet finds the upper body in a region placed from the face
// (a seated person: about five face sizes wide from just above the head).
// PoseNet runs alongside the face models, and the expression model
// alongside the iris model, when Options.Threads allows.
//
// Every sampled frame gets one FrameState: face, multiple_faces (the face
// being tracked, at first the largest, is measured), no_face,
// face_too_small or too_dark. They are counted in Report.Frames and never
// dropped silently: a stretch of a second or more is a timeline Moment.
//
// # Measures
//
//   - Head pose (yaw, pitch, roll in degrees) is a PnP fit of rigid points
//     of MediaPipe's canonical face to the landmarks under scaled
//     orthographic projection.
//   - Gaze: the iris offset within its own eye, as a fraction of the eye's
//     width and height, turned into an eye rotation (eyeball radius 12 mm,
//     eye 30 mm wide and 10 mm open) and added to the head pose. A frame
//     looks at the camera when that direction is within GazeToleranceDeg
//     of the calibration, the median over the first CalibrationSeconds
//     with a face (the user is assumed to look at the camera while
//     settling in, which is also what the seed's baseline assumed).
//   - Blinks: the seed's eye aspect ratio and thresholds. At 5 fps a blink
//     (100–300 ms) often falls between samples, and the seed's smoothing
//     hides single-sample closures, so blink counts are a lower bound.
//   - Expression: face-api's most probable class mapped to smile (happy),
//     neutral or other; no emotion is reported (anchors §3.6), and the
//     seed's mouth-corner measure.
//   - Posture: PoseNet's COCO keypoints scored with the seed's formulas,
//     and movement as the mean speed of the visible upper-body points in
//     face widths per second.
//
// # The seed's report, and where it differs
//
// Report.Face and Report.Pose reproduce the original service's expression
// and posture results (constants, weights 0.7/0.2/0.1, k = 15, roundings,
// ratings 양호/보통/개선필요 and 양호/보통/미흡, the Korean sentences),
// with these deliberate differences:
//
//   - The baseline is the median of each feature over the calibration
//     window from the first face frame; the seed meant this but fixed the
//     baseline to the first face frame.
//   - Each iris is measured in its own eye, from the iris model run on
//     that eye's crop; the seed paired each iris with the other eye's
//     corners. Both eyes' axes point the same way (x to the image right,
//     y down), so that a sideways glance no longer cancels out between the
//     eyes.
//   - mouth_delta is the mean smoothed mouth measure over the video minus
//     the baseline, not the last frame's value.
//   - Posture uses each wrist with its own shoulder (the seed crossed
//     them), and a raised hand counts even when the other wrist is out of
//     view. PoseNet's keypoint score stands in for MediaPipe's visibility;
//     a frame has a pose when two of nose and shoulders are visible.
//   - Problem sections and the posture feedback timeline are computed from
//     real frame times (the seed used the index among detected frames),
//     are returned rather than discarded, and name the subject's own side:
//     the raised shoulder, the shoulder the head leans towards (the seed
//     always said 왼쪽).
//   - The analysis runs on the sampled frames (5 fps by default) instead of
//     every 5th frame of the original rate for the face and every frame for
//     the pose; durations use AnalyzeOptions.FPS.
//   - A video with no face gives Face.Status "analysis_unavailable" with
//     the seed's error codes and sentences, and a video with no upper body
//     a null Pose, instead of an exception.
//
// The seed's gaze rate keeps the seed's head proxy, the nose tip's offset
// from the frame centre, so it also drops when the candidate merely sits
// off-centre; Metrics.EyeContactPercent is the measure built on head pose
// and eyes. A photo moved or mirrored in a test video changes the former
// and not the latter, as it should: a flat picture cannot turn its head.
//
// Beyond the seed, Report.Metrics holds the eye-contact share (overall and
// while speaking), the longest look-away, head movement and stability,
// smile and neutral shares and the time without a face, and
// Report.Timeline the moments worth feedback (no face, too dark, face too
// small, several faces, look-aways of LookAwayMinSeconds or more,
// fidgeting, and the seed's posture alerts) in the shape of vocal.Moment.
// No value in the report is NaN: what cannot be measured is null.
package vision
