package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	"golang.org/x/exp/slog"

	"github.com/nevermind-ai/nevermind/server/store"
)

// Live uploads send an answer while it is being recorded, over the tus 1.0 resumable
// upload protocol (https://tus.io/protocols/resumable-upload, the protocol Supabase Storage
// speaks too), and the receiving server analyses the bytes as they arrive:
//
//	POST   /api/live/uploads/            create: Upload-Defer-Length: 1 and Upload-Metadata
//	                                     with session_id, question_index and optionally
//	                                     calibration (START-END; base64, as tus says)
//	HEAD   /api/live/uploads/{id}        how many bytes are stored: resume from Upload-Offset
//	PATCH  /api/live/uploads/{id}        append bytes; the last PATCH also sends Upload-Length
//	DELETE /api/live/uploads/{id}        abandon the answer
//	GET    /api/live/uploads/{id}/events Server-Sent Events: live cues, then the attempt
//
// Every request carries the bearer token, and an upload answers only its owner (anyone
// else gets 404). The bytes go to disk as they arrive (Config.LiveDir), so a dropped
// connection resumes from the last stored byte, and so does a restarted server. The final
// PATCH stores the recording exactly as the one-shot upload route does (the same attempt,
// media_asset and object) and answers with the attempt in Nevermind-Attempt-Id. The
// analysis that ran alongside stores its result then; if there was none (no analyser in
// this process, all live slots busy, the server restarted mid-answer) or it failed, the
// attempt is analysed by the job queue instead. Either way one result is stored.
const livePath = "/api/live/uploads/"

// liveSniffBytes is how much of a live upload must arrive before it is checked to be a
// recording, as the one-shot upload checks its first bytes.
const liveSniffBytes = 512

// liveIdle ends a live analysis whose upload stopped growing: the candidate left, or the
// connection broke and was not resumed. A resume after it starts a new analysis.
const liveIdle = 2 * time.Minute

// liveResultWait is the longest the last PATCH waits for the live analysis's result before
// it answers; a variable so that a test can have it answer before the result is stored.
var liveResultWait = 5 * time.Second

// attemptHeader carries the attempt a finished live upload made.
const attemptHeader = "Nevermind-Attempt-Id"

type liveUploads struct {
	s     *Server
	tus   *tusd.UnroutedHandler
	files filestore.FileStore
	locks *liveLocker
	dir   string
	// slots bounds the live analyses this process runs at once (Config.Workers).
	slots chan struct{}

	mu   sync.Mutex
	runs map[string]*liveRun

	// removals are the pending removeAfter calls; closing ends their grace at shutdown.
	removals  sync.WaitGroup
	closing   chan struct{}
	closeOnce sync.Once
}

// liveRun is one live upload's analysis and the events its listeners are sent.
type liveRun struct {
	id          string
	sessionID   int64
	question    string
	calibration *Calibration
	cancel      context.CancelFunc
	// complete is closed when the last byte is stored; attempt is set just before.
	complete chan struct{}
	attempt  int64
	// done is closed when the analysis has ended and its result is stored (or handed
	// to the job queue).
	done chan struct{}
	// failed says the analysis ended before the upload did, on a recording it could
	// not read; complete and failed are decided under mu.
	failed bool

	mu      sync.Mutex
	events  [][]byte      // each a complete SSE event
	changed chan struct{} // closed and replaced whenever events grows
	ended   bool          // the last event is in events
}

func (s *Server) newLiveUploads() (*liveUploads, error) {
	dir := s.cfg.LiveDir
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("server: live upload directory: %w", err)
	}
	l := &liveUploads{s: s, files: filestore.New(dir), locks: newLiveLocker(), dir: dir, slots: make(chan struct{}, s.cfg.Workers), runs: map[string]*liveRun{},
		closing: make(chan struct{})}
	composer := tusd.NewStoreComposer()
	l.files.UseIn(composer)
	composer.UseLengthDeferrer(atomicLength{dir})
	// One process owns a live upload's files (the load balancer keeps a candidate on one
	// replica), so an in-memory lock is enough.
	l.locks.UseIn(composer)
	h, err := tusd.NewUnroutedHandler(tusd.Config{
		BasePath:                  livePath,
		StoreComposer:             composer,
		MaxSize:                   s.cfg.MaxUploadBytes,
		DisableDownload:           true,
		DisableConcatenation:      true,
		Cors:                      &tusd.CorsConfig{Disable: true}, // Server.cors answers for every route
		RespectForwardedHeaders:   false,
		NetworkTimeout:            s.cfg.BodyIdleTimeout,
		PreUploadCreateCallback:   l.create,
		PreFinishResponseCallback: l.finish,
		Logger:                    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, fmt.Errorf("server: tus handler: %w", err)
	}
	l.tus = h
	return l, nil
}

