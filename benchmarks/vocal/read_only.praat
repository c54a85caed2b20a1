# Baseline for run.sh: Praat start-up plus reading the file, subtracted from
# the CPU time of seed_measures.praat.
form Read only
	sentence path
endform
snd = Read from file: path$
