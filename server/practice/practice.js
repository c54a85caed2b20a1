// The practice page: sign in, write a cover letter, answer each question on camera while
// the answer streams to the server (tus 1.0, resumable), see the sparse live cues, then
// the feedback with the replay and the history. No build step and no dependencies.
"use strict";

const TEXT = {
  ko: {
    signin: "로그인", signinButton: "시작하기", other: "English",
    signinHelp: "Supabase 액세스 토큰을 붙여 넣으세요. 개발 모드에서는 자동으로 로그인됩니다.",
    setup: "면접 준비", company: "회사", role: "직무", letter: "자기소개서 또는 채용 공고",
    letterHelp: "비워 두면 기본 질문 은행에서 질문을 고릅니다.",
    questionsButton: "질문 받기", start: "답변 시작", stop: "답변 끝내기", next: "다음 질문", done: "연습을 마쳤습니다",
    feedback: "피드백", metric: "항목", history: "성장 기록",
    first: "처음", last: "최근", change: "변화", uploading: "업로드 중…", analysing: "분석 중…",
    recording: "녹화 중 — 답변을 마치면 버튼을 누르세요", camera: "카메라와 마이크를 허용해 주세요.",
    resumed: "연결이 끊겨 이어서 보냅니다…", noReport: "이 답변의 피드백을 만들지 못했습니다",
    calibrate: "시작할 때 2초 동안 렌즈를 바라보기 (시선 보정)", lens: "렌즈를 바라봐 주세요",
  },
  en: {
    signin: "Sign in", signinButton: "Start", other: "한국어",
    signinHelp: "Paste a Supabase access token. In development mode you are signed in automatically.",
    setup: "Prepare", company: "Company", role: "Role", letter: "Cover letter or job posting",
    letterHelp: "Leave it empty to take questions from the question bank.",
    questionsButton: "Get questions", start: "Start answer", stop: "End answer", next: "Next question", done: "Practice finished",
    feedback: "Feedback", metric: "Metric", history: "Progress",
    first: "First", last: "Latest", change: "Change", uploading: "Uploading…", analysing: "Analysing…",
    recording: "Recording — press the button when you finish", camera: "Please allow the camera and microphone.",
    resumed: "Connection lost; resuming…", noReport: "No feedback could be made for this answer",
    calibrate: "Look into the lens for the first 2 s (gaze calibration)", lens: "Look into the lens",
  },
};

let lang = localStorage.getItem("nevermind.lang") || "ko";
const t = (k) => TEXT[lang][k];
const $ = (id) => document.getElementById(id);
const state = { token: "", contentId: 0, sessionId: 0, questions: [], index: 0, stream: null, feedback: null, trends: null };

function applyLanguage() {
  document.documentElement.lang = lang;
  $("lang").textContent = t("other");
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  if (state.trends) renderTrends(state.trends);
  if (state.feedback) renderFeedback(state.feedback).catch((e) => { $("feedbackError").textContent = e.message; });
}

function show(id) {
  for (const s of ["signin", "setup", "room", "feedback", "history"]) $(s).hidden = s !== id && !(id === "feedback" && s === "history");
}

class ApiError extends Error {}

