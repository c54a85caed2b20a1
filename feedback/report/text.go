package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/nevermind-ai/nevermind/feedback"
)

// ErrInput means the renderer was given no summary or an unsupported
// language.
var ErrInput = errors.New("report: invalid input")

// Options tune the renderers. The zero value writes in the summary's own
// language with no title and five top moments.
type Options struct {
	// Language is "ko", "en", or "" for Summary.Language.
	Language string
	// Title names the recording, such as its file name.
	Title string
	// Moments is how many top moments the terminal report lists; 0 means 5.
	Moments int
}

// check validates the inputs every renderer takes and picks the language.
func (o Options) check(s *feedback.Summary) (string, error) {
	switch {
	case s == nil:
		return "", fmt.Errorf("%w: nil summary", ErrInput)
	case o.Language == "en" || o.Language == "ko":
		return o.Language, nil
	case o.Language != "":
		return "", fmt.Errorf("%w: language %q (want \"ko\" or \"en\")", ErrInput, o.Language)
	case s.Language == "en":
		return "en", nil
	}
	return "ko", nil
}

// ui holds the report's own words in both languages.
var ui = map[string]feedback.Text{
	"heading":           {Ko: "면접 답변 피드백", En: "Interview answer feedback"},
	"overall":           {Ko: "종합", En: "Overall"},
	"no_score":          {Ko: "점수 없음", En: "no score"},
	"measure":           {Ko: "항목", En: "Measure"},
	"score":             {Ko: "점수", En: "Score"},
	"grade":             {Ko: "등급", En: "Grade"},
	"finding":           {Ko: "측정 결과", En: "Finding"},
	"moments":           {Ko: "주요 구간", En: "Top moments"},
	"summary":           {Ko: "요약", En: "Summary"},
	"practice":          {Ko: "다음 연습", En: "Practise next"},
	"progress":          {Ko: "지난 답변과 비교", En: "Progress"},
	"earlier":           {Ko: "이전 답변 %d개와 비교", En: "against %d earlier answer(s)"},
	"not_used":          {Ko: "포함되지 않은 분석", En: "Not included"},
	"failed":            {Ko: "실패", En: "failed"},
	"unavailable":       {Ko: "없음", En: "unavailable"},
	"seconds":           {Ko: "%.0f초", En: "%.0f s"},
	"none":              {Ko: "문제 구간이 없습니다.", En: "No problem moments."},
	"unchanged":         {Ko: "알아챌 만한 차이가 없는 항목:", En: "Unchanged (below a noticeable difference):"},
	"shares":            {Ko: "종합 점수는 항목 점수의 가중 평균입니다: %s (측정된 항목에 맞춰 조정).", En: "The overall score is the weighted mean of the scores: %s (adjusted to what was measured)."},
	"scores_over_time":  {Ko: "회차별 점수", En: "score by session"},
	"eye_plot":          {Ko: "카메라 응시", En: "Looking at the camera"},
	"look_legend":       {Ko: "카메라를 봄", En: "looking at the camera"},
	"away_legend":       {Ko: "시선 이탈", En: "looking away"},
	"unmeasured_legend": {Ko: "시선 측정 안 됨", En: "gaze not measured"},
	// What the gaze was judged against (vision.Calibration.Source) and why a frame has no
	// gaze (vision.FrameResult.GazeReason), in the gaze strip's titles.
	"calib_absolute":   {Ko: "카메라 위치 기준", En: "judged by the camera's geometry"},
	"calib_calibrated": {Ko: "보정 구간 기준", En: "calibrated on your look into the lens"},
	"calib_implicit":   {Ko: "영상 초반 기준", En: "calibrated on the first seconds"},
	"head_turned":      {Ko: "고개를 많이 돌림", En: "head turned away"},
	"eyes_closed":      {Ko: "눈 감음", En: "eyes closed"},
	"iris_lost":        {Ko: "눈동자를 찾지 못함", En: "iris not found"},
	"no_face":          {Ko: "얼굴 없음", En: "no face"},
	"face_too_small":   {Ko: "얼굴이 너무 작음", En: "face too small"},
	"too_dark":         {Ko: "너무 어두움", En: "too dark"},
	"posture_plot":     {Ko: "자세 점수", En: "Posture score"},
	"posture_legend":   {Ko: "어깨·고개·손 평균", En: "mean of shoulders, head, hands"},
	"no_vision_series": {Ko: "영상 분석 결과에 프레임별 값이 없습니다(vision.AnalyzeOptions.Series).", En: "The video report holds no per-frame values (vision.AnalyzeOptions.Series)."},
	"vision_missing":   {Ko: "영상 분석 결과가 없습니다: %s", En: "No video analysis: %s"},
	"timeline":         {Ko: "시간에 따른 변화", En: "Over time"},
	"metrics":          {Ko: "항목별 점수", En: "Scores"},
	"evidence":         {Ko: "근거 수치", En: "Evidence"},
	"target":           {Ko: "목표", En: "target"},
	"weight":           {Ko: "종합 점수 비중", En: "share of overall score"},
	"analyses":         {Ko: "분석 상태", En: "Analyses"},
	"footer":           {Ko: "행동을 수치로 설명할 뿐, 사람을 평가하지 않습니다.", En: "Describes behaviour with numbers; it does not judge the person."},
	"pitch":            {Ko: "음높이", En: "Pitch"},
	"pitch_legend":     {Ko: "음높이 곡선", En: "pitch contour"},
	"intensity":        {Ko: "소리 크기", En: "Loudness"},
	"intensity_legend": {Ko: "소리 크기", En: "intensity"},
	"pause_legend":     {Ko: "1초 이상 멈춤", En: "pause ≥ 1 s"},
	"pause_title":      {Ko: "%.1f초 멈춤 (%s)", En: "%.1f s pause at %s"},
	"moments_plot":     {Ko: "문제 구간", En: "Problem moments"},
	"no_series":        {Ko: "음높이·소리 크기 곡선이 보고서에 없습니다(vocal.Options.Series).", En: "The voice report holds no contours (vocal.Options.Series)."},
	"no_voice":         {Ko: "음성 분석 결과가 없습니다.", En: "No voice analysis."},
	"unvoiced":         {Ko: "유성음이 없어 음높이를 그릴 수 없습니다.", En: "No voiced speech to draw a pitch contour from."},
	"voice":            {Ko: "음성", En: "voice"},
	"vision":           {Ko: "영상", En: "video"},
	"transcript":       {Ko: "전사", En: "transcript"},
	"content":          {Ko: "내용", En: "content"},
	"ok":               {Ko: "사용함", En: "used"},
}

