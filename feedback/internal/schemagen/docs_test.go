package schemagen_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback"
	"github.com/nevermind-ai/nevermind/feedback/internal/jsonschema"
	"github.com/nevermind-ai/nevermind/feedback/internal/schemagen"
	"github.com/nevermind-ai/nevermind/interview"
	"github.com/nevermind-ai/nevermind/media"
	"github.com/nevermind-ai/nevermind/vision"
	"github.com/nevermind-ai/nevermind/vocal"
)

// This test imports media and vision, so it needs the cgo FFmpeg
// environment: scripts/ffmpeg-env.sh go test ./feedback/internal/schemagen.
// Regenerate docs/feedback.schema.json after changing a reported type with
//
//	scripts/ffmpeg-env.sh go test ./feedback/internal/schemagen -run TestSchemaFile -update
var update = flag.Bool("update", false, "rewrite docs/feedback.schema.json")

const schemaPath = "../../../docs/feedback.schema.json"

func enum(vs ...string) schemagen.Schema {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return schemagen.Schema{"enum": out}
}

func generate(t *testing.T) []byte {
	t.Helper()
	modRoot, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	score := schemagen.Schema{"minimum": 0.0, "maximum": 100.0}
	modality := enum("voice", "vision", "transcript", "content")
	g := &schemagen.Generator{
		Module: "github.com/nevermind-ai/nevermind",
		Root:   modRoot,
		Special: map[reflect.Type]schemagen.Schema{
			reflect.TypeFor[vocal.Num](): {"type": []any{"number", "null"}, "description": "null when not measurable (never NaN)"},
			reflect.TypeFor[vocal.Point](): {"type": "array", "minItems": 2, "maxItems": 2, "description": "[time in s, value or null]",
				"prefixItems": []any{schemagen.Schema{"type": "number"}, schemagen.Schema{"type": []any{"number", "null"}}}},
			reflect.TypeFor[time.Duration](): {"type": "integer", "description": "nanoseconds"},
			reflect.TypeFor[media.Info](): {"type": "object", "additionalProperties": false,
				"description": "The recording as found in its container (media.Info).",
				"required":    []any{"audio", "duration_seconds", "format", "video"},
				"properties": schemagen.Schema{
					"format":           schemagen.Schema{"type": "string", "description": "libav's container format name"},
					"duration_seconds": schemagen.Schema{"type": "number"},
					"audio": schemagen.Schema{"anyOf": []any{schemagen.Schema{"type": "object", "additionalProperties": false,
						"required":   []any{"channels", "codec", "sample_rate"},
						"properties": schemagen.Schema{"codec": schemagen.Schema{"type": "string"}, "sample_rate": schemagen.Schema{"type": "integer"}, "channels": schemagen.Schema{"type": "integer"}}},
						schemagen.Schema{"type": "null"}}},
					"video": schemagen.Schema{"anyOf": []any{schemagen.Schema{"type": "object", "additionalProperties": false,
						"required": []any{"codec", "frame_rate", "height", "rotation", "width"},
						"properties": schemagen.Schema{"codec": schemagen.Schema{"type": "string"}, "width": schemagen.Schema{"type": "integer"}, "height": schemagen.Schema{"type": "integer"},
							"rotation": schemagen.Schema{"type": "integer"}, "frame_rate": schemagen.Schema{"type": "number"}}},
						schemagen.Schema{"type": "null"}}},
				}},
		},
		NonNull: map[string]bool{"feedback": true},
		Extra: map[string]schemagen.Schema{
			"feedback.Summary.language":      enum("ko", "en"),
			"feedback.Summary.overall_score": score,
			"feedback.Summary.overall_grade": enum("good", "fair", "needs_work"),
			"feedback.Metric.score":          score,
			"feedback.Metric.grade":          enum("good", "fair", "needs_work"),
			"feedback.Metric.modality":       modality,
			"feedback.Metric.weight":         schemagen.Schema{"minimum": 0.0, "maximum": 1.0},
			"feedback.Reason.modality":       modality,
			"feedback.PartStatus.modality":   modality,
			"feedback.PartStatus.status":     enum("ok", "unavailable", "failed"),
			"feedback.Change.status":         enum("improved", "worsened", "unchanged", "changed"),
			"feedback.Change.trend":          enum("improving", "worsening", "steady"),
			"feedback.Change.previous_score": score,
			"feedback.Change.score":          score,
			// interview.Result's fields carry no doc comments of their own.
			// nevermind.Failures holds errors and writes their texts.
			"interview.Result.failed":   {"additionalProperties": schemagen.Schema{"type": "string"}},
			"interview.Result.vision":   {"description": "The video analysis (vision.Report); null when the recording has no video or the analysis failed."},
			"interview.Result.feedback": {"description": "The summary (feedback.Summary); null only when summarising itself failed (failed.feedback says why)."},
		},
	}
	// The object is interview.Result, which `nevermind analyze --json`
	// prints.
	root := g.Ref(reflect.TypeFor[interview.Result]())
	doc := schemagen.Schema{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://github.com/nevermind-ai/nevermind/docs/feedback.schema.json",
		"title":       "nevermind analyze --json",
		"description": "The object `nevermind analyze --json FILE` prints (interview.Result): one key per analysis, null when it was not run or failed (failed and feedback.modalities say why). feedback is present unless summarising itself failed, with overall_score (null only when nothing could be measured) and timeline. Generated from the Go types and their doc comments by feedback/internal/schemagen; do not edit by hand.",
		"$ref":        root["$ref"],
	}
	doc["$defs"] = g.Defs()
	b, err := schemagen.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSchemaFile(t *testing.T) {
	b := generate(t)
	if *update {
		if err := os.WriteFile(schemaPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if bytes.Equal(have, b) {
		return
	}
	// Doc comments of the reported types change often and in many hands;
	// stale descriptions are logged, a changed structure fails.
	if !reflect.DeepEqual(structure(t, have), structure(t, b)) {
		t.Errorf("docs/feedback.schema.json is out of date with the Go types; regenerate with -update")
	} else {
		t.Logf("docs/feedback.schema.json has stale descriptions; regenerate with -update")
	}
}

// structure decodes a schema and drops every description.
func structure(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var strip func(any) any
	strip = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			delete(x, "description")
			for k, e := range x {
				x[k] = strip(e)
			}
		case []any:
			for i, e := range x {
				x[i] = strip(e)
			}
		}
		return v
	}
	return strip(v)
}

// TestSchemaValidatesVisionAndMedia checks a real vision.Summarize report
// (with its series) and media.Info's own JSON inside the whole analyze
// object, parts the summary-only schema tests of package feedback leave out.
func TestSchemaValidatesVisionAndMedia(t *testing.T) {
	s, err := jsonschema.Parse(generate(t))
	if err != nil {
		t.Fatal(err)
	}
	f := func(x float64) *float64 { return &x }
	var frames []vision.FrameResult
	for i := range 50 {
		fr := vision.FrameResult{Time: float64(i) / 5, State: vision.StateFace, Faces: 1, Luma: 120,
			Yaw: f(float64(i % 7)), Pitch: f(0), Roll: f(0), EyeH: f(0), EyeV: f(0), EAR: f(0.3), Mouth: f(0), NoseX: f(0), NoseY: f(0),
			Expression: "neutral", Smile: f(0.1), Posture: vision.PostureFrame{Present: true, Shoulder: 1, Head: 1, Hand: 1, ShoulderDiff: f(0), HeadOffset: f(0), Motion: f(0.1)}}
		if i >= 20 && i < 30 {
			fr = vision.FrameResult{Time: float64(i) / 5, State: vision.StateNoFace}
		}
		frames = append(frames, fr)
	}
	vr := vision.Summarize(frames, 5, vision.AnalyzeOptions{FPS: 5, Series: true})
	sum, err := feedback.Summarize(feedback.Input{Failed: nevermind.Failures{nevermind.Voice: errors.New("x")}}, feedback.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := interview.Result{Media: &interview.MediaReport{Seconds: 0.5, Stats: media.Stats{Packets: 3},
		Info: media.Info{Format: "matroska,webm", Duration: 3 * time.Second, HasAudio: true, AudioCodec: "opus", SampleRate: 48000, Channels: 1}},
		Vision: vr, Feedback: sum, Failed: nevermind.Failures{nevermind.Voice: errors.New("x")}}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(b, ""); err != nil {
		t.Errorf("analyze object does not validate:\n%v", err)
	}
	// A wrong type inside the vision report must be caught.
	bad := bytes.Replace(b, []byte(`"state":"face"`), []byte(`"state":7`), 1)
	if err := s.Validate(bad, ""); err == nil {
		t.Errorf("a number as frame state validated")
	}
}
