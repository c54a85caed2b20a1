// Package openaierr classifies the errors of go-openai's client — the one stt and questions
// both use — into the module's remote-service sentinels (nevermind.ErrUnauthorized and its
// siblings) by the HTTP status they carry.
package openaierr

import (
	"context"
	"errors"

	openai "github.com/sashabaranov/go-openai"

	"github.com/nevermind-ai/nevermind"
)

// Classify wraps err, from a go-openai call made for service ("stt", "questions"), with the
// sentinel of its HTTP status (see nevermind.RemoteError); an error without a status is a
// service that could not be reached. The caller's own cancellation is returned as it is.
func Classify(ctx context.Context, service string, err error) error {
	if ctx.Err() != nil {
		return err
	}
	status := 0
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
	}
	return nevermind.RemoteError(service, status, err)
}
