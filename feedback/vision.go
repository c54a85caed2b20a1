package feedback

// Vision is wired in once package vision publishes its Report; until then a
// summary reports the vision modality as not analysed (or failed, through
// Input.Failed).

func (in Input) hasVision() bool { return false }

func visionMetrics(Input, map[Modality]ModalityStatus) []Metric { return nil }

func visionMoments(Input) []Reason { return nil }
