package vision_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/vision"
)

// Analyze consumes frames as they stream, here ten plain grey frames (a
// camera pointed at a wall), and says what it could measure.
func ExampleAnalyzer_Analyze() {
	a, err := vision.New(vision.Options{})
	if err != nil {
		log.Fatal(err)
	}
	frames := func(yield func(*media.Frame, error) bool) {
		for i := range 10 {
			f := &media.Frame{Index: i, Time: time.Duration(i) * 200 * time.Millisecond, Width: 640, Height: 360, RGB: make([]byte, 640*360*3)}
			for j := range f.RGB {
				f.RGB[j] = 128
			}
			if !yield(f, nil) {
				return
			}
		}
	}
	rep, err := a.Analyze(context.Background(), frames, vision.AnalyzeOptions{FPS: 5})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d frames, %d with a face, %.1f s without one\n", rep.Frames.Sampled, rep.Frames.WithFace, rep.Metrics.NoFaceSeconds)
	fmt.Println(rep.Face.Status, rep.Face.ErrorCode)
	fmt.Println(rep.Face.Summary)
	for _, m := range rep.Timeline {
		fmt.Printf("%s %.1f–%.1f s\n", m.Kind, m.Start, m.End)
	}
	// Output:
	// 10 frames, 0 with a face, 2.0 s without one
	// analysis_unavailable no_face_detected
	// 영상에서 얼굴을 인식하지 못해 표정 분석을 진행할 수 없습니다.
	// no_face 0.0–2.0 s
}
