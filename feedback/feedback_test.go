package feedback

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/nevermind-ai/nevermind"
	"github.com/nevermind-ai/nevermind/feedback/internal/jsonschema"
	"github.com/nevermind-ai/nevermind/feedback/internal/speech"
	"github.com/nevermind-ai/nevermind/questions"
	"github.com/nevermind-ai/nevermind/stt"
	"github.com/nevermind-ai/nevermind/vocal"
)

// forbidden are words that judge character or feelings instead of
// describing behaviour. None may appear in anything a summary says.
var forbidden = []string{
	"자신감", "불안", "긴장", "성격", "소심", "무능", "게으", "초조", "당황", "떨려", "겁",
	"confiden", "nervous", "anxious", "anxiety", "shy", "lazy", "personality", "insecure", "timid", "incompetent", "scared", "afraid",
}

// texts returns every sentence a summary shows a reader.
func texts(s *Summary) []Text {
	out := []Text{s.Text}
	for _, m := range s.Metrics {
		out = append(out, m.Label, m.Finding, m.Meaning)
	}
	for _, p := range s.Practice {
		out = append(out, p.Text)
	}
	for _, mo := range s.Timeline {
		for _, r := range mo.Reasons {
			out = append(out, r.Text)
		}
	}
	if s.Progress != nil {
		for _, c := range s.Progress.Metrics {
			out = append(out, c.Text)
		}
	}
	return out
}