// api calls a JSON route; an error's message is the server's detail.
async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + state.token };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) throw new ApiError(await detailOf(r));
  return r.json();
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// LiveUpload sends a recording while it is being made: each MediaRecorder chunk is
// appended in order with a tus PATCH; a failed PATCH asks the server how much it has
// (HEAD) and resends from there.
class LiveUpload {
  // calibration, when given, is "START-END": the seconds in which the candidate was asked
  // to look into the lens, which the server calibrates eye contact on.
  constructor(sessionId, questionIndex, calibration) {
    this.meta = "session_id " + btoa(String(sessionId)) + ",question_index " + btoa(String(questionIndex));
    if (calibration) this.meta += ",calibration " + btoa(calibration);
    this.offset = 0;
    this.queue = [];
    this.ended = false;
    this.drained = Promise.resolve();
    this.onFirstChunk = null;
  }
  headers(extra) {
    return Object.assign({ Authorization: "Bearer " + state.token, "Tus-Resumable": "1.0.0" }, extra);
  }
  async create() {
    const r = await fetch("/api/live/uploads/", { method: "POST", headers: this.headers({ "Upload-Defer-Length": "1", "Upload-Metadata": this.meta }) });
    if (r.status !== 201) throw new ApiError(await detailOf(r));
    this.url = new URL(r.headers.get("Location"), location.href).href;
  }
  push(blob) {
    this.queue.push(blob);
    this.drained = this.drained.then(() => this.sendNext());
  }
  // finish sends what is left and the length, and returns the attempt the answer became.
  async finish() {
    this.ended = true;
    this.push(new Blob([]));
    await this.drained;
    return this.attempt;
  }
  async sendNext() {
    let blob = this.queue.shift();
    const last = this.ended && this.queue.length === 0;
    let start = this.offset;
    for (let tries = 0; ; tries++) {
      try {
        const h = { "Upload-Offset": String(this.offset), "Content-Type": "application/offset+octet-stream" };
        if (last) h["Upload-Length"] = String(this.offset + blob.size);
        const r = await fetch(this.url, { method: "PATCH", headers: this.headers(h), body: blob });
        if (r.status === 204) {
          this.offset = Number(r.headers.get("Upload-Offset"));
          if (last) this.attempt = Number(r.headers.get("Nevermind-Attempt-Id"));
          if (this.onFirstChunk) { this.onFirstChunk(); this.onFirstChunk = null; }
          return;
        }
        // 409: the offset moved on; 423: another request took the upload over. Either
        // way ask for the offset and resend from there, as tus-js-client does.
        if (r.status !== 409 && r.status !== 423 && r.status < 500) throw new ApiError(await detailOf(r));
      } catch (e) {
        if (e instanceof ApiError || tries >= 8) throw e;
      }
      $("roomStatus").textContent = t("resumed");
      await sleep(Math.min(4000, 250 * 2 ** tries));
      const head = await fetch(this.url, { method: "HEAD", headers: this.headers({}) }).catch(() => null);
      if (head && head.ok) {
        this.offset = Number(head.headers.get("Upload-Offset"));
        blob = blob.slice(Math.max(0, this.offset - start));
        start = this.offset;
      }
    }
  }
}

// detailOf is the human message of an error reply: the seed's {"detail": …} envelope
// holds a string or {message, detail}.
async function detailOf(r) {
  const data = await r.json().catch(() => ({}));
  const d = data.detail;
  return typeof d === "string" ? d : (d && (d.detail || d.message)) || r.statusText;
}

// listen reads the upload's Server-Sent Events (fetch, so the token goes in a header).
async function listen(url, onEvent) {
  const r = await fetch(url + "/events", { headers: { Authorization: "Bearer " + state.token } });
  if (!r.ok || !r.body) return;
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) onEvent(event, JSON.parse(data));
    }
  }
}

let cueTimer = 0;
// showCue shows a hint over the preview for ms, and lists it unless it is only a prompt.
function showCue(cue, ms = 4000, listed = true) {
  const el = $("cue");
  el.textContent = cue[lang] || cue.ko;
  el.dataset.kind = cue.kind;
  el.hidden = false;
  clearTimeout(cueTimer);
  cueTimer = setTimeout(() => { el.hidden = true; }, ms);
  if (!listed) return;
  const li = document.createElement("li");
  li.dataset.kind = cue.kind;
  li.textContent = `${cue[lang] || cue.ko} (${cue.t.toFixed(0)}s)`;
  $("cues").append(li);
}

async function signIn(token) {
  state.token = token.trim();
  await api("GET", "/api/auth/me");
  sessionStorage.setItem("nevermind.token", state.token);
  show("setup");
}

async function prepare() {
  const company = $("company").value.trim() || "연습";
  const role = $("role").value.trim() || "지원 직무";
  const letter = $("letter").value.trim();
  const content = await api("POST", "/api/interviews/contents", { company, role });
  state.contentId = content.content.id;
  if (letter) {
    await api("POST", "/api/interviews/resume", { content_id: state.contentId, items: [{ question: "자기소개서", answer: letter }] });
    // Without a question generator the server answers 503 and the session uses its bank.
    await api("POST", "/api/interviews/question", { content_id: state.contentId, qas: [{ q: "자기소개서", a: letter }] }).catch(() => {});
  }
  const start = await api("POST", `/api/sessions/${state.contentId}/start`, { practice_type: "job" });
  state.sessionId = start.session_id;
  state.questions = start.questions;
  state.index = 0;
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
  } catch (e) {
    throw new ApiError(t("camera"));
  }
  $("preview").srcObject = state.stream;
  await api("PATCH", `/api/sessions/${state.sessionId}/status`, { status: "running" });
  showQuestion();
  show("room");
}

