-- The stretch of an answer, in seconds, during which the candidate was asked to look into
-- the lens (the upload's optional calibration field); eye contact is calibrated on it.
ALTER TABLE attempts ADD COLUMN calibration_start {{.Float}};
ALTER TABLE attempts ADD COLUMN calibration_end {{.Float}};
