// Package servertest runs a real nevermind server for a test, the way
// net/http/httptest runs a handler: on a loopback port, with a temporary
// SQLite database and local storage, its job worker in process, and a fake
// analyser in place of interview.Pipeline, so a test of a client (an app,
// an SDK, a proxy) exercises the actual HTTP API in milliseconds without
// FFmpeg or models.
//
//	ts := servertest.New(t)
//	token := ts.Token(server.DevUserID)
//	// … requests to ts.URL+"/api/…" with "Authorization: Bearer "+token
//	if calls := ts.Analyzer.Calls(); len(calls) != 1 { … } // what the server analysed
//
// [New] takes options that edit the [server.Config], so the same helper
// runs the server with the production analyser (server/sdk's Analyzer) or
// any other setting:
//
//	ts := servertest.New(t, func(c *server.Config) {
//		c.Analyzer = sdk.Analyzer{Pipeline: &interview.Pipeline{}}
//		c.SyncWait = time.Minute
//	})
//
// The fake [Analyzer] reads the recording the server streams to it,
// records each call, and answers with a fixed [Analysis] or the one or the
// error a test sets. The server is stopped and its files removed when the
// test ends.
package servertest