// checkSummary checks what must hold for every summary: scores and grades
// agree, weights add up, the overall score is their weighted mean, both
// languages are written, the text has 2–4 sentences and no character
// judgement, and the JSON is valid and free of NaN.
func checkSummary(t *testing.T, s *Summary) {
	t.Helper()
	var wsum, mean float64
	for _, m := range s.Metrics {
		if m.Score < 0 || m.Score > 100 {
			t.Errorf("%s: score %d out of 0–100", m.ID, m.Score)
		}
		if m.Grade != GradeOf(m.Score) || m.GradeLabel != m.Grade.Label() {
			t.Errorf("%s: grade %s/%v does not match score %d", m.ID, m.Grade, m.GradeLabel, m.Score)
		}
		if m.Finding.Ko == "" || m.Finding.En == "" || m.Meaning.Ko == "" || m.Meaning.En == "" {
			t.Errorf("%s: finding or meaning missing: %+v %+v", m.ID, m.Finding, m.Meaning)
		}
		if !finite(m.Value) {
			t.Errorf("%s: value %v", m.ID, m.Value)
		}
		if st := s.Status(m.Part); st.Status != StatusOK {
			t.Errorf("metric %s comes from %s, which is %s", m.ID, m.Part, st.Status)
		}
		wsum += m.Weight
		mean += m.Weight * float64(m.Score)
	}
	if len(s.Metrics) > 0 {
		if math.Abs(wsum-1) > 0.002 {
			t.Errorf("weights add up to %v, want 1", wsum)
		}
		if s.OverallScore == nil || math.Abs(float64(*s.OverallScore)-mean) > 0.6 {
			t.Errorf("overall score %v, weighted mean %.2f", s.OverallScore, mean)
		}
	} else if s.OverallScore != nil {
		t.Errorf("overall score %d without metrics", *s.OverallScore)
	}
	for _, lang := range []string{"ko", "en"} {
		text := s.Text.In(lang)
		n := strings.Count(text, ". ") + strings.Count(text, "다. ") + 1
		if lang == "ko" {
			n = strings.Count(text, "다.") + strings.Count(text, "요.")
		}
		if n < 1 || n > 4 || text == "" {
			t.Errorf("%s summary has %d sentences: %q", lang, n, text)
		}
	}
	if len(s.Metrics) > 0 && (len(s.Practice) < 1 || len(s.Practice) > 3) {
		t.Errorf("%d practice items, want 1–3", len(s.Practice))
	}
	for _, tx := range texts(s) {
		for _, w := range forbidden {
			if strings.Contains(strings.ToLower(tx.Ko+" "+tx.En), w) {
				t.Errorf("judges character with %q: %+v", w, tx)
			}
		}
	}
	for i := 1; i < len(s.Timeline); i++ {
		if s.Timeline[i].Start < s.Timeline[i-1].Start {
			t.Errorf("timeline not sorted at %d", i)
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "NaN") || strings.Contains(string(b), "Inf") {
		t.Errorf("JSON holds NaN or Inf")
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Errorf("JSON does not read back: %v", err)
	}
	if err := schema(t).Validate(b, "feedback.Summary"); err != nil {
		t.Errorf("summary does not match docs/feedback.schema.json:\n%v", err)
	}
}

// schema reads docs/feedback.schema.json, the published schema of
// `nevermind analyze --json`.
func schema(t *testing.T) *jsonschema.Schema { return schemaFile(t) }

func schemaFile(t testing.TB) *jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile("../docs/feedback.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSchemaWholeObject validates a whole `analyze --json` object built from
// real analyses: a voice report with its series, a transcript, the content
// evaluation and the summary (no video: null).
func TestSchemaWholeObject(t *testing.T) {
	pcm := speech.Synth(t, speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}, speech.Fluent(speech.English[:3], 2.8)...)
	words := []nevermind.Word{{Text: "um", Start: 0.1, End: 0.3}, {Text: "In", Start: 0.4, End: 0.5}, {Text: "my", Start: 0.5, End: 0.6}}
	r := speech.Analyze(t, pcm, vocal.Options{Language: "en", Series: true, Words: words})
	tr := &stt.Transcript{Text: "um In my", Language: "en", Duration: r.Quality.DurationS,
		Words: []nevermind.Word{{Text: "um", Start: 0.1, End: 0.3}, {Text: "In", Start: 0.4, End: 0.5}, {Text: "my", Start: 0.5, End: 0.6}}, Segments: []stt.Segment{}}
	ev := evaluate(t, "Tell me about a hard problem.", strings.Join(speech.English[:3], " "), "en")
	s, err := Summarize(Input{Voice: r, Transcript: tr, Content: ev, Failed: nevermind.Failures{nevermind.Vision: errors.New("no video stream")}}, Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, s)
	obj := map[string]any{"media": nil, "voice": r, "vision": nil, "transcript": tr, "content": ev, "feedback": s}
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	sc := schema(t)
	if err := sc.Validate(b, ""); err != nil {
		t.Errorf("analyze object does not match the schema:\n%v", err)
	}
	// The schema is strict enough to catch a missing overall score or a
	// score out of range.
	for _, mutate := range []func(map[string]any){
		func(f map[string]any) { delete(f, "overall_score") },
		func(f map[string]any) { delete(f, "timeline") },
		func(f map[string]any) { f["metrics"].([]any)[0].(map[string]any)["score"] = 140 },
		func(f map[string]any) { f["metrics"].([]any)[0].(map[string]any)["grade"] = "excellent" },
	} {
		var o map[string]any
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatal(err)
		}
		mutate(o["feedback"].(map[string]any))
		bad, _ := json.Marshal(o)
		if err := sc.Validate(bad, ""); err == nil {
			t.Errorf("a broken summary validated")
		}
	}
}