function showQuestion() {
  const list = $("questions");
  list.textContent = "";
  state.questions.forEach((q, i) => {
    const li = document.createElement("li");
    li.textContent = q.text;
    li.className = i < state.index ? "done" : i === state.index ? "now" : "";
    list.append(li);
  });
  $("current").textContent = state.questions[state.index].text;
  $("record").textContent = t("start");
  $("record").disabled = false;
  $("roomStatus").textContent = "";
  $("cues").textContent = "";
}

let recorder = null;
async function toggleRecording() {
  const button = $("record");
  if (recorder) {
    button.disabled = true;
    recorder.stop();
    return;
  }
  $("roomError").textContent = "";
  const q = state.questions[state.index];
  const calibrate = $("calibrate").checked;
  // The first half second is the candidate settling after the click.
  const upload = new LiveUpload(state.sessionId, q.order_no, calibrate ? "0.5-2.5" : "");
  await upload.create();
  upload.onFirstChunk = () => listen(upload.url, (event, data) => { if (event === "cue") showCue(data); }).catch(() => {});
  const mimeType = ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm"].find((m) => MediaRecorder.isTypeSupported(m));
  recorder = new MediaRecorder(state.stream, { mimeType });
  recorder.ondataavailable = (e) => { if (e.data.size > 0) upload.push(e.data); };
  recorder.onstop = async () => {
    recorder = null;
    $("roomStatus").textContent = t("uploading");
    try {
      const attempt = await upload.finish();
      $("roomStatus").textContent = t("analysing");
      await showFeedback(attempt);
    } catch (e) {
      $("roomError").textContent = e.message;
      button.disabled = false;
      button.textContent = t("start");
    }
  };
  recorder.start(1000); // a chunk a second: the server analyses while the candidate speaks
  if (calibrate) showCue({ kind: "calibration", t: 0, ko: TEXT.ko.lens, en: TEXT.en.lens }, 2500, false);
  button.textContent = t("stop");
  $("roomStatus").textContent = t("recording");
}

async function showFeedback(attempt) {
  let fb;
  for (let i = 0; i < 600; i++) {
    fb = await api("GET", `/api/feedback/${state.sessionId}/attempts/${attempt}/combined`);
    if (fb.analysis && (fb.analysis.status === "done" || fb.analysis.status === "failed")) break;
    await sleep(200);
  }
  const video = await api("GET", `/api/feedback/sessions/${state.sessionId}/attempts/${attempt}/video`);
  showWhole($("replay"), video.video_url);
  state.feedback = { attempt, fb, reports: {} };
  const trends = await api("GET", `/api/history/trends?content_id=${state.contentId}`);
  renderTrends(trends);
  show("feedback"); // first, so the report frame has a width to lay out in
  await renderFeedback(state.feedback);
}

// showWhole plays url in video with its length known. A MediaRecorder WebM has no Duration
// element, so Chromium reports Infinity (no total time, a seek bar that cannot be used)
// until it has seen the end: a seek past the end makes it look, then back to the start.
function showWhole(video, url) {
  const learn = () => {
    if (!Number.isFinite(video.duration)) return;
    video.removeEventListener("durationchange", learn);
    video.currentTime = 0;
  };
  video.onloadedmetadata = () => {
    if (Number.isFinite(video.duration)) return;
    video.addEventListener("durationchange", learn);
    video.currentTime = 1e101;
  };
  video.src = url;
}

