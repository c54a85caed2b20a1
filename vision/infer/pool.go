package infer

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A Model with Threads > 1 keeps Threads−1 worker goroutines for its whole
// life. A layer split across them is published as a job: the caller and
// every worker that sees it claim parts with one atomic add each, so a part
// goes to whoever is free first (on a busy machine some goroutine is always
// late, and fixed shares would wait for it). Between jobs a worker spins for
// a while, since the next large layer usually follows within microseconds,
// then parks on a channel, so an idle Model costs no CPU and a layer costs
// no goroutine start or channel hand-off while a run is going.

// spinFor is how long a worker keeps looking for work after its last part
// before it parks.
const spinFor = 50 * time.Microsecond

// job is one Session's split of one op; Session keeps one per parallel op,
// so running it allocates nothing. k, a, units and parts never change
// after NewSession.
type job struct {
	k            kernel
	a            []args // scratch: slot 0 for the caller, w for worker w
	units, parts int
	next         atomic.Int32  // parts claimed so far
	done         atomic.Int32  // parts finished
	waiting      atomic.Bool   // the caller is blocked on finished
	finished     chan struct{} // capacity 1: the last part is done
}

func newJob(k kernel, a []args, units, parts int) *job {
	return &job{k: k, a: a, units: units, parts: parts, finished: make(chan struct{}, 1)}
}

// help runs unclaimed parts of j with the scratch of a until none are left
// and reports whether it ran any.
func (j *job) help(a *args) bool {
	ran := false
	for {
		p := int(j.next.Add(1)) - 1
		if p >= j.parts {
			return ran
		}
		j.k.run(a, p*j.units/j.parts, (p+1)*j.units/j.parts)
		if int(j.done.Add(1)) == j.parts && j.waiting.Load() {
			select {
			case j.finished <- struct{}{}:
			default:
			}
		}
		ran = true
	}
}

// workerPool holds the workers of one Model, shared by its Sessions. It
// helps one job at a time; a Session that finds it busy runs its layer
// alone (concurrent Runs keep the cores busy anyway).
type workerPool struct {
	current  atomic.Pointer[job]
	sleepers atomic.Int32 // workers parked or about to park
	running  atomic.Int32 // workers that have not ended
	closed   atomic.Bool
	wake     chan struct{}
	quit     chan struct{}
	once     sync.Once
}

// newWorkerPool starts n workers; they use scratch slots 1 to n.
func newWorkerPool(n int) *workerPool {
	wp := &workerPool{wake: make(chan struct{}, n), quit: make(chan struct{})}
	wp.running.Add(int32(n))
	for w := 1; w <= n; w++ {
		go wp.work(w)
	}
	return wp
}

func (wp *workerPool) work(slot int) {
	defer wp.running.Add(-1)
	for {
		deadline := time.Now().Add(spinFor)
		for i := 1; ; i++ {
			if j := wp.current.Load(); j != nil && j.help(&j.a[slot]) {
				deadline = time.Now().Add(spinFor)
			}
			if wp.closed.Load() {
				return
			}
			if i%64 == 0 {
				if time.Now().After(deadline) {
					break
				}
				runtime.Gosched() // let a goroutine of this P run, if any
			}
		}
		// Park. The job is published before sleepers is read, and sleepers
		// counts this worker before current is read again, so either run
		// sees a waker or the worker sees the job.
		wp.sleepers.Add(1)
		if wp.current.Load() == nil {
			select {
			case <-wp.wake:
			case <-wp.quit:
			}
		}
		wp.sleepers.Add(-1)
	}
}

// run executes j with the caller's scratch a[0], sharing it with the
// workers when the pool is free, and returns once every part is done.
func (wp *workerPool) run(j *job) {
	select {
	case <-j.finished: // left by the last run, which did not need it
	default:
	}
	j.waiting.Store(false)
	j.done.Store(0)
	j.next.Store(0)
	shared := wp.current.CompareAndSwap(nil, j)
	if shared {
		for range min(int(wp.sleepers.Load()), j.parts-1) {
			select {
			case wp.wake <- struct{}{}:
			default:
			}
		}
	}
	j.help(&j.a[0])
	if shared {
		wp.current.CompareAndSwap(j, nil)
	}
	// The parts still running were claimed by workers that are on them:
	// wait a little, then block, in case the machine has descheduled one
	// (spinning would only take its core). Setting waiting before reading
	// done, and the worker adding to done before reading waiting, means the
	// last part is either seen done here or signalled. A token can be a
	// late one of the last run, hence the loop.
	for i := 0; j.done.Load() < int32(j.parts); i++ {
		if i < 256 {
			continue
		}
		j.waiting.Store(true)
		for j.done.Load() < int32(j.parts) {
			<-j.finished
		}
		return
	}
}

// close ends the workers (once they finish what they run).
func (wp *workerPool) close() {
	wp.once.Do(func() {
		wp.closed.Store(true)
		close(wp.quit)
	})
}
