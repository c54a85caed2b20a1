#!/usr/bin/env python3
"""Independent reference for vocal.Analyze's seed-compatible payload.

Reads Praat's own measurements (the output of
vocal/praat/testdata/reference.praat) on stdin and computes the original
service's voice payload (the vocal package doc describes it) with numpy and
pandas, the libraries the seed used, so that their semantics (percentiles,
rolling medians, merge_asof, Python rounding) are the real ones. The deviations
listed in the vocal package doc (NaN-safe tremor maximum and medians, speed
description, summary for slow speech) are applied here too; pause_low is not
computed (it uses vocal's own pause detection).

Needs Debian python3-pandas (and its python3-numpy).
"""
import json
import math
import sys

import numpy as np
import pandas as pd


def num(s):
    return float("nan") if s.startswith("--undefined") else float(s)


P, I, W, V = [], [], [], []
D = None
for line in sys.stdin:
    f = line.split()
    if not f:
        continue
    if f[0] == "P":
        P.append((num(f[1]), num(f[2])))
    elif f[0] == "I":
        I.append((num(f[1]), num(f[2])))
    elif f[0] == "W":
        W.append(tuple(num(x) for x in f[1:6]))
    elif f[0] == "V":
        V.append((num(f[1]), num(f[2])))
    elif f[0] == "D":
        D = num(f[1])

dt = 0.01
pitch_f = np.array([p[1] for p in P])
it = np.array([x[0] for x in I])
iv = np.array([x[1] for x in I])
iv = np.where(np.isnan(iv), np.nanmedian(iv), iv)


def windows(d, win, hop):
    out, t = [], 0.0
    while t < d - 1e-9:
        out.append((t, min(d, t + win)))
        t += hop
    return out


def bandE(x, fs, lo, hi):
    x = np.asarray(x, float)
    if len(x) < 8:
        return 0.0
    x = x - np.nanmean(x)
    x = np.nan_to_num(x, nan=0.0)
    n = 1 << int(math.ceil(math.log2(len(x))))
    X = np.fft.rfft(x, n=n)
    fr = np.fft.rfftfreq(n, d=1.0 / fs)
    m = (fr >= lo) & (fr <= hi)
    if not m.any():
        return 0.0
    return float(np.mean(np.abs(X[m]) ** 2))


def frame_value(k):  # 1-based frame number, "Get value in frame"
    if k < 1 or k > len(pitch_f):
        return float("nan")
    return pitch_f[k - 1]


# --- tremor timeline (1-s windows, hop 0.5 s)
trows = []
for (t0, t1), w in zip(windows(D, 1.0, 0.5), W):
    assert abs(w[0] - t0) < 1e-6 and abs(w[1] - t1) < 1e-6, (w, t0, t1)
    n = max(int(math.floor((t1 - t0) / dt)), 3)
    first = int(math.floor(t0 / dt))
    f0 = np.array([frame_value(first + i + 1) for i in range(n)])
    ok = np.isfinite(f0) & (f0 > 0)
    if ok.any():
        idx = np.arange(n)
        f0 = np.interp(idx, idx[ok], f0[ok])
        fm = bandE(f0, 1 / dt, 3, 10)
    else:
        fm = 0.0
    m = (it >= t0) & (it <= t1)
    x = np.nan_to_num(iv[m], nan=0.0)
    tt = it[m]
    if len(x) >= 3 and len(iv) > 3:
        step = float(np.mean(np.diff(tt)))
        grid = tt[0] + step * np.arange(len(tt))
        am = bandE(np.interp(grid, tt, x), 1 / step, 3, 10)
    else:
        am = 0.0
    trows.append(dict(start=t0, end=t1, center=(t0 + t1) / 2,
                      jitter=round(100 * w[2], 3), shimmer=round(100 * w[3], 3), hnr=round(w[4], 3),
                      fmraw=fm, amraw=am, fm=round(fm, 5), am=round(am, 5)))


def ref(key):
    v = np.array([r[key] for r in trows])
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return 1.0
    p = float(np.percentile(v, 90))
    return p if p else 1.0


fm_ref, am_ref = ref("fmraw"), ref("amraw")
for r in trows:
    sj = np.clip(r["jitter"] / 2.0, 0, 1)
    ss = np.clip(r["shimmer"] / 6.0, 0, 1)
    sh = np.clip((18.0 - r["hnr"]) / 18.0, 0, 1)
    fmn = np.clip(r["fm"] / fm_ref, 0, 1)
    amn = np.clip(r["am"] / am_ref, 0, 1)
    r["score"] = round(float(0.18 * sj + 0.17 * ss + 0.10 * sh + 0.35 * fmn + 0.20 * amn), 3)

