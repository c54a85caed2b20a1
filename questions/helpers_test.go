package questions

import "context"

func bg() context.Context { return context.Background() }