func t(key, lang string) string { return ui[key].In(lang) }

// Text writes a plain-text report for a terminal: the overall score, a
// table of metrics with grades, the top moments, the summary, what to
// practise next, progress, and the analyses that were not included.
func Text(w io.Writer, s *feedback.Summary, opts Options) error {
	lang, err := opts.check(s)
	if err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	head := t("heading", lang)
	if opts.Title != "" {
		head += " — " + opts.Title
	}
	if s.Duration > 0 {
		head += " (" + fmt.Sprintf(t("seconds", lang), s.Duration) + ")"
	}
	fmt.Fprintln(b, head)
	fmt.Fprintln(b, strings.Repeat("=", min(width(head), 78)))
	if s.OverallScore != nil {
		fmt.Fprintf(b, "%s  %d/100  %s\n", t("overall", lang), *s.OverallScore, s.OverallGrade.Label().In(lang))
	} else {
		fmt.Fprintf(b, "%s  %s\n", t("overall", lang), t("no_score", lang))
	}

	if len(s.Metrics) > 0 {
		fmt.Fprintln(b)
		labelW, gradeW := width(t("measure", lang)), width(t("grade", lang))
		for _, m := range s.Metrics {
			labelW = max(labelW, width(m.Label.In(lang)))
			gradeW = max(gradeW, width(m.GradeLabel.In(lang)))
		}
		fmt.Fprintf(b, "  %s  %s  %s  %s\n", pad(t("measure", lang), labelW), padLeft(t("score", lang), 5), pad(t("grade", lang), gradeW), t("finding", lang))
		for _, m := range s.Metrics {
			fmt.Fprintf(b, "  %s  %5d  %s  %s\n", pad(m.Label.In(lang), labelW), m.Score, pad(m.GradeLabel.In(lang), gradeW), m.Finding.In(lang))
		}
	}

	n := opts.Moments
	if n <= 0 {
		n = 5
	}
	section(b, t("moments", lang))
	top := s.TopMoments(n)
	if len(top) == 0 {
		fmt.Fprintln(b, "  "+t("none", lang))
	}
	for _, m := range top {
		var rs []string
		for _, r := range m.Reasons {
			rs = append(rs, r.Text.In(lang))
		}
		fmt.Fprintf(b, "  %s–%s  %s\n", clock(m.Start), clock(m.End), strings.Join(rs, " · "))
	}

	section(b, t("summary", lang))
	wrap(b, s.Text.In(lang), "  ", "  ")
	if len(s.Practice) > 0 {
		section(b, t("practice", lang))
		for i, p := range s.Practice {
			wrap(b, p.Text.In(lang), fmt.Sprintf("  %d. ", i+1), "     ")
		}
	}
	if p := s.Progress; p != nil {
		section(b, t("progress", lang)+" ("+fmt.Sprintf(t("earlier", lang), p.Sessions)+")")
		if p.Overall != nil {
			fmt.Fprintln(b, "  "+p.Overall.Text.In(lang))
		}
		var same []string
		for _, c := range p.Metrics {
			if c.Status == "unchanged" {
				same = append(same, labelOf(s, c.Metric, lang))
				continue
			}
			fmt.Fprintln(b, "  "+c.Text.In(lang))
		}
		if len(same) > 0 {
			wrap(b, t("unchanged", lang)+" "+strings.Join(same, ", "), "  ", "    ")
		}
	}
	var missing []string
	for _, st := range s.Parts {
		switch st.Status {
		case feedback.StatusFailed:
			missing = append(missing, fmt.Sprintf("%s: %s (%s)", t(string(st.Part), lang), t("failed", lang), st.Reason.In(lang)))
		case feedback.StatusUnavailable:
			missing = append(missing, fmt.Sprintf("%s: %s (%s)", t(string(st.Part), lang), t("unavailable", lang), st.Reason.In(lang)))
		}
	}
	if len(missing) > 0 {
		section(b, t("not_used", lang))
		for _, m := range missing {
			fmt.Fprintln(b, "  "+m)
		}
	}
	return b.Flush()
}