// ServeHTTP authenticates, checks the upload's owner and limits, then lets tusd speak the
// protocol.
func (l *liveUploads) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := l.s
	// A page on another origin reads these to resume and to find the attempt.
	w.Header().Set("Access-Control-Expose-Headers", "Location, Upload-Offset, Upload-Length, Tus-Resumable, "+attemptHeader)
	u, aerr := s.authenticate(r.Context(), r.Header.Get("Authorization"))
	if aerr != nil {
		writeJSON(w, aerr.status, aerr)
		return
	}
	r = r.WithContext(withRoute(context.WithValue(r.Context(), userKey{}, u), "live-upload"))
	r, tw := withLiveRequest(w, r)
	rest := strings.TrimPrefix(r.URL.Path, livePath)
	if rest == "" {
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, errMethodNotAllowed)
			return
		}
		l.tus.PostFile(tw, r)
		return
	}
	id, events := strings.CutSuffix(rest, "/events")
	if strings.Contains(id, "/") || id == "" {
		writeJSON(w, http.StatusNotFound, errUploadNotFound)
		return
	}
	info, err := l.owned(r.Context(), id, u.ID)
	if err != nil {
		ae := s.errorReply(r.Context(), failed("load live upload", err))
		writeJSON(w, ae.status, ae)
		return
	}
	// tusd reads the upload id from the path below its base path.
	tr := r.Clone(r.Context())
	tr.URL.Path = id
	switch {
	case events && r.Method == http.MethodGet:
		l.serveEvents(w, r, id)
	case events:
		writeJSON(w, http.StatusMethodNotAllowed, errMethodNotAllowed)
	case r.Method == http.MethodHead:
		l.tus.HeadFile(tw, tr)
	case r.Method == http.MethodDelete:
		l.stop(id)
		l.tus.DelFile(tw, tr)
	case r.Method == http.MethodPatch:
		// tusd checks a deferred-length upload against MaxSize only when the chunk has
		// no Content-Length.
		offset, _ := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
		if r.ContentLength > 0 && offset+r.ContentLength > s.cfg.MaxUploadBytes {
			writeJSON(w, http.StatusRequestEntityTooLarge, s.fileTooLarge())
			return
		}
		if info.Offset >= liveSniffBytes {
			if err := l.sniff(id); err != nil {
				// Not a recording: the upload ends here, files and all.
				l.stop(id)
				l.removeAfter(id, l.run(id), 0)
				writeJSON(w, http.StatusUnsupportedMediaType, err)
				return
			}
		}
		if !info.SizeIsDeferred && r.Header.Get("Upload-Length") == strconv.FormatInt(info.Size, 10) {
			// A resumed last PATCH restates the length the broken one declared; tusd
			// refuses any Upload-Length once the length is known, but tus forbids only
			// changing it.
			tr.Header.Del("Upload-Length")
		}
		if info.SizeIsDeferred || info.Offset < info.Size {
			// Started before the bytes are written, so that the last PATCH (which may
			// be the first) finds the analysis it hands the attempt to.
			l.start(r.Context(), id, info)
		} else {
			// Every byte is stored: the client resumes a last PATCH that went
			// unanswered.
			aid, err := l.settle(r.Context(), id)
			if err != nil {
				ae := s.uploadErrorReply(r.Context(), err)
				writeJSON(w, ae.status, ae)
				return
			}
			tw.Header().Set(attemptHeader, strconv.FormatInt(aid, 10))
			l.tus.PatchFile(tw, tr)
			if tw.status == http.StatusNoContent {
				l.removeAfter(id, l.run(id), finishedUploadGrace)
			}
			return
		}
		l.tus.PatchFile(tw, tr)
	default:
		writeJSON(w, http.StatusMethodNotAllowed, errMethodNotAllowed)
	}
}