func evaluate(t *testing.T, question, answer, lang string) *questions.Evaluation {
	t.Helper()
	e, err := questions.EvaluateOffline(questions.Answer{Question: question, Text: answer, Language: lang})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestSummarizeSpeech runs the whole chain on synthetic answers: the same
// text spoken fluently and with long silences, in English and Korean, and
// spoken much too fast.
func TestSummarizeSpeech(t *testing.T) {
	cases := []struct {
		name       string
		voice      speech.Voice
		parts      []speech.Piece
		lang       string
		wantGrade  map[string]Grade // metric → grade
		wantUnit   string           // unit of the pace metric
		wantInText []string         // fragments of the summary (ko, en)
		practice   string           // a metric that must be practised
	}{
		{
			name: "english fluent", voice: speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}, parts: speech.Fluent(speech.English, 0.5), lang: "en",
			wantGrade: map[string]Grade{"pauses": Good, "pace": Good}, wantUnit: "wpm",
		},
		{
			name: "english hesitant", voice: speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}, parts: speech.Fluent(speech.English, 3.0), lang: "en",
			wantGrade: map[string]Grade{"pauses": NeedsWork}, wantUnit: "wpm",
			wantInText: []string{"2.5초 넘게 멈췄습니다", "paused for more than 2.5 s"}, practice: "pauses",
		},
		{
			name: "korean fluent", voice: speech.Voice{Name: "ko", Rate: 150, Pitch: 50}, parts: speech.Fluent(speech.Korean, 0.5), lang: "ko",
			wantGrade: map[string]Grade{"pauses": Good}, wantUnit: "syllables_per_s",
		},
		{
			name: "korean hesitant", voice: speech.Voice{Name: "ko", Rate: 150, Pitch: 50}, parts: speech.Fluent(speech.Korean, 4.0), lang: "ko",
			wantGrade: map[string]Grade{"pauses": NeedsWork}, wantUnit: "syllables_per_s",
			wantInText: []string{"네 번, 2.5초 넘게 멈췄습니다", "four times"}, practice: "pauses",
		},
		{
			name: "english rushed", voice: speech.Voice{Name: "en-us", Rate: 320, Pitch: 50}, parts: speech.Fluent(speech.English, 0.3), lang: "en",
			wantGrade: map[string]Grade{"pace": NeedsWork}, wantUnit: "wpm", practice: "pace",
			wantInText: []string{"", "words per minute"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pcm := speech.Synth(t, tc.voice, tc.parts...)
			r := speech.Analyze(t, pcm, vocal.Options{Language: tc.lang})
			s, err := Summarize(Input{Voice: r}, Options{Language: tc.lang})
			if err != nil {
				t.Fatal(err)
			}
			checkSummary(t, s)
			if st := s.Status(nevermind.Voice); st.Status != StatusOK {
				t.Fatalf("voice status %+v", st)
			}
			for id, g := range tc.wantGrade {
				m := s.Metric(id)
				if m == nil {
					t.Fatalf("no %s metric", id)
				}
				if m.Grade != g {
					t.Errorf("%s: grade %s (score %d, value %v %s), want %s", id, m.Grade, m.Score, m.Value, m.Unit, g)
				}
			}
			if p := s.Metric("pace"); p == nil || p.Unit != tc.wantUnit {
				t.Errorf("pace metric %+v, want unit %s", p, tc.wantUnit)
			}
			if len(tc.wantInText) == 2 {
				if !strings.Contains(s.Text.Ko, tc.wantInText[0]) || !strings.Contains(s.Text.En, tc.wantInText[1]) {
					t.Errorf("summary lacks %q / %q:\n%s\n%s", tc.wantInText[0], tc.wantInText[1], s.Text.Ko, s.Text.En)
				}
			}
			if tc.practice != "" {
				found := false
				for _, p := range s.Practice {
					found = found || p.Metric == tc.practice
				}
				if !found {
					t.Errorf("practice %+v does not include %s", s.Practice, tc.practice)
				}
			}
			// Every long pause the voice analysis found is in exactly one moment.
			for _, p := range r.Fluency.Pauses.Long {
				n := 0
				for _, mo := range s.Timeline {
					for _, rs := range mo.Reasons {
						if rs.Kind == "long_pause" && math.Abs(rs.Start-p.Start) < 0.01 {
							n++
							if rs.Start < mo.Start || rs.End > mo.End {
								t.Errorf("reason %v–%v outside its moment %v–%v", rs.Start, rs.End, mo.Start, mo.End)
							}
						}
					}
				}
				if n != 1 {
					t.Errorf("long pause at %.2f appears %d times in the timeline", p.Start, n)
				}
			}
			t.Logf("%d (%s) %s", *s.OverallScore, s.OverallGrade, s.Text.En)
		})
	}
}

