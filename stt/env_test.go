package stt

import (
	"errors"
	"testing"
)

func TestFromEnv(t *testing.T) {
	_, _, keyPath := newFakeGoogle(t)
	cases := []struct {
		env  map[string]string
		want string // "openai", "google" or the error
		err  error
	}{
		{map[string]string{}, "", ErrNotConfigured},
		{map[string]string{EnvOpenAIKey: "sk"}, "openai", nil},
		{map[string]string{EnvOpenAIKey: "sk", EnvGoogleKeyPath: keyPath}, "google", nil},
		{map[string]string{EnvOpenAIKey: "sk", EnvGoogleKeyPath: keyPath, EnvProvider: "openai"}, "openai", nil},
		{map[string]string{EnvGoogleAPIKey: "AIza"}, "google", nil},
		{map[string]string{EnvProvider: "openai"}, "", ErrConfig},
		{map[string]string{EnvProvider: "azure"}, "", ErrConfig},
		{map[string]string{EnvOpenAIKey: "sk", EnvProvider: "none"}, "", ErrNotConfigured},
		{map[string]string{EnvGoogleKeyPath: "/nonexistent/key.json"}, "", ErrConfig},
	}
	for _, c := range cases {
		tr, err := FromEnv(func(k string) string { return c.env[k] })
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%v: err %v, want %v", c.env, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.env, err)
			continue
		}
		switch tr.(type) {
		case *OpenAI:
			if c.want != "openai" {
				t.Errorf("%v: got OpenAI, want %s", c.env, c.want)
			}
		case *Google:
			if c.want != "google" {
				t.Errorf("%v: got Google, want %s", c.env, c.want)
			}
		}
	}
}
