package server

import (
	"context"
	"fmt"
	"time"

	"github.com/nevermind-ai/nevermind/server/store"
)

// sweepInterval is how often a running server clears what dead processes
// left behind.
const sweepInterval = 10 * time.Minute

// lostJobGrace is how long an analysis row may wait for its River job before
// it counts as lost. A requested analysis commits its row and its job in one
// transaction, so only the paths that write the job afterwards (a live upload
// whose own analysis did not finish, this sweeper's requeue) can leave one.
const lostJobGrace = time.Minute

// uploadLifetime is the longest a live upload can take: its whole body at
// the minimum rate after the grace, plus validation and bookkeeping.
func (s *Server) uploadLifetime() time.Duration {
	body := time.Duration(float64(s.cfg.MaxUploadBytes+1<<20) / float64(s.cfg.MinBodyRate) * float64(time.Second))
	return s.cfg.BodyIdleTimeout + body + 10*time.Minute
}

// sweep removes uploads (attempt rows and local temporary files) older than
// the cutoff, removes what deleted accounts own, and requeues analyses whose
// River job is gone. At start-up on
// SQLite the process owns the database and its media alone, so everything
// unfinished is dead and the cutoff is now; elsewhere other replicas may be
// mid-upload, and only what is older than any live upload can be goes.
func (s *Server) sweep(ctx context.Context, uploadsBefore, jobsBefore time.Time) {
	if n, err := s.db.DeleteStaleUploads(ctx, uploadsBefore); err != nil {
		s.log.Warn("sweep uploads", "error", err)
	} else if n > 0 {
		s.log.Info("removed unfinished uploads", "attempts", n)
	}
	if s.local != nil {
		if n, err := s.local.RemoveTemp(uploadsBefore); err != nil {
			s.log.Warn("sweep temporary files", "error", err)
		} else if n > 0 {
			s.log.Info("removed temporary files of unfinished uploads", "files", n)
		}
	}
	s.purgeDeletedAccounts(ctx)
	// A live upload outlives its process on purpose (the candidate resumes it on the
	// restarted server), so only one older than any upload can be goes, even at start.
	if n, err := s.live.removeStale(time.Now().Add(-s.uploadLifetime())); err != nil {
		s.log.Warn("sweep live uploads", "error", err)
	} else if n > 0 {
		s.log.Info("removed abandoned live uploads", "uploads", n)
	}
	s.requeueLostJobs(ctx, jobsBefore)
}

// requeueLostJobs requeues the analyses that have waited for their River job since before
// the cutoff.
func (s *Server) requeueLostJobs(ctx context.Context, before time.Time) {
	jobs, err := s.db.LostJobs(ctx, before)
	if err != nil {
		s.log.Warn("sweep analysis jobs", "error", err)
		return
	}
	for _, j := range jobs {
		if err := s.requeueLost(ctx, j); err != nil {
			s.log.Warn("requeue lost analysis", "attempt_id", j.AttemptID, "error", err)
		}
	}
}

// purgeDeletedAccounts removes the recordings, then the content, sessions,
// attempts, analyses and feedback of every account whose profile is deleted.
// An account whose recordings cannot all be deleted keeps its rows until a
// later sweep, so no object is left without the row that names it.
func (s *Server) purgeDeletedAccounts(ctx context.Context) {
	users, err := s.db.DeletedAccounts(ctx)
	if err != nil {
		s.log.Warn("sweep deleted accounts", "error", err)
		return
	}
	for _, u := range users {
		keys, err := s.db.UserMediaKeys(ctx, u)
		if err != nil {
			s.log.Warn("recordings of a deleted account", "user_id", u, "error", err)
			continue
		}
		var failed error
		for _, k := range keys {
			if err := s.storage.Delete(ctx, k); err != nil {
				failed = err
			}
		}
		if failed != nil {
			s.log.Warn("delete recordings of a deleted account", "user_id", u, "error", failed)
			continue
		}
		if err := s.db.DeleteUserContent(ctx, u); err != nil {
			s.log.Warn("delete rows of a deleted account", "user_id", u, "error", err)
			continue
		}
		s.log.Info("removed a deleted account's data", "user_id", u, "recordings", len(keys))
	}
}

// requeueLost enqueues a lost analysis again, or fails it once it has used
// up its tries: a recording that kills its worker every time must not do so
// for ever.
func (s *Server) requeueLost(ctx context.Context, j store.AnalysisJob) error {
	maxTries := analyzeArgs{}.InsertOpts().MaxAttempts
	if j.Tries >= maxTries {
		s.log.Warn("analysis lost on its last try; failing it", "attempt_id", j.AttemptID, "tries", j.Tries)
		return s.db.FailJob(ctx, j.AttemptID, fmt.Sprintf("the analysis stopped with its worker %d times", j.Tries), true)
	}
	ok, err := s.db.RequeueLostJob(ctx, j.AttemptID)
	if err != nil || !ok {
		return err
	}
	id, err := s.queue.enqueue(ctx, analyzeArgs{AttemptID: j.AttemptID, SessionID: j.SessionID})
	if err != nil {
		return err
	}
	s.log.Info("requeued a lost analysis", "attempt_id", j.AttemptID, "river_job_id", id)
	return s.db.SetRiverJobID(ctx, j.AttemptID, id)
}

// sweepAtStart is the sweep before the server serves: on SQLite it also
// makes River jobs left "running" by a killed process available again, since
// this process owns the only worker (River's own rescuer would wait twice
// the job timeout).
func (s *Server) sweepAtStart(ctx context.Context) error {
	// Live uploads a killed process left complete become the attempts their last PATCH
	// did not make, or name the ones it did, before any candidate resumes them.
	s.live.settleAll(ctx)
	now := time.Now()
	if s.db.Dialect != store.SQLite {
		s.sweep(ctx, now.Add(-s.uploadLifetime()), now.Add(-lostJobGrace))
		return nil
	}
	n, err := requeueDeadRiverJobs(ctx, s.db)
	if err != nil {
		return err
	}
	if n > 0 {
		s.log.Info("requeued analyses a killed process left running", "jobs", n)
	}
	s.sweep(ctx, now, now)
	return nil
}

// sweepPeriodically sweeps every sweepInterval until ctx ends, and between sweeps looks
// for lost analyses every lostJobGrace: one whose replica was killed mid-analysis gets its
// result within about two minutes, not ten.
func (s *Server) sweepPeriodically(ctx context.Context) {
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	lost := time.NewTicker(lostJobGrace)
	defer lost.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := time.Now()
			s.sweep(ctx, now.Add(-s.uploadLifetime()), now.Add(-lostJobGrace))
		case <-lost.C:
			s.requeueLostJobs(ctx, time.Now().Add(-lostJobGrace))
		}
	}
}
