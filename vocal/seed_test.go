package vocal

import (
	"math"
	"reflect"
	"testing"
)

func TestRoundToMatchesPython(t *testing.T) {
	// Expected values are Python 3's round(x, n).
	cases := []struct {
		x    float64
		n    int
		want float64
	}{
		{2.675, 2, 2.67}, // binary value is below the tie
		{0.125, 2, 0.12}, // exact tie: half to even
		{0.375, 2, 0.38}, // exact tie: half to even
		{1.0005, 3, 1.0}, // binary value is below the tie
		{-2.5, 0, -2},    // half to even
		{3.14159, 3, 3.142},
	}
	for _, c := range cases {
		if got := roundTo(c.x, c.n); got != c.want {
			t.Errorf("roundTo(%v, %d) = %v, want %v", c.x, c.n, got, c.want)
		}
	}
	if !math.IsNaN(roundTo(math.NaN(), 2)) {
		t.Error("roundTo(NaN) is not NaN")
	}
}

func TestRollingMedianMatchesPandas(t *testing.T) {
	// pandas: Series([1,5,2,8,3]).rolling(3, center=True, min_periods=3).median().bfill().ffill()
	got := rollingMedian([]float64{1, 5, 2, 8, 3}, 3, 3)
	if want := []float64{2, 2, 5, 3, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("window 3: %v, want %v", got, want)
	}
	// An even window of 8 spans [i-4, i+3]; at i=0 that is 4 values.
	got = rollingMedian([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 8, 3)
	if want := []float64{2.5, 3, 3.5, 4, 4.5, 5.5, 6.5, 7, 7.5, 8}; !reflect.DeepEqual(got, want) {
		t.Errorf("window 8: %v, want %v", got, want)
	}
	got = rollingMedian([]float64{math.NaN(), 4, math.NaN(), 6, 8}, 3, 2)
	if want := []float64{5, 5, 5, 7, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("NaNs: %v, want %v", got, want)
	}
}

func TestWindowsLikeSeed(t *testing.T) {
	got := windows(2.99, 1.0, 0.5)
	want := [][2]float64{{0, 1}, {0.5, 1.5}, {1, 2}, {1.5, 2.5}, {2, 2.99}, {2.5, 2.99}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("windows = %v, want %v", got, want)
	}
}

func TestTremorMetric(t *testing.T) {
	nan := math.NaN()
	row := func(score, j, s, h float64) tremorRow { return tremorRow{score: score, jitter: j, shimmer: s, hnr: h} }
	cases := []struct {
		name  string
		rows  []tremorRow
		score int
		level string
		desc  string
	}{
		{"steady", []tremorRow{row(0.3, 1.0, 4, 15), row(0.5, 1.2, 5, 14)}, 90, "양호", "최대 z=0.50, jitter≈1.10%, shimmer≈4.50%, HNR≈14.5 dB"},
		{"z just under 1.2", []tremorRow{row(0.8, 1.0, 4, 15)}, 82, "양호", "최대 z=0.80, jitter≈1.00%, shimmer≈4.00%, HNR≈15.0 dB"},
		{"three penalties", []tremorRow{row(0.4, 3.0, 10, 8)}, 81, "양호", "최대 z=0.40, jitter≈3.00%, shimmer≈10.00%, HNR≈8.0 dB"},
		// The seed gave 55/주의 here because Python's max() returned the
		// leading NaN, and its NaN medians cancelled every penalty.
		{"silent first second", []tremorRow{row(nan, nan, nan, nan), row(0.4, 3.0, 10, 8)}, 81, "양호", "최대 z=0.40, jitter≈3.00%, shimmer≈10.00%, HNR≈8.0 dB"},
		{"no data", nil, 0, "정보부족", "정보 부족"},
	}
	for _, c := range cases {
		m := tremorMetric(c.rows)
		if m.Score != c.score || m.Level != c.level || m.Description != c.desc {
			t.Errorf("%s: got %d %s %q, want %d %s %q", c.name, m.Score, m.Level, m.Description, c.score, c.level, c.desc)
		}
	}
}

func TestSpeedMetric(t *testing.T) {
	rows := func(sps ...float64) []speedRow {
		var r []speedRow
		for _, s := range sps {
			r = append(r, speedRow{sps: s})
		}
		return r
	}
	cases := []struct {
		sps   float64
		wpm   int
		score int
		level string
	}{
		{5.25, 140, 88, "적정"},
		{6.46875, 172, 82, "적정~약간 빠름"}, // 172.5 rounds half to even
		{3.0, 80, 60, "과속/과늦"},
		{4.0, 107, 74, "빠름/느림"},
		{7.2, 192, 74, "빠름/느림"},
		{8.0, 213, 60, "과속/과늦"},
	}
	for _, c := range cases {
		m := speedMetric(rows(c.sps))
		d := m.Details.(*SpeedDetails)
		if m.Value != c.wpm || d.WPM != c.wpm || m.Score != c.score || m.Level != c.level {
			t.Errorf("sps %v: wpm %v score %d level %s, want %d %d %s", c.sps, m.Value, m.Score, m.Level, c.wpm, c.score, c.level)
		}
	}
	if m := speedMetric(nil); m.Score != 0 || m.Level != "정보부족" || m.Description != "정보 부족" {
		t.Errorf("no data: %+v", m)
	}
	// Fixed seed bug: the description follows the speed.
	if fast, slow := speedMetric(rows(7.2)).Description, speedMetric(rows(4.0)).Description; fast == slow {
		t.Errorf("fast and slow speech get the same description %q", fast)
	}
}

func TestPauseMetric(t *testing.T) {
	cases := []struct {
		p     float64
		score int
		level string
		desc  string
	}{
		{0.18, 85, "양호", "불필요한 침묵 과다는 없음."},
		{0.25, 78, "약간", "휴지 개선 필요."},
		{0.35, 70, "주의", "휴지 개선 필요."},
		{0.36, 62, "과다", "휴지 개선 필요."},
	}
	for _, c := range cases {
		m, _ := pauseMetric([]speedRow{{pauseRatio: c.p}})
		if m.Score != c.score || m.Level != c.level || m.Description != c.desc || m.Value != c.p {
			t.Errorf("p=%v: %+v", c.p, m)
		}
	}
	if m, _ := pauseMetric(nil); m.Score != 80 || m.Level != "보통" || m.Value != nil {
		t.Errorf("no data: %+v", m)
	}
}

func TestToneMetric(t *testing.T) {
	nan := math.NaN()
	m := toneMetric(intonation{6, 2, 2}, energy{0.1, 3, 0.1}, rhythm{0.2, 40, 0.8})
	if m.Score != 100 || m.Level != "양호" || m.Value != "자신감 있고 안정적" || m.Description != "억양 변화와 에너지 밸런스가 안정적." {
		t.Errorf("ideal: %+v", m)
	}
	// Monotone and flat, no energy or rhythm: I = min(0.586, 0.5), tone = 0.4·0.5.
	m = toneMetric(intonation{2, 0, 1}, energy{nan, nan, nan}, rhythm{nan, nan, nan})
	d := m.Details.(*ToneDetails)
	if m.Score != 20 || d.Coverage != 0.4 || m.Value != "다소 단조/불균형" || m.Level != "보통" || m.Description != "억양 개선 여지 있음." {
		t.Errorf("monotone: %+v %+v", m, d)
	}
}

func TestSummaryAndTotal(t *testing.T) {
	tremor := Metric{Score: 82, Level: "양호"}
	pause := Metric{Score: 85, Level: "양호"}
	tone := Metric{Score: 71, Value: "대체로 자연스러움"}
	speed := Metric{Score: 88, Level: "적정", Value: 150}
	if got, want := summarize(tremor, pause, tone, speed), "전반적으로 안정적. 속도 적정. 불필요한 긴 침묵은 없음. 억양은 대체로 자연스러움."; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if got := totalScore(tremor, pause, tone, speed); got != 82 { // 81.5 rounds half to even
		t.Errorf("total %d, want 82", got)
	}
	// Fixed seed bug: slow speech (level 빠름/느림) is not called fast.
	slow := Metric{Level: "빠름/느림", Value: 110}
	if got, want := summarize(Metric{Level: "주의"}, Metric{Level: "과다"}, Metric{}, slow), "속도는 다소 느림."; got != want {
		t.Errorf("slow summary %q, want %q", got, want)
	}
	fast := Metric{Level: "빠름/느림", Value: 190}
	if got, want := summarize(Metric{Level: "주의"}, Metric{Level: "과다"}, Metric{}, fast), "속도는 다소 빠름."; got != want {
		t.Errorf("fast summary %q, want %q", got, want)
	}
	if got := summarize(Metric{Level: "주의"}, Metric{Level: "과다"}, Metric{}, Metric{Level: "과속/과늦"}); got != "" {
		t.Errorf("empty summary %q", got)
	}
}

func TestBandEnergy(t *testing.T) {
	// A 5 Hz modulation sampled at 100 Hz lands in the 3–10 Hz band;
	// a 20 Hz one does not.
	in, out := make([]float64, 100), make([]float64, 100)
	for i := range in {
		in[i] = math.Sin(2 * math.Pi * 5 * float64(i) / 100)
		out[i] = math.Sin(2 * math.Pi * 20 * float64(i) / 100)
	}
	if e5, e20 := bandEnergy(in, 100, 3, 10), bandEnergy(out, 100, 3, 10); !(e5 > 100*e20) {
		t.Errorf("band energy 5 Hz %.3g, 20 Hz %.3g", e5, e20)
	}
	if bandEnergy(in[:7], 100, 3, 10) != 0 {
		t.Error("fewer than 8 values should give 0")
	}
}