// TestPartialInputs checks that any subset of analyses gives a summary that
// says what is missing and why.
func TestPartialInputs(t *testing.T) {
	answer := strings.Join(speech.English, " ")
	ev := evaluate(t, "Tell me about a time you fixed an unreliable system.", answer, "en")
	silence := make([]float32, 16000*3)
	quiet := speech.Analyze(t, silence, vocal.Options{})
	cases := []struct {
		name    string
		in      func(t *testing.T) Input
		status  map[nevermind.Part]Status
		metrics []string // metric IDs that must be present
		absent  []string // and absent
		text    string   // fragment of the English summary
	}{
		{
			name:    "only content",
			in:      func(*testing.T) Input { return Input{Content: ev} },
			status:  map[nevermind.Part]Status{nevermind.Content: StatusOK, nevermind.Voice: StatusUnavailable, nevermind.Vision: StatusUnavailable, nevermind.Transcript: StatusOK}, // fillers counted in the evaluated text,
			metrics: []string{"star", "specificity", "structure", "relevance", "length", "fillers"},
			absent:  []string{"pace", "pauses"},
		},
		{
			name: "only voice",
			in: func(t *testing.T) Input {
				return Input{Voice: speech.Analyze(t, speech.Synth(t, speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}, speech.Fluent(speech.English[:3], 0.5)...), vocal.Options{Language: "en"})}
			},
			status:  map[nevermind.Part]Status{nevermind.Voice: StatusOK, nevermind.Content: StatusUnavailable},
			metrics: []string{"pace", "pauses", "fillers"},
			absent:  []string{"star"},
		},
		{
			name: "voice and content, vision failed",
			in: func(t *testing.T) Input {
				r := speech.Analyze(t, speech.Synth(t, speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}, speech.Fluent(speech.English[:3], 0.5)...), vocal.Options{Language: "en"})
				return Input{Voice: r, Content: ev, Failed: nevermind.Failures{nevermind.Vision: errors.New("no face found in any frame")}}
			},
			status:  map[nevermind.Part]Status{nevermind.Voice: StatusOK, nevermind.Content: StatusOK, nevermind.Vision: StatusFailed},
			metrics: []string{"pace", "star"},
			text:    "video analysis (no face found in any frame)",
		},
		{
			name:    "silent audio",
			in:      func(*testing.T) Input { return Input{Voice: quiet, Content: ev} },
			status:  map[nevermind.Part]Status{nevermind.Voice: StatusUnavailable, nevermind.Content: StatusOK},
			metrics: []string{"star"},
			absent:  []string{"pace", "pauses", "tremor"},
			text:    "voice analysis (insufficient audio",
		},
		{
			name: "everything failed",
			in: func(*testing.T) Input {
				return Input{Duration: 30, Failed: nevermind.Failures{nevermind.Voice: errors.New("decoder error"), nevermind.Vision: errors.New("decoder error"), nevermind.Transcript: errors.New("stt: rate limited"), nevermind.Content: errors.New("no transcript")}}
			},
			status: map[nevermind.Part]Status{nevermind.Voice: StatusFailed, nevermind.Vision: StatusFailed, nevermind.Transcript: StatusFailed, nevermind.Content: StatusFailed},
			text:   "Nothing could be measured.",
		},
		{
			name: "transcript failed drops its fillers",
			in: func(t *testing.T) Input {
				tr := &stt.Transcript{Text: answer, Language: "en"}
				return Input{Transcript: tr, Content: ev, Failed: nevermind.Failures{nevermind.Transcript: errors.New("timeout")}}
			},
			status: map[nevermind.Part]Status{nevermind.Transcript: StatusFailed, nevermind.Content: StatusOK},
			absent: []string{"fillers"},
		},
		{
			name: "transcript failed, fillers from the audio",
			in: func(t *testing.T) Input {
				r := speech.Analyze(t, speech.Synth(t, speech.Voice{Name: "en-us", Rate: 150, Pitch: 50}, speech.Fluent(speech.English[:3], 0.5)...), vocal.Options{Language: "en"})
				return Input{Voice: r, Content: ev, Failed: nevermind.Failures{nevermind.Transcript: errors.New("timeout")}}
			},
			status:  map[nevermind.Part]Status{nevermind.Transcript: StatusFailed, nevermind.Voice: StatusOK, nevermind.Content: StatusOK},
			metrics: []string{"fillers", "pace", "star"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Summarize(tc.in(t), Options{Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			checkSummary(t, s)
			for m, want := range tc.status {
				if got := s.Status(m); got.Status != want {
					t.Errorf("%s: status %+v, want %s", m, got, want)
				}
			}
			for _, id := range tc.metrics {
				if s.Metric(id) == nil {
					t.Errorf("metric %s missing", id)
				}
			}
			for _, id := range tc.absent {
				if s.Metric(id) != nil {
					t.Errorf("metric %s should be absent", id)
				}
			}
			if !strings.Contains(s.Text.En, tc.text) {
				t.Errorf("summary %q lacks %q", s.Text.En, tc.text)
			}
			if len(s.Parts) != 4 {
				t.Errorf("%d modality statuses, want 4", len(s.Parts))
			}
		})
	}
}

