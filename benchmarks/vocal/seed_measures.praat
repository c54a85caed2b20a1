# The seed's voice measurements (Pitch, Intensity, PointProcess, Harmonicity
# and the 1-s tremor windows' jitter, shimmer and HNR) in Praat, timed
# from inside Praat so that start-up and reading the file do not count:
#   praat --run seed_measures.praat speech.wav
# Prints the elapsed seconds. The pitch is computed once (the seed recomputed
# it for every tremor window, which would only make Praat slower).
form Seed measures
	sentence path
endform
snd = Read from file: path$
dur = Get total duration
stopwatch
selectObject: snd
pitch = To Pitch: 0, 75, 500
selectObject: snd
inten = To Intensity: 75, 0, "yes"
selectObject: snd
pp = To PointProcess (periodic, cc): 75, 500
selectObject: snd
harm = To Harmonicity (cc): 0.01, 75, 0.1, 1.0
nframes = 0
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
	# F0 frames for the FM energy, intensity frames for the AM energy
	selectObject: pitch
	first = floor (t0 / 0.01)
	n = max (floor ((t1 - t0) / 0.01), 3)
	for i to n
		f = Get value in frame: first + i, "Hertz"
	endfor
	selectObject: inten
	a = Get frame number from time: t0
	b = Get frame number from time: t1
	for i from max (1, ceiling (a)) to floor (b)
		v = Get value in frame: i
	endfor
	t0 = t0 + 0.5
endwhile
elapsed = stopwatch
writeInfoLine: fixed$ (elapsed, 4)