func labelOf(s *feedback.Summary, id, lang string) string {
	if m := s.Metric(id); m != nil {
		return m.Label.In(lang)
	}
	return id
}

func section(w io.Writer, title string) {
	fmt.Fprintf(w, "\n%s\n%s\n", title, strings.Repeat("-", width(title)))
}

// clock writes seconds as m:ss.s.
func clock(sec float64) string {
	m := int(sec) / 60
	return fmt.Sprintf("%d:%04.1f", m, sec-float64(60*m))
}

// width is the number of terminal columns s takes: Hangul, CJK and
// full-width forms take two.
func width(s string) int {
	n := 0
	for _, r := range s {
		n++
		if wide(r) {
			n++
		}
	}
	return n
}

func wide(r rune) bool {
	return (r >= 0x1100 && r <= 0x115F) || (r >= 0x2E80 && r <= 0xA4CF) ||
		(r >= 0xAC00 && r <= 0xD7A3) || (r >= 0xF900 && r <= 0xFAFF) ||
		(r >= 0xFE30 && r <= 0xFE4F) || (r >= 0xFF00 && r <= 0xFF60) || (r >= 0xFFE0 && r <= 0xFFE6)
}

func pad(s string, w int) string { return s + strings.Repeat(" ", max(0, w-width(s))) }

func padLeft(s string, w int) string { return strings.Repeat(" ", max(0, w-width(s))) + s }

// wrap writes text in lines of at most 78 columns, breaking at spaces.
func wrap(w io.Writer, text, first, rest string) {
	const cols = 78
	line, prefix := "", first
	for _, word := range strings.Fields(text) {
		if line != "" && width(prefix)+width(line)+1+width(word) > cols {
			fmt.Fprintln(w, prefix+line)
			line, prefix = "", rest
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" || utf8.RuneCountInString(prefix) > 0 {
		fmt.Fprintln(w, prefix+line)
	}
}
