package server

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"
)

// A broken connection leaves its request on the server for a while, and the tus protocol
// gives the server no way to tell that request from the client's resume: on loopback the
// PATCH whose body broke was seen reaching the server after the client's HEAD that followed
// it. tusd's answer to two requests for one upload is that the one asking for the lock
// last wins, interrupting the holder, which is right when the holder is a dead connection
// and the asker its client resuming. When the late arrival is the dead one, it interrupted
// the live resume (400 ERR_UPLOAD_INTERRUPTED, which neither tus-js-client nor the practice
// page retries). And tusd interrupts by cancelling the holder's context, whose watcher ends
// the body from another goroutine: it reads the body field unsynchronised (a data race, and
// an interrupt lost when it lands before the body is set up) and sets a read deadline in
// the past that could reach the connection after the request had answered, failing the
// client's next request on it. The live routes therefore lock and interrupt like this:
//
//   - a PATCH never interrupts: it waits for the holder. A client asks for the offset (HEAD)
//     before it resends anything, so a PATCH is never the one that finds a dead connection
//     holding the lock; two PATCHes at one offset are the same bytes, and the second gets
//     409 once the first has stored them. HEAD and DELETE interrupt, as in tusd.
//   - to interrupt is to end the holder's body with a read deadline in the past, set (and
//     kept, over tusd's extensions) only until the holder answers.
//   - an interrupted request that fails answers 423 upload_taken_over: tus-js-client and
//     the page then ask for the offset and resume.
//
// A client still meets 409 when the dead request stores its bytes between the client's
// HEAD and its PATCH; the offset has moved on, and the client asks again, as the protocol
// says it must.

// liveRequest is what the live upload routes know of a request while tusd handles it.
type liveRequest struct {
	patch bool
	w     *tusResponse
}

type liveRequestKey struct{}

// withLiveRequest prepares r for tusd: its lock requests and its answer go through the
// returned ResponseWriter.
func withLiveRequest(w http.ResponseWriter, r *http.Request) (*http.Request, *tusResponse) {
	lr := &liveRequest{patch: r.Method == http.MethodPatch}
	lr.w = &tusResponse{ResponseWriter: w}
	return r.WithContext(context.WithValue(r.Context(), liveRequestKey{}, lr)), lr.w
}

// liveLocker is tusd's per-upload lock, as its memorylocker but for who interrupts whom,
// and how.
type liveLocker struct {
	mu   sync.Mutex
	held map[string]*heldLock
}

type heldLock struct {
	release  func()
	released chan struct{}
}

func newLiveLocker() *liveLocker { return &liveLocker{held: map[string]*heldLock{}} }

func (k *liveLocker) UseIn(c *tusd.StoreComposer) { c.UseLocker(k) }

func (k *liveLocker) NewLock(id string) (tusd.Lock, error) { return liveLock{k, id}, nil }

type liveLock struct {
	k  *liveLocker
	id string
}

// Lock takes the upload's lock for the request ctx belongs to. Outside a live route's
// request (settling at start-up) the holder is released as tusd asks.
func (l liveLock) Lock(ctx context.Context, requestRelease func()) error {
	lr, _ := ctx.Value(liveRequestKey{}).(*liveRequest)
	release := requestRelease
	if lr != nil {
		release = lr.w.interrupt
	}
	for {
		l.k.mu.Lock()
		h := l.k.held[l.id]
		if h == nil {
			l.k.held[l.id] = &heldLock{release: release, released: make(chan struct{})}
			l.k.mu.Unlock()
			return nil
		}
		l.k.mu.Unlock()
		if lr == nil || !lr.patch {
			h.release()
		}
		select {
		case <-ctx.Done():
			return tusd.ErrLockTimeout
		case <-h.released:
		}
	}
}

func (l liveLock) Unlock() error {
	l.k.mu.Lock()
	h := l.k.held[l.id]
	delete(l.k.held, l.id)
	l.k.mu.Unlock()
	close(h.released)
	return nil
}

// tusResponse is the ResponseWriter tusd answers a live upload request through.
type tusResponse struct {
	http.ResponseWriter
	// status is the status of the answer, once it is written.
	status int

	mu sync.Mutex
	// interrupted says a later request asked this one to make way.
	interrupted bool
	// answered says the answer is written: the connection may carry the client's next
	// request from now on.
	answered bool
	// replaced says the answer is upload_taken_over instead of tusd's.
	replaced bool
}

// interrupt ends the request's body, unless it has answered.
func (w *tusResponse) interrupt() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.answered {
		return
	}
	w.interrupted = true
	_ = http.NewResponseController(w.ResponseWriter).SetReadDeadline(time.Now())
}

func (w *tusResponse) WriteHeader(code int) {
	w.mu.Lock()
	w.answered = true
	w.replaced = w.interrupted && code >= http.StatusBadRequest
	w.mu.Unlock()
	if w.replaced {
		w.Header().Del("Content-Length")
		writeJSON(w.ResponseWriter, errUploadTakenOver.status, errUploadTakenOver)
		w.status = errUploadTakenOver.status
		return
	}
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *tusResponse) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil // tusd's body of the answer replaced
	}
	return w.ResponseWriter.Write(b)
}

// SetReadDeadline and SetWriteDeadline are tusd's, moved on as the body arrives; an
// interrupted request's body stays ended.
func (w *tusResponse) SetReadDeadline(t time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.answered {
		return nil
	}
	if w.interrupted {
		t = time.Now()
	}
	return http.NewResponseController(w.ResponseWriter).SetReadDeadline(t)
}

func (w *tusResponse) SetWriteDeadline(t time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.answered {
		return nil
	}
	return http.NewResponseController(w.ResponseWriter).SetWriteDeadline(t)
}

func (w *tusResponse) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// atomicLength declares a deferred upload's length by replacing its .info file whole, where
// filestore rewrites it in place: a request reading the upload meanwhile (the owner check
// runs outside tusd's lock) read a torn file and answered 500, and a process killed in the
// middle would have left an upload nobody could read again.
type atomicLength struct{ dir string }

func (a atomicLength) AsLengthDeclarableUpload(up tusd.Upload) tusd.LengthDeclarableUpload {
	return declarable{a.dir, up}
}

type declarable struct {
	dir string
	tusd.Upload
}

func (d declarable) DeclareLength(ctx context.Context, length int64) error {
	info, err := d.GetInfo(ctx)
	if err != nil {
		return err
	}
	info.Size, info.SizeIsDeferred = length, false
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	return replaceFile(filepath.Join(d.dir, info.ID+".info"), data)
}

// replaceFile writes data to path through a temporary file renamed over it, so a reader
// sees the old content or the new, and so does the next process after a crash.
func replaceFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