// owned loads an upload's state for its owner; anyone else is told it does not exist.
func (l *liveUploads) owned(ctx context.Context, id, userID string) (tusd.FileInfo, error) {
	notFound := errUploadNotFound
	if !validUploadID(id) {
		return tusd.FileInfo{}, notFound
	}
	up, err := l.files.GetUpload(ctx, id)
	if errors.Is(err, tusd.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
		return tusd.FileInfo{}, notFound
	} else if err != nil {
		return tusd.FileInfo{}, err
	}
	info, err := up.GetInfo(ctx)
	if err != nil {
		return tusd.FileInfo{}, err
	}
	if info.MetaData["user_id"] != userID {
		return tusd.FileInfo{}, notFound
	}
	return info, nil
}

// validUploadID accepts the ids filestore makes (hex), so a path can never leave the
// directory.
func validUploadID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// create checks the session and question before any byte is accepted and records the
// owner with the upload.
func (l *liveUploads) create(hook tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
	ctx := hook.Context
	u := userFrom(ctx)
	sess, _, err := l.target(ctx, hook.Upload.MetaData)
	if err != nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, l.s.tusError(ctx, err)
	}
	if !l.s.cfg.AnalyzeOnRequest {
		// Like a one-shot upload, this answer will queue an analysis.
		if err := l.s.checkUserJobs(ctx, u.ID); err != nil {
			return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, l.s.tusError(ctx, failed("count analyses", err))
		}
	}
	if !hook.Upload.SizeIsDeferred && hook.Upload.Size == 0 {
		_, err := recordingType(nil)
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, l.s.tusError(ctx, err)
	}
	meta := tusd.MetaData{
		"user_id":        u.ID,
		"session_id":     strconv.FormatInt(sess.ID, 10),
		"question_index": hook.Upload.MetaData["question_index"],
	}
	if c := hook.Upload.MetaData["calibration"]; c != "" {
		if _, err := parseCalibration(c); err != nil {
			return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, l.s.tusError(ctx, err)
		}
		meta["calibration"] = c
	}
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{MetaData: meta}, nil
}

// uploadCalibration is the calibration an upload was created with, checked then.
func uploadCalibration(meta tusd.MetaData) *Calibration {
	c, err := parseCalibration(meta["calibration"])
	if err != nil {
		return nil
	}
	return c
}

// target resolves an upload's metadata to the caller's session and question.
func (l *liveUploads) target(ctx context.Context, meta tusd.MetaData) (*store.Session, *store.SessionQuestion, error) {
	sessionID, err1 := strconv.ParseInt(meta["session_id"], 10, 64)
	index, err2 := strconv.Atoi(meta["question_index"])
	if err1 != nil || err2 != nil {
		return nil, nil, errBadUploadMetadata
	}
	sess, err := l.s.ownedSession(ctx, sessionID, errSessionNotFound)
	if err != nil {
		return nil, nil, err
	}
	sq, err := l.s.db.SessionQuestionByOrder(ctx, sess.ID, index)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errBadQuestionIndex
	} else if err != nil {
		return nil, nil, failed("load session question", err)
	}
	return sess, sq, nil
}

// tusError turns one of our errors into the response tusd sends.
func (s *Server) tusError(ctx context.Context, err error) error {
	ae := s.uploadErrorReply(ctx, err)
	body, _ := json.Marshal(ae)
	header := tusd.HTTPHeader{"Content-Type": "application/json"}
	if ae.retryAfter > 0 {
		header["Retry-After"] = strconv.Itoa(int(ae.retryAfter.Seconds()))
	}
	return tusd.Error{ErrorCode: "ERR_NEVERMIND", Message: http.StatusText(ae.status), HTTPResponse: tusd.HTTPResponse{
		StatusCode: ae.status, Body: string(body), Header: header}}
}

