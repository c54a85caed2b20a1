// Package report shows a feedback.Summary to a person: as a plain-text
// report for a terminal, or as one self-contained HTML page.
//
// The terminal report lists the overall score, a table of the metrics with
// their grades and findings, the top moments, the summary, what to
// practise next, progress and the analyses left out:
//
//	sum, err := feedback.Summarize(in, feedback.Options{Language: "ko"})
//	if err != nil { … }
//	err = report.Text(os.Stdout, sum, report.Options{Title: "answer.webm"})
//
// The HTML page needs the analyses the summary was made from, for its plots:
// the pitch contour and loudness with long pauses shaded (from a voice report
// made with vocal.Options{Series: true}), when the candidate looked at the
// camera and the posture score (from a video report made with
// vision.AnalyzeOptions{Series: true}), and every problem moment on the
// same time axis, numbered as in the list below it; then a card per metric
// with its grade, finding, meaning and evidence, the progress table and the
// status of each analysis:
//
//	f, err := os.Create("report.html")
//	if err != nil { … }
//	defer f.Close()
//	err = report.HTML(f, sum, in, report.Options{Title: "answer.webm"})
//
// The page has no scripts and loads nothing: its CSS and SVG are inline, so
// it can be mailed, archived or opened offline. Both renderers write in the
// summary's language unless Options.Language says otherwise.
package report