func TestSummarizeRejectsBadInput(t *testing.T) {
	ev := evaluate(t, "", "I fixed the build.", "en")
	cases := []struct {
		name string
		in   Input
		opts Options
		want error
	}{
		{"nothing", Input{}, Options{}, ErrNoInput},
		{"negative duration", Input{Content: ev, Duration: -1}, Options{}, ErrInvalidInput},
		{"NaN duration", Input{Content: ev, Duration: math.NaN()}, Options{}, ErrInvalidInput},
		{"unknown modality", Input{Content: ev, Failed: nevermind.Failures{nevermind.Part("audio"): errors.New("x")}}, Options{}, ErrInvalidInput},
		{"language", Input{Content: ev}, Options{Language: "fr"}, ErrLanguage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Summarize(tc.in, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestDefaultLanguageIsKorean(t *testing.T) {
	s, err := Summarize(Input{Content: evaluate(t, "", "저는 빌드를 고쳤습니다.", "ko")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Language != "ko" {
		t.Errorf("language %q, want ko", s.Language)
	}
}

func TestGradeBands(t *testing.T) {
	for _, tc := range []struct {
		score int
		want  Grade
		ko    string
	}{{100, Good, "양호"}, {80, Good, "양호"}, {79, Fair, "보통"}, {60, Fair, "보통"}, {59, NeedsWork, "개선필요"}, {0, NeedsWork, "개선필요"}} {
		if g := GradeOf(tc.score); g != tc.want || g.Label().Ko != tc.ko {
			t.Errorf("GradeOf(%d) = %s %s, want %s %s", tc.score, g, g.Label().Ko, tc.want, tc.ko)
		}
	}
}

func TestBandScore(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want int
	}{
		{4.55, 100},          // centre of 3.8–5.3
		{3.8, 80}, {5.3, 80}, // edges
		{5.8, 60}, // one tolerance above: needs-work boundary
		{3.0, 60}, // one tolerance below
		{9, 0},    // clamped
	} {
		if got := paceKo.score(tc.x); got != tc.want {
			t.Errorf("paceKo.score(%v) = %d, want %d", tc.x, got, tc.want)
		}
	}
	if got := atMost(2, 3).score(0); got != 100 {
		t.Errorf("atMost(2,3)(0) = %d, want 100", got)
	}
	if got := atMost(2, 3).score(5); got != 60 {
		t.Errorf("atMost(2,3)(5) = %d, want 60", got)
	}
}

// TestSeedSpeedSpansLeftOut runs a LibriVox reading (Debian package
// pocketsphinx-testdata, public domain) that the original service's rule
// calls fast from end to end although it is read at about 2.6 syllables per
// second; the summary's timeline must not repeat that, while the voice
// report keeps it.
func TestSeedSpeedSpansLeftOut(t *testing.T) {
	const path = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0890.wav"
	if _, err := os.Stat(path); err != nil {
		t.Skip("pocketsphinx-testdata is not installed (Debian package pocketsphinx-testdata); CI installs it")
	}
	r := speech.Analyze(t, speech.ReadWAV(t, path), vocal.Options{Language: "en"})
	seed := 0
	for _, m := range r.Timeline {
		if m.Kind == "speed_fast" || m.Kind == "speed_slow" {
			seed++
		}
	}
	if seed == 0 {
		t.Skip("the voice report no longer flags this reading; nothing to leave out")
	}
	s, err := Summarize(Input{Voice: r}, Options{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, s)
	for _, m := range s.Timeline {
		for _, rs := range m.Reasons {
			if rs.Kind == "speed_fast" || rs.Kind == "speed_slow" {
				t.Errorf("seed speed span %s at %.1f s in the summary timeline", rs.Kind, rs.Start)
			}
		}
	}
	// Our own measure agrees that the reading is not fast.
	if p := s.Metric("pace"); p == nil || p.Value > paceEn.hi {
		t.Errorf("pace metric %+v, want at most %v wpm", p, paceEn.hi)
	}
}

// TestTranscriptFillers gives the voice analysis a Korean transcript with
// many "음"/"어": the fillers metric must come from the words (per 100 words,
// modality transcript) and say how many there were.
func TestTranscriptFillers(t *testing.T) {
	pcm := speech.Synth(t, speech.Voice{Name: "ko", Rate: 150, Pitch: 50}, speech.Fluent(speech.Korean, 0.5)...)
	dur := float64(len(pcm)) / 16000
	var tokens []string
	for i, w := range strings.Fields(strings.Join(speech.Korean, " ")) {
		if i%4 == 0 {
			tokens = append(tokens, []string{"음", "어"}[i%8/4])
		}
		tokens = append(tokens, w)
	}
	words := make([]nevermind.Word, len(tokens))
	step := dur / float64(len(tokens))
	fillers := 0
	for i, tok := range tokens {
		words[i] = nevermind.Word{Text: tok, Start: float64(i) * step, End: float64(i)*step + step*0.8}
		if tok == "음" || tok == "어" {
			fillers++
		}
	}
	r := speech.Analyze(t, pcm, vocal.Options{Language: "ko", Words: words})
	s, err := Summarize(Input{Voice: r}, Options{Language: "ko"})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, s)
	m := s.Metric("fillers")
	if m == nil || m.Unit != "per_100_words" || m.Part != nevermind.Transcript {
		t.Fatalf("fillers metric %+v", m)
	}
	want := 100 * float64(fillers) / float64(len(tokens))
	if math.Abs(m.Value-want) > 0.6 {
		t.Errorf("fillers %.2f per 100 words, counted %.2f", m.Value, want)
	}
	if m.Grade != NeedsWork {
		t.Errorf("%.1f fillers per 100 words graded %s", m.Value, m.Grade)
	}
	if !strings.Contains(m.Finding.Ko, fmt.Sprintf("군말이 %d개", fillers)) {
		t.Errorf("finding %q does not count %d fillers", m.Finding.Ko, fillers)
	}
	if s.Status(nevermind.Transcript).Status != StatusOK {
		t.Errorf("transcript status %+v", s.Status(nevermind.Transcript))
	}
}