// sniff checks that what has arrived looks like a recording, once enough has.
func (l *liveUploads) sniff(id string) error {
	f, err := os.Open(filepath.Join(l.dir, id))
	if err != nil {
		return nil // nothing stored yet: tusd answers for the upload
	}
	defer f.Close()
	if h := head(f); len(h) == liveSniffBytes {
		_, err = recordingType(h)
		return err
	}
	return nil
}

// head reads the first liveSniffBytes of r, fewer if it is shorter.
func head(r io.Reader) []byte {
	b := make([]byte, liveSniffBytes)
	n, _ := io.ReadFull(r, b)
	return b[:n]
}

func (l *liveUploads) run(id string) *liveRun {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.runs[id]
}

// start begins the live analysis of an upload unless one is running, no analyser is
// configured, or every slot is busy (the job queue then analyses the finished recording).
func (l *liveUploads) start(ctx context.Context, id string, info tusd.FileInfo) {
	if l.s.cfg.Analyzer == nil || l.run(id) != nil {
		return
	}
	sess, sq, err := l.target(ctx, info.MetaData)
	if err != nil {
		return // the last PATCH reports it
	}
	question, err := l.s.db.QuestionText(ctx, sq.ID)
	if err != nil {
		l.s.log.Warn("live analysis: question text", "upload", id, "error", err)
	}
	l.mu.Lock()
	if l.runs[id] != nil {
		l.mu.Unlock()
		return
	}
	select {
	case l.slots <- struct{}{}:
	default:
		l.mu.Unlock()
		l.s.log.Info("live analysis skipped: every slot is busy", "upload", id)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &liveRun{id: id, sessionID: sess.ID, question: question, calibration: uploadCalibration(info.MetaData), cancel: cancel, complete: make(chan struct{}), done: make(chan struct{}), changed: make(chan struct{})}
	l.runs[id] = run
	l.mu.Unlock()
	go l.analyse(ctx, run)
}

// stopAll cancels every live analysis and waits for them to end: the server is closing,
// and each upload resumes where it stopped, on this process's successor.
func (l *liveUploads) stopAll() {
	l.mu.Lock()
	runs := make([]*liveRun, 0, len(l.runs))
	for _, r := range l.runs {
		runs = append(runs, r)
	}
	l.mu.Unlock()
	for _, r := range runs {
		r.cancel()
		<-r.done
	}
	l.closeOnce.Do(func() { close(l.closing) })
	l.removals.Wait()
}

// stop cancels an upload's live analysis.
func (l *liveUploads) stop(id string) {
	if run := l.run(id); run != nil {
		run.cancel()
	}
}

// errLiveStalled ends a live analysis whose upload stopped growing for liveIdle.
var errLiveStalled = errors.New("server: the live upload stopped growing")

// analyse runs the analysis over the growing file and stores its result once the upload
// has become an attempt.
func (l *liveUploads) analyse(ctx context.Context, run *liveRun) {
	s := l.s
	defer close(run.done)
	defer run.cancel()
	result, err := l.analyseFile(ctx, run)
	<-l.slots
	run.mu.Lock()
	select {
	case <-run.complete:
		run.mu.Unlock()
	default:
		abandoned := ctx.Err() != nil || errors.Is(err, errLiveStalled)
		run.failed = !abandoned
		run.mu.Unlock()
		if abandoned {
			// Deleted or stalled: a resumed upload starts a new analysis.
			l.forget(run.id)
			run.end("error", map[string]string{"detail": "upload_incomplete"})
		} else {
			// The recording cannot be analysed as it stands; the finished upload
			// is validated and queued like a one-shot one.
			s.log.Info("live analysis failed before the upload ended", "upload", run.id, "error", err)
			run.end("error", map[string]string{"detail": "live_analysis_unavailable"})
		}
		return
	}
	args := analyzeArgs{SessionID: run.sessionID, AttemptID: run.attempt}
	bg := context.WithoutCancel(ctx)
	if err == nil {
		var stored store.AnalysisResult
		if stored, err = toStoreResult(args, result); err == nil {
			if err = s.db.CompleteJob(bg, stored); errors.Is(err, store.ErrAlreadyDone) {
				err = nil
			}
		}
	}
	if err != nil {
		s.log.Warn("live analysis failed; the job queue takes over", "attempt_id", run.attempt, "error", err)
		if qerr := l.handOver(bg, args); qerr != nil {
			s.log.Error("queue analysis after live failure", "attempt_id", run.attempt, "error", qerr)
		}
	}
	run.end("attempt", map[string]int64{"session_id": run.sessionID, "attempt_id": run.attempt})
}

func (l *liveUploads) analyseFile(ctx context.Context, run *liveRun) (*Analysis, error) {
	f, err := os.Open(filepath.Join(l.dir, run.id))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return l.s.cfg.Analyzer.Analyze(ctx, AnalysisInput{
		SessionID: run.sessionID, Question: run.question, Calibration: run.calibration, Media: &growingFile{f: f, run: run, ctx: ctx},
		Cue: func(cue json.RawMessage) { run.publish("cue", cue) },
	})
}

func (l *liveUploads) forget(id string) {
	l.mu.Lock()
	delete(l.runs, id)
	l.mu.Unlock()
}

// handOver queues the job of an attempt whose live analysis failed.
func (l *liveUploads) handOver(ctx context.Context, args analyzeArgs) error {
	id, err := l.s.queue.enqueue(ctx, args)
	if err != nil {
		return err
	}
	return l.s.db.SetRiverJobID(ctx, args.AttemptID, id)
}

// finish runs in the last PATCH: the recording becomes an attempt exactly as a one-shot
// upload does, and the live analysis (if any) is told which attempt its result is for.
func (l *liveUploads) finish(hook tusd.HookEvent) (tusd.HTTPResponse, error) {
	s := l.s
	ctx := hook.Context
	id := hook.Upload.ID
	run := l.run(id)
	if run != nil {
		run.mu.Lock()
		if run.failed {
			run = nil
		}
		run.mu.Unlock()
	}
	attempt, err := l.store(ctx, hook.Upload, run)
	if err != nil {
		return tusd.HTTPResponse{}, l.s.tusError(ctx, err)
	}
	if run != nil {
		// The live analysis stores the result: the job row says so at once, so the
		// feedback routes wait for it instead of queueing another analysis. If this
		// process dies first, the sweeper finds a running job without a River job and
		// queues one.
		_, _, jerr := s.db.EnsureJob(ctx, attempt.SessionID, attempt.ID, "{}")
		if jerr == nil {
			_, jerr = s.db.StartJob(ctx, attempt.ID)
		}
		if jerr != nil {
			s.log.Warn("live analysis job", "attempt_id", attempt.ID, "error", jerr)
		}
		run.mu.Lock()
		run.attempt = attempt.ID
		close(run.complete)
		run.mu.Unlock()
		// Feedback within moments of the last byte: the reply waits briefly for the
		// result so the page can show it at once, but never for long.
		select {
		case <-run.done:
		case <-time.After(liveResultWait):
		case <-ctx.Done():
		}
	}
	l.removeAfter(id, run, finishedUploadGrace)
	return tusd.HTTPResponse{Header: tusd.HTTPHeader{attemptHeader: strconv.FormatInt(attempt.ID, 10)}}, nil
}

// store makes a complete upload's recording an attempt, as the one-shot upload does, its
// analysis left to run (the live one) or queued (none). The attempt and its object's key
// are written into the upload's metadata (attempt_id, recording_key) as soon as the row
// exists, so that whoever finds the upload complete later can tell whether it was stored,
// and remove what a process killed midway left (see settle).
func (l *liveUploads) store(ctx context.Context, info tusd.FileInfo, run *liveRun) (*store.Attempt, error) {
	sess, sq, err := l.target(ctx, info.MetaData)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(l.dir, info.ID))
	if err != nil {
		return nil, failed("open live upload", err)
	}
	defer f.Close()
	contentType, err := recordingType(head(f))
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, failed("rewind live upload", err)
	}
	attempt, _, err := l.s.storeRecording(ctx, sess, sq, f, contentType, run == nil, uploadCalibration(info.MetaData),
		func(a *store.Attempt, key string) error { return l.recordAttempt(info, a.ID, key) })
	if err != nil {
		if run != nil {
			run.cancel()
		}
		return nil, err
	}
	return attempt, nil
}