# --- tremor metric (NaN-safe as documented)
scores = [r["score"] for r in trows if math.isfinite(r["score"])]
if not scores:
    tremor = dict(id="tremor", score=0, level="정보부족", description="정보 부족")
else:
    zmax = max(scores)
    j = float(np.nanmedian([r["jitter"] for r in trows]))
    s = float(np.nanmedian([r["shimmer"] for r in trows]))
    h = float(np.nanmedian([r["hnr"] for r in trows]))
    base, level = (90, "양호") if zmax < 0.8 else (82, "양호") if zmax < 1.2 else (70, "약간") if zmax < 1.6 else (55, "주의")
    base -= 3 * (j > 2.5) + 3 * (s > 9.0) + 3 * (h < 12.0)
    z = lambda v: v if math.isfinite(v) else 0
    tremor = dict(id="tremor", score=int(round(min(100, max(40, base)))), level=level,
                  description=f"최대 z={zmax:.2f}, jitter≈{z(j):.2f}%, shimmer≈{z(s):.2f}%, HNR≈{z(h):.1f} dB")

# --- speed and pause timeline (0.5-s windows, hop 0.2 s)
ser = pd.Series(iv)
med = ser.rolling(9, center=True, min_periods=3).median().bfill().ffill()
speaking = (ser >= med - 6.0).to_numpy()
slope = np.zeros(len(iv))
for i in range(1, len(iv)):
    slope[i] = (iv[i] - iv[i - 1]) / max(it[i] - it[i - 1], 1e-6)
peaks = []
for i in range(1, len(iv) - 1):
    if slope[i - 1] < slope[i] > slope[i + 1]:
        if not peaks or it[i] - peaks[-1] >= 0.12:
            peaks.append(it[i])
peaks = np.array(peaks)
srows = []
for t0, t1 in windows(D, 0.5, 0.2):
    m = (it >= t0) & (it <= t1)
    pr = round(float(np.mean(~speaking[m])) if m.any() else 0.0, 2)
    sps = round(float(np.sum((peaks >= t0) & (peaks <= t1))) / (t1 - t0), 2)
    srows.append(dict(start=t0, end=t1, center=(t0 + t1) / 2, pause_ratio=pr,
                      speaking_rate_sps=sps, articulation_rate_sps=sps, voiced_ratio=1.0 - pr))

# --- speed and pause
sps = float(np.median([r["speaking_rate_sps"] for r in srows]))
wpm = int(min(400, max(0, round(sps * 60 / 2.25))))
if 140 <= wpm <= 170:
    sc, lv = 88, "적정"
elif 120 <= wpm <= 139 or 171 <= wpm <= 185:
    sc, lv = 82, "적정~약간 빠름"
elif 100 <= wpm <= 119 or 186 <= wpm <= 200:
    sc, lv = 74, "빠름/느림"
else:
    sc, lv = 60, "과속/과늦"
desc = "말하기 속도가 빠른 편이나 명료성은 유지." if wpm > 170 else "말하기 속도가 다소 느린 편." if wpm < 140 else "말하기 속도가 적절함."
speed = dict(id="speed", score=sc, level=lv, value=wpm, description=desc, sps=round(sps, 2))
p = float(np.median([r["pause_ratio"] for r in srows]))
sc, lv = (85, "양호") if p <= 0.18 else (78, "약간") if p <= 0.25 else (70, "주의") if p <= 0.35 else (62, "과다")
pause = dict(id="pause", score=sc, level=lv, value=p, description="불필요한 침묵 과다는 없음." if lv == "양호" else "휴지 개선 필요.")

# --- tone (intonation, energy, rhythm)
vt = np.array([v[0] for v in V])
vf = np.array([v[1] for v in V])
ok = np.isfinite(vf) & (vf > 0)
if ok.sum() < 10:
    into = dict(f0_range_st=0, ending_slope_hz_per_s=0, pitch_var_st=0)
else:
    f0, t = vf[ok], vt[ok]
    p10, p90, md = np.percentile(f0, 10), np.percentile(f0, 90), np.median(f0)
    last = t >= D - 0.8
    sl = float(np.polyfit(t[last], f0[last], 1)[0]) if last.sum() >= 5 else 0.0
    into = dict(f0_range_st=round(float(12 * np.log2(p90 / p10)), 2), ending_slope_hz_per_s=round(sl, 2),
                pitch_var_st=round(float(np.std(12 * np.log2(f0 / md))), 2))
