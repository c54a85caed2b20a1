# Reference measurements for vocal/praat's tests, run headless:
#   praat --run reference.praat /path/to/file.wav
# Prints one line per value: P (pitch frame), I (intensity frame),
# H (harmonicity frame), T (pulse), W (jitter/shimmer/HNR per 1 s window, hop 0.5 s),
# V (pitch "Get value at time" every 10 ms from 0), D (duration),
# C (frames of "To Pitch (cc)" with Praat's default settings).
# Parameters are the seed's: Pitch (ac) 0.01 s, 75–500 Hz; Intensity 75 Hz;
# PointProcess (periodic, cc) 75–500 Hz; Harmonicity (cc) 0.01 s, 75 Hz, 0.1,
# 1 period; jitter and shimmer with periods 1/500–1/75 s, period factor 1.3,
# amplitude factor 1.6.
form Reference
	sentence path
endform
snd = Read from file: path$
dur = Get total duration
pitch = To Pitch: 0, 75, 500
n = Get number of frames
for i to n
	t = Get time from frame number: i
	f = Get value in frame: i, "Hertz"
	appendInfoLine: "P ", fixed$(t, 9), " ", fixed$(f, 9)
endfor
i = 0
while i * 0.01 < dur
	f = Get value at time: i * 0.01, "Hertz", "linear"
	appendInfoLine: "V ", fixed$(i * 0.01, 9), " ", fixed$(f, 9)
	i = i + 1
endwhile
appendInfoLine: "D ", fixed$(dur, 9)
selectObject: snd
pitchcc = To Pitch (cc): 0, 75, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, 600
n = Get number of frames
for i to n
	t = Get time from frame number: i
	f = Get value in frame: i, "Hertz"
	appendInfoLine: "C ", fixed$(t, 9), " ", fixed$(f, 9)
endfor
selectObject: snd
inten = To Intensity: 75, 0, "yes"
n = Get number of frames
for i to n
	t = Get time from frame number: i
	v = Get value in frame: i
	appendInfoLine: "I ", fixed$(t, 9), " ", fixed$(v, 9)
endfor
selectObject: snd
harm = To Harmonicity (cc): 0.01, 75, 0.1, 1.0
n = Get number of frames
for i to n
	t = Get time from frame number: i
	v = Get value in frame: i
	appendInfoLine: "H ", fixed$(t, 9), " ", fixed$(v, 9)
endfor
selectObject: snd
pp = To PointProcess (periodic, cc): 75, 500
n = Get number of points
for i to n
	t = Get time from index: i
	appendInfoLine: "T ", fixed$(t, 9)
endfor
t0 = 0
while t0 < dur - 1e-9
	t1 = t0 + 1.0
	if t1 > dur
		t1 = dur
	endif
	selectObject: pp
	j = Get jitter (local): t0, t1, 1/500, 1/75, 1.3
	selectObject: snd, pp
	s = Get shimmer (local): t0, t1, 1/500, 1/75, 1.3, 1.6
	selectObject: harm
	h = Get mean: t0, t1
	appendInfoLine: "W ", fixed$(t0, 6), " ", fixed$(t1, 6), " ", fixed$(j, 9), " ", fixed$(s, 9), " ", fixed$(h, 9)
	t0 = t0 + 0.5
endwhile