// recordAttempt writes the attempt an upload is being stored as, and its object's key, into
// the upload's metadata.
func (l *liveUploads) recordAttempt(info tusd.FileInfo, attemptID int64, key string) error {
	meta := make(tusd.MetaData, len(info.MetaData)+2)
	for k, v := range info.MetaData {
		meta[k] = v
	}
	meta["attempt_id"] = strconv.FormatInt(attemptID, 10)
	meta["recording_key"] = key
	info.MetaData = meta
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	return replaceFile(filepath.Join(l.dir, info.ID+".info"), data)
}

// settle returns the attempt a complete upload became, storing it first when the PATCH
// that completed the upload did not live to (its process was killed) or failed to: a
// client whose last PATCH went unanswered resumes, finds every byte stored, and gets the
// attempt from its resume where tusd alone answers a bare 204. An attempt_id whose attempt
// never finished was left by a process killed while storing it; what it left goes, and the
// recording is stored anew. settle holds the upload's lock, as tusd's last PATCH does.
func (l *liveUploads) settle(ctx context.Context, id string) (int64, error) {
	lock, _ := l.locks.NewLock(id)
	if err := lock.Lock(ctx, func() {}); err != nil {
		return 0, err
	}
	defer lock.Unlock()
	up, err := l.files.GetUpload(ctx, id)
	if err != nil {
		return 0, failed("load live upload", err)
	}
	info, err := up.GetInfo(ctx)
	if err != nil {
		return 0, failed("load live upload", err)
	}
	if aid, err := strconv.ParseInt(info.MetaData["attempt_id"], 10, 64); err == nil {
		sid, _ := strconv.ParseInt(info.MetaData["session_id"], 10, 64)
		_, err := l.s.db.Attempt(ctx, sid, aid)
		if err == nil {
			l.ensureAnalysis(ctx, sid, aid)
			return aid, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return 0, failed("load attempt", err)
		}
		if err := l.s.db.DeleteAttempt(ctx, aid); err != nil {
			return 0, failed("delete unfinished attempt", err)
		}
		if err := l.s.storage.Delete(ctx, info.MetaData["recording_key"]); err != nil {
			l.s.log.Warn("delete the recording of an unfinished attempt", "attempt_id", aid, "error", err)
		}
	}
	// A live analysis still waiting for this upload gives way to the job queue.
	l.stop(id)
	a, err := l.store(ctx, info, nil)
	if err != nil {
		return 0, err
	}
	l.s.log.Info("stored a live upload its last PATCH left complete", "upload", id, "attempt_id", a.ID)
	return a.ID, nil
}