// renderFeedback shows the timeline of problem moments under the replay (each seeks it)
// and the report in the page's language, fetched once per language.
async function renderFeedback(f) {
  const doc = f.fb.feedback || {};
  const line = $("timeline");
  line.textContent = "";
  const duration = doc.duration_s || 1;
  // Overlapping moments go on lanes of their own, so a long one never hides a short one.
  const laneEnds = [];
  for (const m of [...(doc.timeline || [])].sort((a, b) => a.start - b.start)) {
    let lane = laneEnds.findIndex((end) => end <= m.start);
    if (lane < 0) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = m.end;
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.start = m.start;
    b.dataset.modality = m.reasons.length ? m.reasons[0].modality : "";
    b.style.top = `${2 + 14 * lane}px`;
    b.style.left = `${(100 * m.start) / duration}%`;
    b.style.width = `${(100 * Math.max(0.2, m.end - m.start)) / duration}%`;
    b.title = m.reasons.map((r) => r.text[lang]).join(" · ");
    b.onclick = () => { const v = $("replay"); v.currentTime = m.start; v.play().catch(() => {}); };
    line.append(b);
  }
  line.style.height = `${4 + 14 * Math.max(1, laneEnds.length)}px`;
  const frame = $("report");
  frame.title = t("feedback");
  $("feedbackError").textContent = "";
  if (!f.reports[lang]) {
    const r = await fetch(`/api/feedback/${state.sessionId}/attempts/${f.attempt}/report?lang=${lang}`,
      { headers: { Authorization: "Bearer " + state.token } });
    if (r.ok) f.reports[lang] = await r.text(); // a failure is asked again on the next switch
  }
  if (!f.reports[lang]) {
    $("feedbackError").textContent = f.fb.analysis && f.fb.analysis.error ? `${t("noReport")}: ${f.fb.analysis.error}` : t("noReport");
    frame.hidden = true;
    return;
  }
  frame.hidden = false;
  await new Promise((loaded) => { frame.onload = loaded; frame.srcdoc = f.reports[lang]; });
  // The report is as tall as its content; the page scrolls, not the frame.
  frame.style.height = frame.contentDocument.documentElement.scrollHeight + "px";
}

// The history route names its metrics in Korean; these are the English names.
const METRIC_EN = {
  tremor: "Tremor", pause: "Pauses", tone: "Pitch variation", speed: "Speaking rate", gaze: "Eye contact",
  blink: "Blinks", shoulder: "Shoulders", head_tilt: "Head", hand: "Hands",
};

function renderTrends(trends) {
  state.trends = trends;
  const body = $("trends").tBodies[0];
  body.textContent = "";
  for (const m of trends.metrics) {
    const tr = body.insertRow();
    tr.insertCell().textContent = lang === "en" ? METRIC_EN[m.metric] || m.metric : m.label;
    tr.insertCell().textContent = Math.round(m.first);
    tr.insertCell().textContent = Math.round(m.last);
    const change = Math.round(m.change);
    tr.insertCell().textContent = (change > 0 ? "+" : "") + change;
  }
}

async function nextQuestion() {
  state.feedback = null;
  state.index++;
  if (state.index >= state.questions.length) {
    await api("PATCH", `/api/sessions/${state.sessionId}/status`, { status: "done" });
    $("next").disabled = true;
    $("next").textContent = t("done");
    return;
  }
  showQuestion();
  show("room");
}

function guard(fn, errorId) {
  return async () => {
    $(errorId).textContent = "";
    try { await fn(); } catch (e) { $(errorId).textContent = e.message; }
  };
}

$("lang").onclick = () => { lang = lang === "ko" ? "en" : "ko"; localStorage.setItem("nevermind.lang", lang); applyLanguage(); };
$("signinButton").onclick = guard(() => signIn($("token").value), "signinError");
$("questionsButton").onclick = guard(prepare, "setupError");
$("record").onclick = guard(toggleRecording, "roomError");
$("next").onclick = guard(nextQuestion, "roomError");

(async () => {
  applyLanguage();
  // In development mode the server hands its token to a browser on the same machine.
  const dev = await fetch("dev-token").then((r) => (r.ok ? r.json() : null)).catch(() => null);
  const saved = sessionStorage.getItem("nevermind.token");
  for (const token of [dev && dev.token, saved]) {
    if (!token) continue;
    try { await signIn(token); return; } catch (e) { /* try the next one */ }
  }
  show("signin");
})();
