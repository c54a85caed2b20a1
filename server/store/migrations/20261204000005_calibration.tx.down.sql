ALTER TABLE attempts DROP COLUMN calibration_end;
ALTER TABLE attempts DROP COLUMN calibration_start;