// ensureAnalysis queues the analysis of a stored attempt that has none: its process died
// between storing it and starting the live analysis's job. As after a one-shot upload, a
// failure here leaves the queueing to the feedback routes.
func (l *liveUploads) ensureAnalysis(ctx context.Context, sessionID, attemptID int64) {
	if l.s.cfg.AnalyzeOnRequest {
		return
	}
	_, err := l.s.db.Job(ctx, attemptID)
	if errors.Is(err, store.ErrNotFound) {
		_, err = l.s.requestAnalysis(ctx, sessionID, attemptID, AnalysisOptions{}, false, 0)
	}
	if err != nil {
		l.s.log.Warn("queue the analysis of a stored live upload", "attempt_id", attemptID, "error", err)
	}
}

// settleAll settles every complete upload at start-up, for the candidates who do not come
// back to resume; each keeps its files for a resume, until it is stale.
func (l *liveUploads) settleAll(ctx context.Context) {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		l.s.log.Warn("settle live uploads", "error", err)
		return
	}
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".info")
		if !ok || !validUploadID(id) {
			continue
		}
		up, err := l.files.GetUpload(ctx, id)
		if err != nil {
			continue
		}
		info, err := up.GetInfo(ctx)
		if err != nil || info.SizeIsDeferred || info.Offset != info.Size {
			continue
		}
		owner := context.WithValue(ctx, userKey{}, &currentUser{ID: info.MetaData["user_id"]})
		if _, err := l.settle(owner, id); err != nil {
			l.s.log.Warn("settle live upload", "upload", id, "error", err)
		}
	}
}