if len(iv) < 3:
    energy = dict(stress_rate=None, energy_var_db=None, balance=None)
else:
    sd = float(np.std(iv))
    h2 = len(iv) // 2
    energy = dict(stress_rate=round(float(np.mean(iv >= np.percentile(iv, 90))), 3), energy_var_db=round(sd, 2),
                  balance=round(abs(float(np.mean(iv[:h2])) - float(np.mean(iv[h2:]))) / max(sd, 1e-6), 3))
if len(peaks) < 4:
    rhythm = dict(syll_cv=None, npvi=None, regularity=None)
else:
    d = np.diff(peaks)
    cv = float(np.std(d) / np.mean(d))
    npvi = float(np.mean([200 * abs(d[k] - d[k + 1]) / (d[k] + d[k + 1] + 1e-9) for k in range(len(d) - 1)]))
    rhythm = dict(syll_cv=round(cv, 3), npvi=round(npvi, 1), regularity=round(float(np.clip(1 - cv, 0, 1)), 3))


def band(x, lo, hi):
    if x is None or not math.isfinite(x):
        return None
    if lo <= x <= hi:
        return 1.0
    dist = lo - x if x < lo else x - hi
    return float(np.clip(1 - dist / (hi - lo), 0, 1))


parts = [band(into["f0_range_st"], 4.0, 8.5), band(into["ending_slope_hz_per_s"], 1.2, 3.5), band(into["pitch_var_st"], 1.2, 4.0)]
if abs(into["ending_slope_hz_per_s"]) <= 0.2 and parts[1] is not None:
    parts[1] *= 0.9
present = [x for x in parts if x is not None]
w = [0.65, 0.20, 0.15][: len(present)]
I_ = sum(a * b for a, b in zip(present, w)) / sum(w)
if into["f0_range_st"] < 3.2 and into["pitch_var_st"] < 1.2:
    I_ = min(I_, 0.50)
I_ = float(np.clip(I_, 0, 1))
ev = [band(energy["stress_rate"], 0.08, 0.20), band(energy["energy_var_db"], 2.5, 6.0), band(energy["balance"], 0.0, 0.15)]
ev = [x for x in ev if x is not None]
E = sum(ev) / len(ev) if ev else None
rv = [band(rhythm["npvi"], 30, 65), band(rhythm["syll_cv"], 0.12, 0.28), band(rhythm["regularity"], 0.65, 0.90)]
rv = [x for x in rv if x is not None]
R = sum(rv) / len(rv) if rv else None
tone01 = 0.40 * I_ + (0.30 * E if E is not None else 0) + (0.30 * R if R is not None else 0)
coverage = 0.4 + (0.3 if E is not None else 0) + (0.3 if R is not None else 0)
tone_score = int(round(100 * tone01))
eff = tone01 / coverage
label = "자신감 있고 안정적" if eff >= 0.80 else "대체로 자연스러움" if eff >= 0.65 else "다소 단조/불균형" if eff >= 0.50 else "단조/불안정"
tone = dict(id="tone", score=max(0, min(100, tone_score)), level="양호" if tone_score >= 80 else "보통", value=label,
            description="억양 변화와 에너지 밸런스가 안정적." if tone_score >= 80 else "억양 개선 여지 있음.",
            coverage=round(coverage, 2), drivers={**into, **energy, **rhythm})

total = int(min(100, max(0, round(0.25 * tremor["score"] + 0.25 * pause["score"] + 0.25 * tone["score"] + 0.25 * speed["score"]))))
pieces = []
if tremor["level"] in ("양호", "약간"):
    pieces.append("전반적으로 안정적")
if speed["level"].startswith("적정"):
    pieces.append("속도 적정")
elif "빠름" in speed["level"]:
    pieces.append("속도는 다소 빠름" if wpm > 170 else "속도는 다소 느림")
if pause["level"] == "양호":
    pieces.append("불필요한 긴 침묵은 없음")
pieces.append(f"억양은 {label}")
summary = ". ".join(pieces) + "."

