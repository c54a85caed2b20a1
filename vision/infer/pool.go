package infer

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// A Model with Threads > 1 keeps Threads−1 worker goroutines for its whole
// life. A layer split across them is published as a job, which the caller
// and every worker that sees it share part by part (see job). While a
// Session.Run is going the workers spin between jobs, and for a while after
// it, since the next Run often follows within microseconds; then they park
// on a channel, so an idle Model costs no CPU. They do not park during a
// Run because waking a parked goroutine takes longer than most layers: the
// channel send leaves it in the sender's run queue until another thread
// steals it, tens of microseconds later. When workers parked during every
// unsplit layer (a pooling, a pad) longer than spinFor, FaceMesh's worker
// ran 1.5 % of the parts of its split layers; it runs about 45 % now. Run
// wakes them as it starts.

// spinFor is how long a worker keeps looking for work after its last part
// before it parks.
const spinFor = 50 * time.Microsecond

// job is one Session's split of one op; Session keeps one per parallel op,
// so running it allocates nothing. k, a, units and parts never change
// after NewSession.
//
// Each goroutine has a home share of the parts, the same one in every op,
// and claims from it first, with one atomic add a part: consecutive layers
// split the same way (1×1 convolutions by columns, depthwise ones by
// channels) then read mostly what the same core wrote, which is still in
// its cache. A goroutine whose share is done takes what is left of the
// others', so a late one (on a busy machine some goroutine always is)
// holds nobody up.
type job struct {
	k            kernel
	a            []args // scratch: slot 0 for the caller, w for worker w
	units, parts int
	next         []share       // by slot
	done         atomic.Int32  // parts finished
	waiting      atomic.Bool   // the caller is blocked on finished
	finished     chan struct{} // capacity 1: the last part is done
}

// share is one slot's home parts [first, end); next counts claims from
// first on. It fills a cache line, so that claims on one share do not slow
// down the others.
type share struct {
	next       atomic.Int32
	first, end int32
	_          [56]byte
}

func newJob(k kernel, a []args, units, parts int) *job {
	j := &job{k: k, a: a, units: units, parts: parts, next: make([]share, len(a)), finished: make(chan struct{}, 1)}
	for s := range j.next {
		j.next[s].first = int32(s * parts / len(a))
		j.next[s].end = int32((s + 1) * parts / len(a))
	}
	return j
}

// reset makes every part unclaimed.
func (j *job) reset() {
	j.done.Store(0)
	for s := range j.next {
		j.next[s].next.Store(j.next[s].first)
	}
}

// help runs unclaimed parts of j with the scratch of slot, its home share
// first, until none are left, and returns how many it ran.
func (j *job) help(slot int) int {
	ran := 0
	a := &j.a[slot]
	for i := range j.next {
		sh := &j.next[(slot+i)%len(j.next)]
		for {
			p := sh.next.Add(1) - 1
			if p >= sh.end {
				break
			}
			j.k.run(a, int(p)*j.units/j.parts, int(p+1)*j.units/j.parts)
			if int(j.done.Add(1)) == j.parts && j.waiting.Load() {
				select {
				case j.finished <- struct{}{}:
				default:
				}
			}
			ran++
		}
	}
	return ran
}

// workerPool holds the workers of one Model, shared by its Sessions. It
// helps one job at a time; a Session that finds it busy runs its layer
// alone (concurrent Runs keep the cores busy anyway).
type workerPool struct {
	current  atomic.Pointer[job]
	sleepers atomic.Int32 // workers parked or about to park
	runs     atomic.Int32 // Session.Runs going on
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
			if j := wp.current.Load(); j != nil && j.help(slot) > 0 {
				deadline = time.Now().Add(spinFor)
			}
			if wp.closed.Load() {
				return
			}
			if i%64 == 0 {
				if wp.runs.Load() > 0 {
					deadline = time.Now().Add(spinFor)
				} else if time.Now().After(deadline) {
					break
				}
				runtime.Gosched() // let a goroutine of this P run, if any
			}
		}
		// Park. A job or a Run is published before sleepers is read, and
		// sleepers counts this worker before current and runs are read
		// again, so either the publisher sees a sleeper to wake or the
		// worker sees what was published.
		wp.sleepers.Add(1)
		if wp.current.Load() == nil && wp.runs.Load() == 0 {
			select {
			case <-wp.wake:
			case <-wp.quit:
			}
		}
		wp.sleepers.Add(-1)
	}
}

// begin tells the workers a Run has started, waking those that parked;
// end, which must follow, that it is over.
func (wp *workerPool) begin() {
	wp.runs.Add(1)
	wp.wakeUp(int(wp.running.Load()))
}

func (wp *workerPool) end() { wp.runs.Add(-1) }

// wakeUp wakes up to n parked workers.
func (wp *workerPool) wakeUp(n int) {
	for range min(int(wp.sleepers.Load()), n) {
		select {
		case wp.wake <- struct{}{}:
		default:
		}
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
	j.reset()
	shared := wp.current.CompareAndSwap(nil, j)
	if shared {
		wp.wakeUp(j.parts - 1)
	}
	j.help(0)
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