// finishedUploadGrace is how long a finished upload's files outlive its analysis: a client
// whose last PATCH's reply was lost asks again (HEAD, then PATCH), and is answered with
// the attempt only while the upload is still there. tus-js-client gives up after 9 s.
const finishedUploadGrace = time.Minute

// removeAfter deletes an upload's files once its live analysis no longer reads them and
// grace has passed (or the server stops): the recording is in storage now, or was refused.
func (l *liveUploads) removeAfter(id string, run *liveRun, grace time.Duration) {
	l.removals.Add(1)
	go func() {
		defer l.removals.Done()
		if run != nil {
			<-run.done
		}
		select {
		case <-time.After(grace):
		case <-l.closing:
		}
		l.remove(id)
	}()
}

func (l *liveUploads) remove(id string) {
	l.forget(id)
	up, err := l.files.GetUpload(context.Background(), id)
	if err == nil {
		err = l.files.AsTerminatableUpload(up).Terminate(context.Background())
	}
	if err != nil {
		l.s.log.Warn("remove finished live upload", "upload", id, "error", err)
	}
}

// removeStale deletes live uploads last written before the cutoff that no analysis is
// reading: the candidate never finished them, and nobody will resume them now.
func (l *liveUploads) removeStale(before time.Time) (int, error) {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".info")
		if !ok || !validUploadID(id) || l.run(id) != nil {
			continue
		}
		fi, err := os.Stat(filepath.Join(l.dir, id))
		if err != nil || fi.ModTime().After(before) {
			continue
		}
		up, err := l.files.GetUpload(context.Background(), id)
		if err == nil {
			err = l.files.AsTerminatableUpload(up).Terminate(context.Background())
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// growingFile reads a live upload's file as it grows, until the upload is complete.
type growingFile struct {
	f    *os.File
	run  *liveRun
	ctx  context.Context
	tick *time.Ticker
	idle time.Time
}

func (g *growingFile) Read(p []byte) (int, error) {
	for {
		n, err := g.f.Read(p)
		if n > 0 || err != nil && err != io.EOF {
			g.idle = time.Time{}
			return n, err
		}
		select {
		case <-g.run.complete:
			// Everything is on disk: what is left to read, then the end.
			if n, err := g.f.Read(p); n > 0 {
				return n, nil
			} else if err != nil && err != io.EOF {
				return 0, err
			}
			return 0, io.EOF
		default:
		}
		if g.tick == nil {
			// Chunks come every second or so; looking ten times as often keeps the
			// analysis within a tenth of a second of the bytes.
			g.tick = time.NewTicker(100 * time.Millisecond)
		}
		if g.idle.IsZero() {
			g.idle = time.Now()
		} else if time.Since(g.idle) > liveIdle {
			return 0, errLiveStalled
		}
		select {
		case <-g.ctx.Done():
			return 0, g.ctx.Err()
		case <-g.run.complete:
		case <-g.tick.C:
		}
	}
}

// publish appends an event for the listeners.
func (r *liveRun) publish(event string, data json.RawMessage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", event, data)
	r.events = append(r.events, b.Bytes())
	close(r.changed)
	r.changed = make(chan struct{})
}

// end publishes the last event.
func (r *liveRun) end(event string, v any) {
	data, _ := json.Marshal(v)
	r.publish(event, data)
	r.mu.Lock()
	r.ended = true
	r.mu.Unlock()
}

// serveEvents streams a live upload's cues and, at the end, the attempt it became (or
// why it did not), as Server-Sent Events. A listener that connects late gets the earlier
// events first.
func (l *liveUploads) serveEvents(w http.ResponseWriter, r *http.Request, id string) {
	run := l.run(id)
	if run == nil {
		writeJSON(w, http.StatusNotFound, errLiveNotRunning)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no") // nginx would hold the events back
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	rc.Flush()
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	sent := 0
	for {
		run.mu.Lock()
		pending := run.events[sent:]
		ended, changed := run.ended, run.changed
		run.mu.Unlock()
		for _, e := range pending {
			if _, err := w.Write(e); err != nil {
				return
			}
		}
		sent += len(pending)
		rc.Flush()
		if ended {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-changed:
		case <-keepAlive.C:
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil {
				return
			}
		}
	}
}