# --- grouped problem segments
mask = np.isfinite(vf) & (vf > 0)
mask = np.convolve(mask.astype(int), np.ones(31, int), mode="same") > 0
tr = pd.DataFrame(trows).sort_values("center")
sp = pd.DataFrame(srows).sort_values("center")
mg = pd.merge_asof(tr, sp, on="center", direction="nearest", tolerance=0.25, suffixes=("", "_sp")).reset_index(drop=True)
base = mg["score"].rolling(8, center=True, min_periods=3).median().bfill().ffill()
base = base.where(base != 0, base.median())
z = (mg["score"] / base).to_numpy()
valid = np.array([mask[min(max(int(math.floor(c / dt)), 0), len(mask) - 1)] for c in mg["center"]])
runs, start, streak = [], None, 0
for i in range(len(mg)):
    ok = valid[i] and math.isfinite(z[i])
    if start is not None:
        if not ok or z[i] < 0.6:
            if mg["end"][i - 1] - mg["start"][start] >= 0.6:
                runs.append([start, i - 1])
            start, streak = None, 0
        continue
    if ok and z[i] >= 1.10:
        streak += 1
        if streak >= 3:
            start = i - 2
    else:
        streak = 0
if start is not None and mg["end"][len(mg) - 1] - mg["start"][start] >= 0.6:
    runs.append([start, len(mg) - 1])
merged = []
for r in runs:
    if merged and mg["start"][r[0]] - mg["end"][merged[-1][1]] <= 0.3:
        merged[-1][1] = r[1]
    else:
        merged.append(r)
events = []
for a, b in merged:
    seg = mg.iloc[a:b + 1]
    events.append(dict(start=round(seg["start"].iloc[0], 2), end=round(seg["end"].iloc[-1], 2),
                       tremor_med=round(float(np.nanmedian(seg["score"])), 3), tremor_max=round(float(np.nanmax(seg["score"])), 3),
                       z_max=round(float(np.nanmax(z[a:b + 1])), 2)))

art = mg["articulation_rate_sps"].rolling(3, center=True, min_periods=3).median().bfill().ffill().to_numpy()
psm = mg["pause_ratio"].rolling(3, center=True, min_periods=3).median().bfill().ffill().to_numpy()
vr = mg["voiced_ratio"].to_numpy()


def hysteresis(enter, exit_):
    out, s = [], None
    for i in range(len(mg)):
        if s is not None and (math.isnan(art[i]) or exit_(i)):
            out.append([s, i - 1])
            s = None
        if s is None and not math.isnan(art[i]) and enter(i):
            s = i
    if s is not None:
        out.append([s, len(mg) - 1])
    return out


def spans(runs, min_dur, max_gap):
    kept = [r for r in runs if mg["end"][r[1]] - mg["start"][r[0]] >= min_dur]
    if max_gap >= 0:
        m = []
        for r in kept:
            if m and mg["start"][r[0]] - mg["end"][m[-1][1]] <= max_gap:
                m[-1][1] = r[1]
            else:
                m.append(r)
        kept = m
    out = []
    for a, b in kept:
        seg = mg.iloc[a:b + 1]
        q = lambda v: None if not math.isfinite(v) else round(v, 2)
        out.append(dict(start=round(seg["start"].iloc[0], 2), end=round(seg["end"].iloc[-1], 2),
                        artic_med=q(float(np.nanmedian(seg["articulation_rate_sps"]))) if seg["articulation_rate_sps"].notna().any() else None,
                        pause_med=q(float(np.nanmedian(seg["pause_ratio"]))) if seg["pause_ratio"].notna().any() else None))
    return out


fast = spans(hysteresis(lambda i: art[i] > 6.1 and psm[i] < 0.26 and vr[i] >= 0.65, lambda i: art[i] < 5.6), 1.0, 0.5)
slow = spans(hysteresis(lambda i: art[i] < 2.6 and psm[i] > 0.25 and vr[i] >= 0.65, lambda i: art[i] > 3.2), 1.0, 0.5)
high_runs, s = [], None
prr = mg["pause_ratio"].to_numpy()
for i in range(len(mg)):
    if prr[i] > 0.35:
        s = i if s is None else s
    elif s is not None:
        high_runs.append([s, i - 1])
        s = None
if s is not None:
    high_runs.append([s, len(mg) - 1])
high = spans(high_runs, 0, -1)

json.dump(dict(total_score=total, summary=summary, metrics=[tremor, pause, tone, speed],
               grouped=dict(tremor_events=events, speed_fast=fast, speed_slow=slow, pause_high=high)),
          sys.stdout, ensure_ascii=False, default=float)
