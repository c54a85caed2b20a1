// Package vision turns the sampled frames of an interview recording into
// measures of eye contact, head pose, blinking, expression and posture, and
// into the face and posture scores of the original NEVER MIND FastAPI
// service, called the seed below (docs/api-compat.md).
//
// # Analysing a recording
//
// Load the models once with [New] and share the [Analyzer]; decode with
// package [github.com/nevermind-ai/nevermind/media] and hand its frames to
// [Analyzer.Analyze] as they stream:
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
// [AnalyzeOptions.Speech] to get the eye contact while speaking, and set
// [AnalyzeOptions.Series] for per-frame values to plot. To analyse frames as
// they arrive (a live preview), drive a [Tracker] yourself
// ([Analyzer.NewTracker], [Tracker.Process]) and call [Summarize] at the end:
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
// alongside the iris model, when [Options.Threads] allows.
//
// Every sampled frame gets one [FrameState]: face, multiple_faces (the face
// being tracked, at first the largest, is measured), no_face,
// face_too_small or too_dark. They are counted in [Report.Frames] and never
// dropped silently: a stretch of a second or more is a moment of
// [Report.Timeline].
//
// # Measures
//
//   - Head pose (yaw, pitch, roll in degrees, in the camera's frame): the
//     scaled orthographic fit of rigid points of MediaPipe's canonical face
//     to the landmarks, which gives the face's turn relative to the ray
//     from the camera to it, turned into the camera's frame by that ray's
//     direction. The ray comes from a pinhole camera whose focal length
//     follows from its horizontal field of view ([Options.FieldOfViewDeg],
//     60° unless set: webcams span about 55–78°). On renders of known
//     angles FaceMesh's landmarks show 0.86 of a head's pitch (yaw comes
//     out whole); the pitch is divided by that measured gain.
//   - Camera gaze: each eyeball (centre 10.5 mm behind the iris) sits where
//     the head pose and the eye's own corners put it (the mean of
//     FaceMesh's corners and the iris model's); the camera ray through the
//     iris meets it at the iris, which gives the eye's direction. The iris
//     landmarks move less than the iris and sit a little above it: their
//     move in the image from where the iris sits at rest is, on renders,
//     0.835 of the iris's along the eye and 0.63 across it, shifted 0.105
//     eyeball radii up, and is corrected by that. [FrameResult.GazeYaw] and
//     [FrameResult.GazePitch] are the two eyes' mean direction relative to
//     the ray from the eyes to the camera centre, so facing the lens from the
//     edge of the frame is looking at it and facing straight ahead there is
//     not. A frame looks at the camera when that direction is within
//     [GazeToleranceDeg], 9°: the cone of gaze, the range of gaze directions
//     people accept as looking at them, about ±4–9° in Gamer & Hecht, "Are
//     you looking at me? Measuring the cone of gaze", J. Exp. Psychol. Hum.
//     Percept. Perform. 33(3):705–715 (2007) (its width stable over distance;
//     5.2° across in Horstmann & Linke, Perception 2021); we take the wide
//     end, as the measure itself errs by several degrees. A head turned over
//     45° from the camera ray (the largest eye turn the model measures) is
//     looking away ([FrameResult.GazeReason]
//     [GazeHeadTurned]); closed eyes (eye aspect ratio under 0.15) and
//     irises outside the eye model are unmeasured ([GazeEyesClosed],
//     [GazeIrisLost]) and never count as looking at the camera.
//   - Calibration: [AnalyzeOptions.Calibration] names a stretch when the
//     candidate looked into the lens on request; its median gaze becomes
//     the person's "at the camera" (eye shape, glasses, a field of view
//     off the assumed one). Without it nothing is assumed about the first
//     seconds: their median gaze is used only when it agrees with the
//     geometry (most frames at the camera, the median within half the
//     tolerance). [Metrics.Calibration] says which was used: absolute,
//     calibrated or implicit.
//   - Accuracy, on 120 renders of the canonical face textured with
//     astronaut.png at known head and eye angles (yaw and pitch ±35°,
//     positions across the frame, four fields of view, 640×480; the eyes
//     are those of the gaze model, their lids following vertical turns;
//     TestRenderedGaze, with the constants fitted on 60 other renders):
//     head yaw error median 1.3°, 95th percentile 3.4°; pitch biased by
//     about −7° on this face, and within 2.2° (median) and 5.8° (p95) of
//     that bias; the camera-gaze verdict right in 86 % of the scenes with
//     a calibration and 76 % without one (this face's eyes read about 5°
//     left and 2° down when looking into the lens). With the same constants
//     pigo's sample face (TestRenderedGazeOtherFace) gives 83 % and 88 %,
//     its pitch biased by +2°: the biases are the faces', which is why a
//     calibration helps. The eyes are the weak part: at 640 pixels across
//     a face 45–75 cm away an eye is 15–35 pixels wide and a pixel of iris
//     is 5–10° of eye turn, and the eye corners, which place the eyeball,
//     are off by about a pixel and drift with the head's and the eyes'
//     pitch (with the rendered corners in their place the verdict would be
//     right in 98 %). Give a calibration whenever the candidate can be
//     asked to look into the lens for a few seconds.
//   - Blinks: the seed's eye aspect ratio and thresholds. At 5 fps a blink
//     (100–300 ms) often falls between samples, and the seed's smoothing
//     hides single-sample closures, so blink counts are a lower bound.
//   - Expression: face-api's most probable class mapped to smile (happy),
//     neutral or other, and the seed's mouth-corner measure. No emotion is
//     reported: expression classifiers are known to mislabel anger, sadness
//     and side views, and emotion read from a face is no fair judgement of
//     a candidate (the AI Now Institute's 2019 report called for banning
//     affect recognition in hiring).
//   - Posture: PoseNet's COCO keypoints scored with the seed's formulas,
//     and movement as the mean speed of the visible upper-body points in
//     face widths per second.
//
// # The seed's report, and where it differs
//
// [Report.Face] and [Report.Pose] reproduce the original service's expression
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
//     the pose; durations use [AnalyzeOptions.FPS].
//   - A video with no face gives [FaceReport.Status] "analysis_unavailable"
//     with the seed's error codes and sentences, and a video with no upper
//     body a null Pose, instead of an exception.
//
// The seed's 정면 주시율 (head_eye_gaze_rate) is served from the camera
// gaze: the share of judged face frames looking at the camera, with the
// seed's ratings; its baseline was the same first-seconds assumption. The
// seed's auxiliary head and eye rates keep its proxies (the nose tip's
// offset from the frame centre, the iris offset from the first seconds).
//
// Beyond the seed, [Report.Metrics] holds the eye-contact share (overall and
// while speaking), the longest look-away, head movement and stability,
// smile and neutral shares and the time without a face, and
// [Report.Timeline] the moments worth feedback (no face, too dark, face too
// small, several faces, look-aways of [LookAwayMinSeconds] or more,
// fidgeting, and the seed's posture alerts) as [nevermind.Moment]s, which merge with
// the voice analysis' timeline.
// No value in the report is NaN: what cannot be measured is null.
package vision
